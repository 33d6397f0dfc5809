// Seeds a database for the ballot and proposal-page benchmarks: a process in its voting phase
// with two budgets of P reviewed proposals each (through the platform's own API) and V voters
// with API tokens. Budget "b" is for residents in the register (two districts, 12 and over), and
// every voter's account is verified as a register person; budget "o" is open to any account. The
// projects file has b's project ids on its first line and o's on its second.
//
//   ballot_seed --db PATH --voters V --proposals P --tokens FILE --projects FILE

#include <fstream>
#include <iostream>

#include "commands.h"
#include "components.h"
#include "database.h"
#include "flags.h"
#include "ting/core/accounts.h"
#include "ting/web/inprocess_client.h"
#include "ting/web/site.h"

using namespace ting;
using json = nlohmann::json;

static int Fail(const std::string& message) {
  std::cerr << "ballot_seed: " << message << "\n";
  return 1;
}

int main(int argc, char** argv) {
  auto flags = app::Flags::Parse(app::Args(argv + 1, argv + argc), {{"db", "voters", "proposals", "tokens", "projects"}, {}});
  if (!flags.ok() || !flags->Get("db") || !flags->Get("tokens") || !flags->Get("projects"))
    return Fail("usage: ballot_seed --db PATH --voters V --proposals P --tokens FILE --projects FILE");
  int voters = std::stoi(flags->GetOr("voters", "10000"));
  int proposals = std::stoi(flags->GetOr("proposals", "120"));
  auto db = app::OpenDatabase(*flags->Get("db"));
  if (!db.ok()) return Fail(db.error().message);
  core::Organisations orgs(**db);
  core::Accounts accounts(**db);
  core::Sessions sessions(**db);
  auto org = orgs.Create("bench", "Bänkstad", "");
  auto hash = core::HashPassword("bench password 1");
  if (!org.ok() || !hash.ok()) return Fail("cannot create the organisation");
  auto manager = accounts.RegisterHashed("manager@bench.example", "Manager", "sv", *hash);
  if (!manager.ok()) return Fail(manager.error().message);
  for (auto role : {core::Role::kAdmin, core::Role::kManager, core::Role::kReviewer}) (void)accounts.Grant(org->id, manager->id, role);
  auto token = sessions.Create(manager->id, core::SessionKind::kApi);

  auto platform = app::MountPlatform(**db, Env::Default());
  if (!platform.ok()) return Fail(platform.error().message);
  web::InProcessClient api(platform->site->Handler());
  auto call = [&](const std::string& m, const std::string& p, const json& b, int expect) {
    auto r = api.Call(m, p, *token, b, expect);
    if (!r.ok()) {
      std::cerr << "ballot_seed: " << r.error().message << "\n";
      std::exit(1);
    }
    return *r;
  };
  call("POST", "/api/v1/processes",
       json{{"slug", "bench"}, {"title", {{"sv", "Medborgarbudget (mätning)"}, {"en", "Citizens' budget (benchmark)"}}}, {"phase", "proposals"},
            {"budgets", json::array({{{"slug", "b"}, {"name", "Hela staden"}, {"amount", int64_t{2000000000}}, {"ballot", {{"type", "approval"}, {"max", 5}}},
                                      {"rule", "greedy"}, {"eligibility", {{"register", true}, {"districts", {"norr", "söder"}}, {"min_age", 12}}}},
                                     {{"slug", "o"}, {"name", "Öppen"}, {"amount", int64_t{2000000000}}, {"ballot", {{"type", "approval"}, {"max", 5}}},
                                      {"rule", "greedy"}}})}},
       201);
  std::vector<int64_t> ids, open_ids;
  for (int i = 0; i < 2 * proposals; ++i) {
    const bool open = i >= proposals;
    auto p = call("POST", "/api/v1/processes/bench/proposals",
                  json{{"title", "Förslag nummer " + std::to_string(i + 1) + ": fler träd och bänkar i kvarteret"},
                       {"body", "En **beskrivning** av förslaget, med tillräckligt mycket text för att likna ett riktigt förslag i en medborgarbudget."},
                       {"budget", open ? "o" : "b"}, {"cost", int64_t{1000000} + (i % proposals) * 25000}, {"category", i % 2 ? "Park och natur" : "Trygghet"}},
                  201);
    (open ? open_ids : ids).push_back(p["id"].get<int64_t>());
  }
  call("PATCH", "/api/v1/processes/bench", json{{"phase", "review"}}, 200);
  for (int64_t id : ids) call("POST", "/api/v1/proposals/" + std::to_string(id) + "/review", json{{"feasible", true}, {"explanation", "Genomförbart."}}, 200);
  for (int64_t id : open_ids)
    call("POST", "/api/v1/proposals/" + std::to_string(id) + "/review", json{{"feasible", true}, {"explanation", "Genomförbart."}}, 200);
  call("PATCH", "/api/v1/processes/bench", json{{"phase", "voting"}}, 200);

  std::ofstream tokens(*flags->Get("tokens"));
  for (int v = 0; v < voters; ++v) {
    auto u = accounts.RegisterHashed("voter" + std::to_string(v) + "@bench.example", "Väljare " + std::to_string(v), "sv", *hash);
    if (!u.ok()) return Fail(u.error().message);
    auto t = sessions.Create(u->id, core::SessionKind::kApi);
    if (!t.ok()) return Fail(t.error().message);
    tokens << *t << "\n";
  }
  // The register: one person a voter, through the register's own API (CSV).
  std::string csv = "person_id;name;district;birth_date\n";
  for (int v = 0; v < voters; ++v) csv += "P" + std::to_string(v) + ";voter" + std::to_string(v) + "@bench.example;" + (v % 2 ? "norr" : "söder") + ";1980-01-01\n";
  auto imported = api.CallText("POST", "/api/v1/register", *token, "text/csv", csv, 200);
  if (!imported.ok()) return Fail(imported.error().message);
  // Every voter's account verified as their person, in one transaction (as the staff desk would,
  // one at a time). The register's names are the accounts' emails here, for this join only.
  auto linked = (*db)->Write([&](db::Connection& c) -> Status {
    return StatusOf(c.Exec("INSERT INTO resident_accounts(resident_id, organisation_id, account_id, verified_by, verified_at) "
                           "SELECT r.id, r.organisation_id, u.id, 'desk', 0 FROM residents r JOIN users u ON u.email = r.name WHERE r.organisation_id = ?",
                           {org->id}));
  });
  if (!linked.ok()) return Fail(linked.error().message);
  std::ofstream projects(*flags->Get("projects"));
  for (size_t i = 0; i < ids.size(); ++i) projects << (i ? "," : "") << ids[i];
  projects << "\n";
  for (size_t i = 0; i < open_ids.size(); ++i) projects << (i ? "," : "") << open_ids[i];
  projects << "\n";
  std::cerr << "ballot_seed: " << proposals << " projects, " << voters << " voters\n";
  return 0;
}
