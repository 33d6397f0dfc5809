// The demo's organisation and people: Solbacka kommun, its staff (one per role) and 48 residents.

#include "ting/html/catalog.h"
#include "accounts_internal.h"
#include "ting/core/accounts.h"

namespace ting::components {

Status SeedAccounts(web::Demo& demo) {
  core::Organisations orgs(demo.db, demo.env);
  core::Accounts accounts(demo.db, demo.env);
  core::Sessions sessions(demo.db, demo.env);
  TING_ASSIGN_OR_RETURN(auto existing, orgs.All());
  for (const auto& o : existing)
    if (o.slug == "solbacka") return Error::Exists("the database already has the demo organisation");
  TING_ASSIGN_OR_RETURN(auto org, orgs.Create("solbacka", "Solbacka kommun", "", html::CatalogueLanguages()));

  const std::vector<std::tuple<core::Role, std::string, std::string, std::string>> staff = {
      {core::Role::kAdmin, "admin@solbacka.example", "Astrid Lindqvist", "demo-admin-2026"},
      {core::Role::kManager, "manager@solbacka.example", "Mohammed Hassan", "demo-manager-2026"},
      {core::Role::kReviewer, "reviewer@solbacka.example", "Eva Nilsson", "demo-reviewer-2026"},
      {core::Role::kModerator, "moderator@solbacka.example", "Johan Berg", "demo-moderator-2026"},
      {core::Role::kStaff, "staff@solbacka.example", "Fatima Ali", "demo-staff-2026"},
  };
  for (const auto& [role, email, name, password] : staff) {
    TING_ASSIGN_OR_RETURN(auto user, accounts.Register(email, password, name, "sv"));
    TING_RETURN_IF_ERROR(accounts.Grant(org.id, user.id, role));
    TING_ASSIGN_OR_RETURN(demo.tokens[core::RoleName(role)], sessions.Create(user.id, core::SessionKind::kApi));
    demo.logins.push_back({core::RoleName(role), email, password});
  }
  // Residents: a few named ones and a crowd of voters. They share one password hash, so the
  // demo does not spend seconds on Argon2id.
  const std::vector<std::string> names = {"Sara Ahmed", "Lars Svensson", "Amina Warsame", "Elsa Johansson", "Ali Rezaei", "Maja Karlsson",
                                          "Hassan Mohamed", "Ingrid Olsson", "Yonas Tesfay", "Linnea Persson", "Omar Haddad", "Karin Eriksson"};
  TING_ASSIGN_OR_RETURN(std::string shared_hash, core::HashPassword("demo-resident-2026"));
  for (int i = 0; i < 48; ++i) {
    std::string name = i < static_cast<int>(names.size()) ? names[i] : "Invånare " + std::to_string(i + 1);
    std::string email = i == 0 ? "sara@solbacka.example" : "resident" + std::to_string(i + 1) + "@solbacka.example";
    TING_ASSIGN_OR_RETURN(auto resident, accounts.RegisterHashed(email, name, "sv", shared_hash));
    TING_ASSIGN_OR_RETURN(std::string token, sessions.Create(resident.id, core::SessionKind::kApi));
    demo.residents.push_back(token);
  }
  demo.logins.push_back({"resident", "sara@solbacka.example", "demo-resident-2026"});
  // The demo's people have confirmed their addresses (mail to them waits in the outbox unless an
  // SMTP server is configured: .example addresses reach no one).
  return demo.db.Write([&](db::Connection& c) {
    return StatusOf(c.Exec("UPDATE users SET email_verified_at = ? WHERE email LIKE '%@solbacka.example'", {demo.env.NowSeconds()}));
  });
}

}  // namespace ting::components
