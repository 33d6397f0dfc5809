// The demo's two participatory budgets: last year's (to be counted and followed up) and this
// year's (open for voting once the proposals seed has moved it on).

#include "processes_internal.h"

namespace ting::components {

using json = nlohmann::json;

Status SeedProcesses(web::Demo& demo) {
  const std::string& manager = demo.tokens["manager"];
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
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", "/api/v1/processes", manager, p2025, 201)));
  json p2026 = {{"slug", "medborgarbudget-2026"},
                {"title", {{"sv", "Medborgarbudget 2026"}, {"en", "Citizens' budget 2026"}}},
                {"description", {{"sv", "Solbacka kommun avsätter **3,1 miljoner kronor** till idéer från invånarna i tre stadsdelar. Alla som bor i Solbacka kan lämna förslag; alla från 12 år får rösta i sin stadsdel, med konto, med koden i sitt brev eller på biblioteket."},
                                 {"en", "Solbacka municipality sets aside **3.1 million kronor** for residents' ideas in three districts. Everyone living in Solbacka may propose; everyone aged 12 and over may vote in their district: with an account, with the code in their letter, or at the library."}}},
                {"phase", "proposals"},
                {"budgets", json::array({
                    {{"slug", "norr"}, {"name", {{"sv", "Norr"}, {"en", "North"}}}, {"amount", 150000000}, {"currency", "SEK"}, {"ballot", {{"type", "approval"}, {"max", 3}}}, {"rule", "greedy"},
                     {"eligibility", {{"register", true}, {"districts", {"norr"}}, {"min_age", 12}}}},
                    {{"slug", "centrum"}, {"name", {{"sv", "Centrum"}, {"en", "Centre"}}}, {"amount", 80000000}, {"currency", "SEK"}, {"ballot", {{"type", "knapsack"}}}, {"rule", "mes"},
                     {"eligibility", {{"register", true}, {"districts", {"centrum"}}, {"min_age", 12}}}},
                    {{"slug", "soder"}, {"name", {{"sv", "Söder"}, {"en", "South"}}}, {"amount", 80000000}, {"currency", "SEK"}, {"ballot", {{"type", "cumulative"}, {"points", 10}}}, {"rule", "mes"},
                     {"eligibility", {{"register", true}, {"districts", {"söder"}}, {"min_age", 12}}}}})}};
  return StatusOf(demo.Call("POST", "/api/v1/processes", manager, p2026, 201));
}

}  // namespace ting::components
