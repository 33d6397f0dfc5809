#include "demo.h"

#include <iostream>
#include <random>

#include <nlohmann/json.hpp>

#include "components.h"
#include "ting/core/accounts.h"
#include "ting/web/inprocess_client.h"
#include "ting/web/site.h"

namespace ting::app {

using json = nlohmann::json;

namespace {

struct ProposalSeed {
  const char* budget;
  const char* title;
  const char* body;
  const char* category;
  int64_t kronor;
};

// Solbacka's ideas, in the words residents use.
const std::vector<ProposalSeed> kProposals2026 = {
    {"norr", "Utegym vid Norrskogens motionsspår", "Ett enkelt **utegym** med räckhäck, dipsställning och bänkar vid starten av motionsspåret. Gratis träning för alla åldrar.", "Idrott och hälsa", 450000},
    {"norr", "Belysning längs gångvägen till skolan", "Gångvägen mellan Björkvägen och Norrskolan är mörk på vintern. Barn och föräldrar känner sig otrygga. Vi föreslår **LED-belysning** längs hela sträckan.", "Trygghet", 380000},
    {"norr", "Odlingslotter för alla", "Tjugo pallkragar med bevattning på gräsytan bakom biblioteket, som grannar kan boka en säsong i taget.", "Miljö", 150000},
    {"norr", "Hundrastgård i Norrparken", "En inhägnad hundrastgård med dubbla grindar, soptunnor och bänkar.", "Park och natur", 260000},
    {"norr", "Konstgräsplan vid Norrskolan", "En fullstor konstgräsplan ersätter grusplanen.", "Idrott och hälsa", 4200000},
    {"centrum", "Fler bänkar på torget", "Äldre behöver kunna vila på vägen till vårdcentralen. Tio nya bänkar med armstöd runt torget.", "Tillgänglighet", 120000},
    {"centrum", "Lekplats med tema rymden", "Lekplatsen vid Centrumparken är sliten. En ny lekplats med rymdtema, tillgänglig även för barn som använder rullstol.", "Barn och unga", 650000},
    {"centrum", "Gratis wifi i biblioteket och på torget", "Alla har inte råd med mobildata. Öppet wifi gör det lättare att söka jobb och göra läxor.", "Digitalt", 90000},
    {"centrum", "Sommarbio i parken", "Sex utomhusvisningar under sommarlovet, med textade filmer på flera språk.", "Kultur", 140000},
    {"centrum", "Fler bänkar runt torget", "Sittplatser vid torget, gärna med ryggstöd.", "Tillgänglighet", 100000},
    {"soder", "Mötesplats för unga i Söderhallen", "En kvällsöppen mötesplats med fritidsledare, spel och läxhjälp, tre kvällar i veckan under ett år.", "Barn och unga", 300000},
    {"soder", "Cykelpump och lagningsstation", "Två cykelservicestationer med pump och verktyg vid pendeltågsstationen och vid Söderskolan.", "Trafik", 60000},
    {"soder", "Blomsteräng i stället för gräsmatta", "Gör om delar av gräsmattorna i Söderparken till blomsterängar för pollinerare.", "Miljö", 80000},
    {"soder", "Ny simhall", "Bygg en ny simhall i Söder.", "Idrott och hälsa", 95000000},
    {"soder", "Språkcafé på biblioteket", "Ett språkcafé varje vecka där nyanlända och andra kan öva svenska tillsammans med volontärer.", "Kultur", 70000},
};

}  // namespace

Result<std::vector<DemoAccount>> FillDemo(db::Database& db) {
  core::Organisations orgs(db);
  core::Accounts accounts(db);
  core::Sessions sessions(db);
  auto existing = orgs.All();
  if (!existing.ok()) return existing.error();
  for (const auto& o : *existing)
    if (o.slug == "solbacka") return Error::Exists("the database already has the demo organisation");
  TING_ASSIGN_OR_RETURN(auto org, orgs.Create("solbacka", "Solbacka kommun", ""));

  const std::vector<std::tuple<core::Role, std::string, std::string, std::string>> staff = {
      {core::Role::kAdmin, "admin@solbacka.example", "Astrid Lindqvist", "demo-admin-2026"},
      {core::Role::kManager, "manager@solbacka.example", "Mohammed Hassan", "demo-manager-2026"},
      {core::Role::kReviewer, "reviewer@solbacka.example", "Eva Nilsson", "demo-reviewer-2026"},
      {core::Role::kModerator, "moderator@solbacka.example", "Johan Berg", "demo-moderator-2026"},
      {core::Role::kStaff, "staff@solbacka.example", "Fatima Ali", "demo-staff-2026"},
  };
  std::vector<DemoAccount> out;
  std::map<std::string, std::string> tokens;
  for (const auto& [role, email, name, password] : staff) {
    TING_ASSIGN_OR_RETURN(auto user, accounts.Register(email, password, name, "sv"));
    TING_RETURN_IF_ERROR(accounts.Grant(org.id, user.id, role));
    TING_ASSIGN_OR_RETURN(tokens[core::RoleName(role)], sessions.Create(user.id, core::SessionKind::kApi));
    out.push_back({core::RoleName(role), email, password});
  }
  // Residents: a few named ones and a crowd of voters. They share one password hash, so the
  // demo does not spend seconds on Argon2id.
  const std::vector<std::string> names = {"Sara Ahmed", "Lars Svensson", "Amina Warsame", "Elsa Johansson", "Ali Rezaei", "Maja Karlsson",
                                          "Hassan Mohamed", "Ingrid Olsson", "Yonas Tesfay", "Linnea Persson", "Omar Haddad", "Karin Eriksson"};
  std::vector<std::string> resident_tokens;
  TING_ASSIGN_OR_RETURN(std::string shared_hash, core::HashPassword("demo-resident-2026"));
  for (int i = 0; i < 48; ++i) {
    std::string name = i < static_cast<int>(names.size()) ? names[i] : "Invånare " + std::to_string(i + 1);
    std::string email = i == 0 ? "sara@solbacka.example" : "resident" + std::to_string(i + 1) + "@solbacka.example";
    TING_ASSIGN_OR_RETURN(auto resident, accounts.RegisterHashed(email, name, "sv", shared_hash));
    TING_ASSIGN_OR_RETURN(std::string token, sessions.Create(resident.id, core::SessionKind::kApi));
    resident_tokens.push_back(token);
  }
  out.push_back({"resident", "sara@solbacka.example", "demo-resident-2026"});

  TING_ASSIGN_OR_RETURN(auto platform, MountPlatform(db, Env::Default()));
  web::InProcessClient api(platform.site->Handler());
  auto Do = [&](const std::string& method, const std::string& path, const std::string& token, const json& body, int expected) -> Status {
    auto r = api.Call(method, path, token, body, expected);
    return r.ok() ? Status() : Status(r.error().At("ting demo"));
  };
  const std::string& manager = tokens["manager"];
  const std::string& reviewer = tokens["reviewer"];

  // --- Medborgarbudget 2025: counted, and its projects are being carried out. ---
  json p2025 = {{"slug", "medborgarbudget-2025"},
                {"title", {{"sv", "Medborgarbudget 2025"}, {"en", "Citizens' budget 2025"}}},
                {"description", {{"sv", "Förra årets medborgarbudget: 2 miljoner kronor som invånarna fördelade. Här kan du följa hur projekten genomförs."},
                                 {"en", "Last year's citizens' budget: 2 million kronor that residents allocated. Follow how the projects are carried out."}}},
                {"phase", "proposals"},
                {"phases", json::array({{{"phase", "information"}, {"start", "2025-01-15"}}, {{"phase", "proposals"}, {"start", "2025-02-01"}, {"end", "2025-03-15"}},
                                        {{"phase", "review"}, {"start", "2025-03-16"}, {"end", "2025-04-30"}}, {{"phase", "voting"}, {"start", "2025-05-01"}, {"end", "2025-05-31"}},
                                        {{"phase", "results"}, {"start", "2025-06-10"}}, {{"phase", "followup"}, {"start", "2025-08-01"}}})},
                {"budgets", json::array({{{"slug", "hela-solbacka"}, {"name", {{"sv", "Hela Solbacka"}, {"en", "All of Solbacka"}}}, {"amount", 200000000},
                                          {"currency", "SEK"}, {"ballot", {{"type", "approval"}, {"max", 3}}}, {"rule", "greedy"}}})}};
  TING_RETURN_IF_ERROR(Do("POST", "/api/v1/processes", manager, p2025, 201));
  const std::vector<std::pair<std::string, int64_t>> ideas2025 = {
      {"Nya gungor på Solbackens lekplats", 35000000}, {"Trygg övergång vid Storgatan", 60000000}, {"Läxhjälp på fritidsgården", 25000000},
      {"Fruktträd i Ekparken", 15000000}, {"Scen för evenemang på torget", 90000000}, {"Belysta spontanidrottsplatser", 70000000}};
  std::vector<int64_t> ids2025;
  for (size_t i = 0; i < ideas2025.size(); ++i) {
    auto r = api.Call("POST", "/api/v1/processes/medborgarbudget-2025/proposals", resident_tokens[i],
                      json{{"title", ideas2025[i].first}, {"body", "Förslag från en invånare i Solbacka."}, {"budget", "hela-solbacka"},
                           {"cost", ideas2025[i].second}, {"category", "Närmiljö"}},
                      201);
    if (!r.ok()) return r.error();
    ids2025.push_back((*r)["id"].get<int64_t>());
  }
  TING_RETURN_IF_ERROR(Do("PATCH", "/api/v1/processes/medborgarbudget-2025", manager, json{{"phase", "review"}}, 200));
  for (size_t i = 0; i < ids2025.size(); ++i) {
    auto r = api.Call("POST", "/api/v1/proposals/" + std::to_string(ids2025[i]) + "/review", reviewer,
                      json{{"feasible", true}, {"cost", ideas2025[i].second}, {"explanation", "Genomförbart inom kommunens ansvar."}}, 200);
    if (!r.ok()) return r.error();
  }
  TING_RETURN_IF_ERROR(Do("PATCH", "/api/v1/processes/medborgarbudget-2025", manager, json{{"phase", "voting"}}, 200));
  std::mt19937 rng(2025);
  const std::vector<int> popularity = {9, 8, 6, 5, 3, 4};  // relative weights of the six ideas
  for (size_t v = 0; v < resident_tokens.size(); ++v) {
    std::vector<int64_t> chosen;
    std::discrete_distribution<int> pick(popularity.begin(), popularity.end());
    for (int k = 0; k < 3 && chosen.size() < 3; ++k) {
      int64_t id = ids2025[pick(rng)];
      if (std::find(chosen.begin(), chosen.end(), id) == chosen.end()) chosen.push_back(id);
    }
    auto r = api.Call("PUT", "/api/v1/processes/medborgarbudget-2025/budgets/hela-solbacka/ballot", resident_tokens[v], json{{"projects", chosen}}, 200);
    if (!r.ok()) return r.error();
  }
  TING_RETURN_IF_ERROR(Do("PATCH", "/api/v1/processes/medborgarbudget-2025", manager, json{{"phase", "auto"}}, 200));
  auto counted = api.Call("POST", "/api/v1/processes/medborgarbudget-2025/budgets/hela-solbacka/count", manager, json::object(), 200);
  if (!counted.ok()) return counted.error();
  const std::vector<std::tuple<std::string, int, std::string>> progress = {
      {"done", 100, "Gungorna är på plats och invigdes med korv och saft i september."},
      {"in_progress", 60, "Upphandlingen är klar. Bygget av övergången börjar i oktober."},
      {"planned", 10, "Vi har pratat med fritidsgården om hur läxhjälpen ska läggas upp."}};
  size_t n = 0;
  for (const auto& id : (*counted)["selected"]) {
    const auto& [status, pct, text] = progress[n++ % progress.size()];
    auto r = api.Call("POST", "/api/v1/processes/medborgarbudget-2025/followup/" + std::to_string(id.get<int64_t>()), manager,
                      json{{"status", status}, {"progress", pct}, {"update", text}}, 200);
    if (!r.ok()) return r.error();
  }

  // --- Medborgarbudget 2026: open for voting, with proposals in every state. ---
  json p2026 = {{"slug", "medborgarbudget-2026"},
                {"title", {{"sv", "Medborgarbudget 2026"}, {"en", "Citizens' budget 2026"}}},
                {"description", {{"sv", "Solbacka kommun avsätter **3,1 miljoner kronor** till idéer från invånarna i tre stadsdelar. Alla som bor i Solbacka kan lämna förslag; alla från 12 år får rösta."},
                                 {"en", "Solbacka municipality sets aside **3.1 million kronor** for residents' ideas in three districts. Everyone living in Solbacka may propose; everyone aged 12 and over may vote."}}},
                {"phase", "proposals"},
                {"budgets", json::array({
                    {{"slug", "norr"}, {"name", {{"sv", "Norr"}, {"en", "North"}}}, {"amount", 150000000}, {"currency", "SEK"}, {"ballot", {{"type", "approval"}, {"max", 3}}}, {"rule", "greedy"}},
                    {{"slug", "centrum"}, {"name", {{"sv", "Centrum"}, {"en", "Centre"}}}, {"amount", 80000000}, {"currency", "SEK"}, {"ballot", {{"type", "knapsack"}}}, {"rule", "mes"}},
                    {{"slug", "soder"}, {"name", {{"sv", "Söder"}, {"en", "South"}}}, {"amount", 80000000}, {"currency", "SEK"}, {"ballot", {{"type", "cumulative"}, {"points", 10}}}, {"rule", "mes"}}})}};
  TING_RETURN_IF_ERROR(Do("POST", "/api/v1/processes", manager, p2026, 201));
  std::vector<int64_t> ids;
  for (size_t i = 0; i < kProposals2026.size(); ++i) {
    const auto& s = kProposals2026[i];
    auto r = api.Call("POST", "/api/v1/processes/medborgarbudget-2026/proposals", resident_tokens[i % 12],
                      json{{"title", s.title}, {"body", s.body}, {"budget", s.budget}, {"cost", s.kronor * 100}, {"category", s.category}}, 201);
    if (!r.ok()) return r.error();
    ids.push_back((*r)["id"].get<int64_t>());
  }
  auto id_of = [&](const char* title) {
    for (size_t i = 0; i < kProposals2026.size(); ++i)
      if (std::string(kProposals2026[i].title) == title) return ids[i];
    return int64_t{0};
  };
  // One proposer withdraws; the rest go to review.
  TING_RETURN_IF_ERROR(Do("POST", "/api/v1/proposals/" + std::to_string(id_of("Hundrastgård i Norrparken")) + "/withdraw", resident_tokens[3], json::object(), 200));
  TING_RETURN_IF_ERROR(Do("PATCH", "/api/v1/processes/medborgarbudget-2026", manager, json{{"phase", "review"}}, 200));
  TING_RETURN_IF_ERROR(Do("POST", "/api/v1/proposals/" + std::to_string(id_of("Fler bänkar runt torget")) + "/merge", reviewer,
                                json{{"into", id_of("Fler bänkar på torget")}}, 200));
  TING_RETURN_IF_ERROR(Do("POST", "/api/v1/proposals/" + std::to_string(id_of("Konstgräsplan vid Norrskolan")) + "/review", reviewer,
                                json{{"feasible", false}, {"explanation", "En konstgräsplan kostar omkring 4,2 miljoner kronor, mer än hela budgeten för Norr (1,5 miljoner). Idrottsförvaltningen tar med förslaget i sin planering."}}, 200));
  TING_RETURN_IF_ERROR(Do("POST", "/api/v1/proposals/" + std::to_string(id_of("Ny simhall")) + "/review", reviewer,
                                json{{"feasible", false}, {"explanation", "En simhall ryms inte i medborgarbudgeten och beslutas av kommunfullmäktige. Förslaget är skickat vidare till fritidsnämnden."}}, 200));
  TING_RETURN_IF_ERROR(Do("POST", "/api/v1/proposals/" + std::to_string(id_of("Gratis wifi i biblioteket och på torget")) + "/review", reviewer,
                                json{{"action", "revise"}, {"explanation", "Wifi på torget kräver el i belysningsstolparna. Kan du begränsa förslaget till biblioteket och entrén?"}}, 200));
  for (size_t i = 0; i < kProposals2026.size(); ++i) {
    std::string t = kProposals2026[i].title;
    if (t == "Hundrastgård i Norrparken" || t == "Fler bänkar runt torget" || t == "Konstgräsplan vid Norrskolan" || t == "Ny simhall" ||
        t == "Gratis wifi i biblioteket och på torget" || t == "Språkcafé på biblioteket")
      continue;  // the last one stays unreviewed: "submitted"
    int64_t cost = kProposals2026[i].kronor * 100;
    if (t == "Belysning längs gångvägen till skolan") cost = 42000000;  // the official estimate differs from the proposer's
    auto r = api.Call("POST", "/api/v1/proposals/" + std::to_string(ids[i]) + "/review", reviewer,
                      json{{"feasible", true}, {"cost", cost}, {"explanation", "Genomförbart. Kostnaden är bedömd av tekniska förvaltningen."}}, 200);
    if (!r.ok()) return r.error();
  }
  TING_RETURN_IF_ERROR(Do("PATCH", "/api/v1/processes/medborgarbudget-2026", manager, json{{"phase", "voting"}}, 200));
  // Some early ballots.
  for (int v = 12; v < 36; ++v) {
    auto norr = api.Call("PUT", "/api/v1/processes/medborgarbudget-2026/budgets/norr/ballot", resident_tokens[v],
                         json{{"projects", {id_of("Belysning längs gångvägen till skolan"), v % 2 ? id_of("Utegym vid Norrskogens motionsspår") : id_of("Odlingslotter för alla")}}}, 200);
    if (!norr.ok()) return norr.error();
    auto soder = api.Call("PUT", "/api/v1/processes/medborgarbudget-2026/budgets/soder/ballot", resident_tokens[v],
                          json{{"points", {{std::to_string(id_of("Mötesplats för unga i Söderhallen")), 6}, {std::to_string(v % 3 ? id_of("Blomsteräng i stället för gräsmatta") : id_of("Cykelpump och lagningsstation")), 4}}}}, 200);
    if (!soder.ok()) return soder.error();
    if (v % 4 == 0) {
      auto centrum = api.Call("PUT", "/api/v1/processes/medborgarbudget-2026/budgets/centrum/ballot", resident_tokens[v],
                              json{{"projects", {id_of("Lekplats med tema rymden"), id_of("Sommarbio i parken")}}}, 200);
      if (!centrum.ok()) return centrum.error();
    }
  }
  return out;
}

}  // namespace ting::app
