// The demo's meetings of the 2026 participatory budget: an information evening at the library
// that takes sign-ups, and a drop-in workshop.

#include "meetings_internal.h"

namespace ting::components {

Status SeedMeetings(web::Demo& demo) {
  const std::string path = "/api/v1/processes/medborgarbudget-2026/meetings";
  const nlohmann::json evening = {
      {"title", {{"sv", "Informationskväll om medborgarbudgeten"}, {"en", "Information evening on the participatory budget"}}},
      {"starts_at", "2027-02-10T18:00"},
      {"ends_at", "2027-02-10T20:00"},
      {"place", "Solbacka bibliotek, Torget 1"},
      {"agenda", {{"sv", "1. Så fungerar medborgarbudgeten\n2. Exempel på projekt som fått pengar\n3. Frågor och fika"},
                  {"en", "1. How the participatory budget works\n2. Projects that were funded\n3. Questions and coffee"}}},
      {"speakers", nlohmann::json::array({{{"name", "Karin Ek"}, {"about", "projektledare för medborgarbudgeten"}}})},
      {"sign_up", true},
      {"capacity", 40}};
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", path, demo.tokens["manager"], evening, 201)));
  const nlohmann::json workshop = {
      {"title", {{"sv", "Förslagsverkstad: skriv ditt förslag med stöd"}, {"en", "Proposal workshop: write your proposal with help"}}},
      {"starts_at", "2027-02-17T15:00"},
      {"ends_at", "2027-02-17T18:00"},
      {"place", "Fritidsgården Solbacka"},
      {"agenda", {{"sv", "Kom när du vill. Vi hjälper dig att skriva förslaget, på svenska, arabiska eller somaliska."}}}};
  return StatusOf(demo.Call("POST", path, demo.tokens["manager"], workshop, 201));
}

}  // namespace ting::components
