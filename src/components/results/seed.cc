// The demo's count: 2025 is counted (its voting closed in the voting seed).

#include "ting/components/results.h"

namespace ting::components {

Status SeedResults(web::Demo& demo) {
  TING_ASSIGN_OR_RETURN(auto counted, demo.Call("POST", "/api/v1/processes/medborgarbudget-2025/budgets/hela-solbacka/count",
                                                demo.tokens["manager"], nlohmann::json::object(), 200));
  for (const auto& id : counted["selected"]) demo.funded_2025.push_back(id.get<int64_t>());
  return {};
}

}  // namespace ting::components
