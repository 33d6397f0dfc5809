// The demo's ballots: every resident voted in 2025 (then voting closed); some have voted in 2026.

#include <algorithm>
#include <random>

#include "ting/components/residents.h"
#include "ting/core/accounts.h"
#include "ting/components/voting.h"

namespace ting::components {

using json = nlohmann::json;

Status SeedVoting(web::Demo& demo) {
  const std::vector<std::string> ideas = {"Nya gungor på Solbackens lekplats", "Trygg övergång vid Storgatan", "Läxhjälp på fritidsgården",
                                          "Fruktträd i Ekparken", "Scen för evenemang på torget", "Belysta spontanidrottsplatser"};
  std::mt19937 rng(2025);  // a fixed demo, not a draw: any generator will do
  const std::vector<int> popularity = {9, 8, 6, 5, 3, 4};  // relative weights of the six ideas
  for (const auto& token : demo.residents) {
    std::vector<int64_t> chosen;
    std::discrete_distribution<int> pick(popularity.begin(), popularity.end());
    for (int k = 0; k < 3 && chosen.size() < 3; ++k) {
      int64_t id = demo.ids[ideas[pick(rng)]];
      if (std::find(chosen.begin(), chosen.end(), id) == chosen.end()) chosen.push_back(id);
    }
    TING_RETURN_IF_ERROR(StatusOf(demo.Call("PUT", "/api/v1/processes/medborgarbudget-2025/budgets/hela-solbacka/ballot", token,
                                            json{{"projects", chosen}}, 200)));
  }
  // Voting closes: the dates decide again (results since 2025-06-10).
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("PATCH", "/api/v1/processes/medborgarbudget-2025", demo.tokens["manager"], json{{"phase", "auto"}}, 200)));

  // 2026: ballots through every door, each voter in their own district's budget.
  const std::string p26 = "/api/v1/processes/medborgarbudget-2026/budgets/";
  auto id = [&](const char* title) { return demo.ids[title]; };
  // A ballot for a budget, varied by n.
  auto ballot_for = [&](const std::string& budget, int n) -> json {
    if (budget == "norr")
      return {{"projects", {id("Belysning längs gångvägen till skolan"), n % 2 ? id("Utegym vid Norrskogens motionsspår") : id("Odlingslotter för alla")}}};
    if (budget == "centrum") return {{"projects", n % 3 ? json{id("Lekplats med tema rymden"), id("Sommarbio i parken")} : json{id("Sommarbio i parken")}}};
    return {{"points", {{std::to_string(id("Mötesplats för unga i Söderhallen")), 6},
                        {std::to_string(n % 3 ? id("Blomsteräng i stället för gräsmatta") : id("Cykelpump och lagningsstation")), 4}}}};
  };
  const std::vector<std::string> budgets = {"norr", "centrum", "soder"};  // the register's districts, in its order
  // Verified accounts, online (resident i lives in district i % 3).
  for (int v = 12; v < 36; ++v)
    TING_RETURN_IF_ERROR(StatusOf(demo.Call("PUT", p26 + budgets[v % 3] + "/ballot", demo.residents[v], ballot_for(budgets[v % 3], v), 200)));
  // Letters with codes for everyone who may vote; some of them vote with their code.
  TING_ASSIGN_OR_RETURN(json codes, demo.Call("POST", "/api/v1/processes/medborgarbudget-2026/codes", demo.tokens["manager"], json::object(), 201));
  // Every fourth letter (the letters come in district order, so all districts vote); two are
  // kept unused for trying /vote-with-code, and printed by `ting demo`.
  int used = 0, shown = 0, k = 0;
  for (const auto& c : codes["codes"]) {
    if (k++ % 4 != 0) continue;
    if (shown < 2 && k % 5 == 0) {
      demo.logins.push_back({"voting code", c["name"].get<std::string>() + " (" + c["district"].get<std::string>() + ")", c["code"]});
      ++shown;
      continue;
    }
    TING_ASSIGN_OR_RETURN(json session, demo.Call("POST", "/api/v1/code-session", "", json{{"code", c["code"]}}, 200));
    if (session["budgets"].empty() || used >= 60) continue;
    const std::string budget = session["budgets"][0];
    TING_RETURN_IF_ERROR(StatusOf(demo.Call("PUT", p26 + budget + "/ballot", session["token"], ballot_for(budget, used), 200)));
    ++used;
  }
  // The library's desk: paper ballots for people in the register; the first replaces the online
  // ballot resident 12 cast.
  for (int i : {12, 120, 124, 128, 131, 135, 139, 142, 146, 150}) {
    const std::string budget = budgets[i % 3];
    json paper = ballot_for(budget, i);
    paper["person_id"] = demo.person_ids[i];
    TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", p26 + budget + "/paper-ballots", demo.tokens["staff"], paper, 201)));
  }
  // At the desk, staff open the ballot on a tablet for three people (a desk session, as the desk
  // page's button makes).
  {
    TING_ASSIGN_OR_RETURN(const core::Organisation org, demo.Organisation());
    const int64_t org_id = org.id;
    VoterDirectory voters(demo.db, demo.env);
    RegisterStore store(demo.db, demo.env);
    TING_ASSIGN_OR_RETURN(auto found, ProcessStore(demo.db, demo.env).FindFresh(org_id, "medborgarbudget-2026"));
    for (int i : {160, 161, 162}) {
      TING_ASSIGN_OR_RETURN(auto person, store.FindByPersonId(org_id, demo.person_ids[i]));
      if (!person || !found) return Error::NotFound("the demo's register person " + demo.person_ids[i] + " is missing");
      VoterSession desk{VoterSession::Kind::kDesk, 0, person->id, found->id, demo.env.NowSeconds() + 600};
      TING_RETURN_IF_ERROR(StatusOf(demo.Call("PUT", p26 + budgets[i % 3] + "/ballot", voters.Token(desk), ballot_for(budgets[i % 3], i), 200)));
    }
  }
  // An open event: a pile of anonymous paper ballots, entered by two staff who agree.
  json batch = {{"batch", "Torgdagen-1"}, {"ballots", json::array()}};
  for (int n = 0; n < 12; ++n) batch["ballots"].push_back(ballot_for("norr", n));
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", p26 + "norr/paper-batches", demo.tokens["staff"], batch, 202)));
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", p26 + "norr/paper-batches", demo.tokens["manager"], batch, 201)));
  return {};
}

}  // namespace ting::components
