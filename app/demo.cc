#include "demo.h"

#include "ting/core/accounts.h"

namespace ting::app {

Result<std::vector<DemoAccount>> FillDemo(db::Database& db) {
  core::Organisations orgs(db);
  core::Accounts accounts(db);
  auto existing = orgs.All();
  if (!existing.ok()) return existing.error();
  for (const auto& o : *existing)
    if (o.slug == "solbacka") return Error::Exists("the database already has the demo organisation");
  TING_ASSIGN_OR_RETURN(auto org, orgs.Create("solbacka", "Solbacka kommun", ""));

  const std::vector<std::tuple<core::Role, std::string, std::string, std::string>> people = {
      {core::Role::kAdmin, "admin@solbacka.example", "Astrid Lindqvist", "demo-admin-2026"},
      {core::Role::kManager, "manager@solbacka.example", "Mohammed Hassan", "demo-manager-2026"},
      {core::Role::kReviewer, "reviewer@solbacka.example", "Eva Nilsson", "demo-reviewer-2026"},
      {core::Role::kModerator, "moderator@solbacka.example", "Johan Berg", "demo-moderator-2026"},
      {core::Role::kStaff, "staff@solbacka.example", "Fatima Ali", "demo-staff-2026"},
  };
  std::vector<DemoAccount> out;
  for (const auto& [role, email, name, password] : people) {
    TING_ASSIGN_OR_RETURN(auto user, accounts.Register(email, password, name, "sv"));
    TING_RETURN_IF_ERROR(accounts.Grant(org.id, user.id, role));
    out.push_back({core::RoleName(role), email, password});
  }
  const std::vector<std::pair<std::string, std::string>> residents = {
      {"Sara Ahmed", "sara@solbacka.example"}, {"Lars Svensson", "lars@solbacka.example"},
      {"Amina Warsame", "amina@solbacka.example"}, {"Elsa Johansson", "elsa@solbacka.example"}};
  for (const auto& [name, email] : residents) {
    TING_ASSIGN_OR_RETURN(auto user, accounts.Register(email, "demo-resident-2026", name, "sv"));
    (void)user;
  }
  out.push_back({"resident", "sara@solbacka.example", "demo-resident-2026"});
  return out;
}

}  // namespace ting::app
