// The demo's follow-up: how the projects funded in 2025 are coming along.

#include <tuple>

#include "ting/components/followup.h"

namespace ting::components {

Status SeedFollowUp(web::Demo& demo) {
  const std::vector<std::tuple<std::string, int, std::string>> progress = {
      {"done", 100, "Gungorna är på plats och invigdes med korv och saft i september."},
      {"in_progress", 60, "Upphandlingen är klar. Bygget av övergången börjar i oktober."},
      {"planned", 10, "Vi har pratat med fritidsgården om hur läxhjälpen ska läggas upp."}};
  size_t n = 0;
  for (int64_t id : demo.funded_2025) {
    const auto& [status, pct, text] = progress[n++ % progress.size()];
    TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", "/api/v1/processes/medborgarbudget-2025/followup/" + std::to_string(id), demo.tokens["manager"],
                                            nlohmann::json{{"status", status}, {"progress", pct}, {"update", text}}, 200)));
  }
  return {};
}

}  // namespace ting::components
