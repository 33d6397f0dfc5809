// The demo's proposals: six for 2025, reviewed and put to the vote; fifteen for 2026 in every
// state (withdrawn, merged, infeasible, to be revised, unreviewed, feasible), and one from a
// school class (a verified group) with a co-author; then voting opens.

#include <string>
#include <vector>

#include "proposal_store.h"

namespace ting::components {

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

const std::vector<std::pair<std::string, int64_t>> kIdeas2025 = {
    {"Nya gungor på Solbackens lekplats", 35000000}, {"Trygg övergång vid Storgatan", 60000000}, {"Läxhjälp på fritidsgården", 25000000},
    {"Fruktträd i Ekparken", 15000000}, {"Scen för evenemang på torget", 90000000}, {"Belysta spontanidrottsplatser", 70000000}};

constexpr const char* kGroupProposal = "Pingisbord och bänkar i Centrumparken";

// A school class as a verified group: the teacher (Lars) starts it and invites by a link, a
// pupil's parent (Sara) joins; the class proposes in its name with Sara as co-author.
Status SeedGroup(web::Demo& demo) {
  const std::string& teacher = demo.residents[1];
  const std::string& sara = demo.residents[0];
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", "/api/v1/groups", teacher,
                                          json{{"name", "Klass 8B, Solbackaskolan"}, {"slug", "klass-8b-solbackaskolan"},
                                               {"description", "Vi är 26 elever i årskurs 8 på Solbackaskolan, med vår mentor och några föräldrar."}},
                                          201)));
  TING_ASSIGN_OR_RETURN(json invitation, demo.Call("POST", "/api/v1/groups/klass-8b-solbackaskolan/invitations", teacher, json::object(), 201));
  const std::string link = invitation["link"].get<std::string>();
  const std::string token = link.substr(link.rfind('/') + 1);
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", "/api/v1/groups/invitations/" + token + "/accept", sara, json::object(), 200)));
  TING_ASSIGN_OR_RETURN(json me, demo.Call("GET", "/api/v1/me", sara, json(), 200));
  TING_ASSIGN_OR_RETURN(
      json r, demo.Call("POST", "/api/v1/processes/medborgarbudget-2026/proposals", teacher,
                        json{{"title", kGroupProposal},
                             {"body", "Vi i klass 8B vill ha två **pingisbord** i betong och bänkar runt dem i Centrumparken, där många unga träffas efter "
                                      "skolan. Vi frågade 60 elever på skolan: 48 skulle spela varje vecka."},
                             {"budget", "centrum"}, {"cost", 9000000}, {"category", "Barn och unga"},
                             {"group", "klass-8b-solbackaskolan"}, {"co_authors", json::array({me["id"]})}},
                        201));
  demo.ids[kGroupProposal] = r["id"].get<int64_t>();
  return StatusOf(demo.Call("POST", "/api/v1/groups/klass-8b-solbackaskolan/verify", demo.tokens["manager"], json::object(), 200));
}

}  // namespace

