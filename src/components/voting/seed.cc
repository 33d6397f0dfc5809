// The demo's ballots: every resident voted in 2025 (then voting closed); some have voted in 2026.

#include <algorithm>
#include <random>

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

  // Some early ballots in 2026.
  auto id = [&](const char* title) { return demo.ids[title]; };
  for (int v = 12; v < 36; ++v) {
    const std::string& token = demo.residents[v];
    TING_RETURN_IF_ERROR(StatusOf(demo.Call(
        "PUT", "/api/v1/processes/medborgarbudget-2026/budgets/norr/ballot", token,
        json{{"projects", {id("Belysning längs gångvägen till skolan"), v % 2 ? id("Utegym vid Norrskogens motionsspår") : id("Odlingslotter för alla")}}},
        200)));
    TING_RETURN_IF_ERROR(StatusOf(demo.Call(
        "PUT", "/api/v1/processes/medborgarbudget-2026/budgets/soder/ballot", token,
        json{{"points", {{std::to_string(id("Mötesplats för unga i Söderhallen")), 6},
                         {std::to_string(v % 3 ? id("Blomsteräng i stället för gräsmatta") : id("Cykelpump och lagningsstation")), 4}}}},
        200)));
    if (v % 4 == 0)
      TING_RETURN_IF_ERROR(StatusOf(demo.Call("PUT", "/api/v1/processes/medborgarbudget-2026/budgets/centrum/ballot", token,
                                              json{{"projects", {id("Lekplats med tema rymden"), id("Sommarbio i parken")}}}, 200)));
  }
  return {};
}

}  // namespace ting::components
