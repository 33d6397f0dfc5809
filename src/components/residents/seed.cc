// The demo's register: 300 fictional residents of Solbacka over its three districts, in
// households, some under 12; the demo's 48 resident accounts are verified as the first 48.

#include "residents_internal.h"
#include "ting/core/accounts.h"

namespace ting::components {

namespace {

const std::vector<std::string>& FirstNames() {
  static const std::vector<std::string> names = {"Sara", "Lars", "Amina", "Elsa", "Ali", "Maja", "Hassan", "Ingrid", "Yonas", "Linnea",
                                                 "Omar", "Karin", "Noah", "Leila", "Erik", "Fatima", "Oskar", "Ebba", "Mehmet", "Alva",
                                                 "Daniel", "Hanna", "Ahmed", "Wilma", "Nils", "Zahra", "Hugo", "Ida", "Samir", "Greta"};
  return names;
}
const std::vector<std::string>& LastNames() {
  static const std::vector<std::string> names = {"Ahmed", "Svensson", "Warsame", "Johansson", "Rezaei", "Karlsson", "Mohamed", "Olsson",
                                                 "Tesfay", "Persson", "Haddad", "Eriksson", "Nilsson", "Larsson", "Andersson", "Yilmaz",
                                                 "Gustafsson", "Pettersson", "Ali", "Lindberg"};
  return names;
}

}  // namespace

Status SeedResidents(web::Demo& demo) {
  TING_ASSIGN_OR_RETURN(const core::Organisation demo_org, demo.Organisation());
  const core::Organisation* org = &demo_org;
  const int this_year = std::stoi(demo.env.Today(org->time_zone).substr(0, 4));
  const std::vector<std::string> districts = {"norr", "centrum", "söder"};
  std::vector<RegisterRow> rows;
  for (int i = 0; i < 300; ++i) {
    RegisterRow r;
    // The accounts' residents first, with the names their accounts have.
    r.name = i == 0 ? "Sara Ahmed" : FirstNames()[(i * 7) % FirstNames().size()] + " " + LastNames()[(i * 3 + i / 20) % LastNames().size()];
    // Ages 14 to 85 for the first 48 (they vote in the demo); 8 to 90 for the others, so a few
    // children are in the register but may not vote.
    int age = i < 48 ? 14 + (i * 13) % 72 : 8 + (i * 17) % 83;
    int month = 1 + (i * 5) % 12, day = 1 + (i * 11) % 28;
    char birth[32];
    std::snprintf(birth, sizeof birth, "%04d-%02d-%02d", this_year - age - 1, month, day);
    r.birth_date = birth;
    r.person_id = std::string(birth).substr(0, 4) + std::string(birth).substr(5, 2) + std::string(birth).substr(8, 2) + "-" +
                  std::to_string(1000 + i);
    // Sara (the demo's resident login) lives in centrum, whose budget has the knapsack ballot.
    r.district = i == 0 ? "centrum" : districts[i % 3];
    r.household = r.district + "-" + std::to_string(i / 2);  // two people a household
    r.language = i % 10 == 3 ? "en" : "sv";
    demo.person_ids.push_back(r.person_id);
    rows.push_back(std::move(r));
  }
  TING_RETURN_IF_ERROR(StatusOf(ReplaceRegister(demo.db, demo.env, org->id, rows, {})));
  // Verify the demo's resident accounts as the first 48 people (as a staff desk would).
  core::Accounts accounts(demo.db, demo.env);
  VoterDirectory voters(demo.db, demo.env);
  RegisterStore store(demo.db, demo.env);
  for (int i = 0; i < 48; ++i) {
    std::string email = i == 0 ? "sara@solbacka.example" : "resident" + std::to_string(i + 1) + "@solbacka.example";
    TING_ASSIGN_OR_RETURN(auto account, accounts.FindByEmail(email));
    TING_ASSIGN_OR_RETURN(auto person, store.FindByPersonId(org->id, rows[i].person_id));
    if (!account || !person) return Error::NotFound("demo resident " + email + " is missing");
    TING_RETURN_IF_ERROR(voters.Verify(org->id, person->id, account->id, "desk"));
  }
  return {};
}

}  // namespace ting::components