Status SeedProposals(web::Demo& demo) {
  const std::string& manager = demo.tokens["manager"];
  const std::string& reviewer = demo.tokens["reviewer"];
  auto review = [&](int64_t id, const json& body) {
    return StatusOf(demo.Call("POST", "/api/v1/proposals/" + std::to_string(id) + "/review", reviewer, body, 200));
  };

  // 2025: six ideas, all feasible, then the vote opens.
  for (size_t i = 0; i < kIdeas2025.size(); ++i) {
    TING_ASSIGN_OR_RETURN(json r, demo.Call("POST", "/api/v1/processes/medborgarbudget-2025/proposals", demo.residents[i],
                                            json{{"title", kIdeas2025[i].first}, {"body", "Förslag från en invånare i Solbacka."},
                                                 {"budget", "hela-solbacka"}, {"cost", kIdeas2025[i].second}, {"category", "Närmiljö"}},
                                            201));
    demo.ids[kIdeas2025[i].first] = r["id"].get<int64_t>();
  }
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("PATCH", "/api/v1/processes/medborgarbudget-2025", manager, json{{"phase", "review"}}, 200)));
  for (const auto& [title, cost] : kIdeas2025)
    TING_RETURN_IF_ERROR(review(demo.ids[title], json{{"feasible", true}, {"cost", cost}, {"explanation", "Genomförbart inom kommunens ansvar."}}));
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("PATCH", "/api/v1/processes/medborgarbudget-2025", manager, json{{"phase", "voting"}}, 200)));

  // 2026: proposals in every state.
  for (size_t i = 0; i < kProposals2026.size(); ++i) {
    const auto& s = kProposals2026[i];
    TING_ASSIGN_OR_RETURN(json r, demo.Call("POST", "/api/v1/processes/medborgarbudget-2026/proposals", demo.residents[i % 12],
                                            json{{"title", s.title}, {"body", s.body}, {"budget", s.budget}, {"cost", s.kronor * 100},
                                                 {"category", s.category}},
                                            201));
    demo.ids[s.title] = r["id"].get<int64_t>();
  }
  auto id = [&](const char* title) { return std::to_string(demo.ids[title]); };
  TING_RETURN_IF_ERROR(SeedGroup(demo));
  // A proposer writes in her own language; the proposal says so and waits for review.
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", "/api/v1/processes/medborgarbudget-2026/proposals", demo.residents[4],
                                          json{{"title", "حديقة مشتركة خلف المكتبة"},
                                               {"body", "نقترح حديقة صغيرة مشتركة خلف المكتبة، فيها أحواض للخضار وطاولات، يزرع فيها الجيران معاً ويتعرفون على بعضهم."},
                                               {"budget", "norr"}, {"cost", 6000000}, {"category", "Närmiljö"}, {"language", "ar"}},
                                          201)));
  // One proposer withdraws; the rest go to review.
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", "/api/v1/proposals/" + id("Hundrastgård i Norrparken") + "/withdraw", demo.residents[3], json::object(), 200)));
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("PATCH", "/api/v1/processes/medborgarbudget-2026", manager, json{{"phase", "review"}}, 200)));
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", "/api/v1/proposals/" + id("Fler bänkar runt torget") + "/merge", reviewer,
                                          json{{"into", demo.ids["Fler bänkar på torget"]}}, 200)));
  TING_RETURN_IF_ERROR(review(demo.ids["Konstgräsplan vid Norrskolan"],
                              json{{"feasible", false}, {"explanation", "En konstgräsplan kostar omkring 4,2 miljoner kronor, mer än hela budgeten för Norr (1,5 miljoner). Idrottsförvaltningen tar med förslaget i sin planering."}}));
  TING_RETURN_IF_ERROR(review(demo.ids["Ny simhall"],
                              json{{"feasible", false}, {"explanation", "En simhall ryms inte i medborgarbudgeten och beslutas av kommunfullmäktige. Förslaget är skickat vidare till fritidsnämnden."}}));
  TING_RETURN_IF_ERROR(review(demo.ids["Gratis wifi i biblioteket och på torget"],
                              json{{"action", "revise"}, {"explanation", "Wifi på torget kräver el i belysningsstolparna. Kan du begränsa förslaget till biblioteket och entrén?"}}));
  TING_RETURN_IF_ERROR(review(demo.ids[kGroupProposal],
                              json{{"feasible", true}, {"cost", 8500000}, {"explanation", "Genomförbart. Parkförvaltningen placerar borden nära lekplatsen."}}));
  for (const auto& s : kProposals2026) {
    std::string t = s.title;
    if (t == "Hundrastgård i Norrparken" || t == "Fler bänkar runt torget" || t == "Konstgräsplan vid Norrskolan" || t == "Ny simhall" ||
        t == "Gratis wifi i biblioteket och på torget" || t == "Språkcafé på biblioteket")
      continue;  // the last one stays unreviewed: "submitted"
    int64_t cost = s.kronor * 100;
    if (t == "Belysning längs gångvägen till skolan") cost = 42000000;  // the official estimate differs from the proposer's
    TING_RETURN_IF_ERROR(review(demo.ids[t], json{{"feasible", true}, {"cost", cost}, {"explanation", "Genomförbart. Kostnaden är bedömd av tekniska förvaltningen."}}));
  }
  return StatusOf(demo.Call("PATCH", "/api/v1/processes/medborgarbudget-2026", manager, json{{"phase", "voting"}}, 200));
}

}  // namespace ting::components
