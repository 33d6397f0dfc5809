// The demo's part: the 48 demo residents answer the questions (most of them; a few decline), the
// population of Solbacka's three districts is imported, and the 2026 budget's dashboard is made
// public. The picture is realistic on purpose: young people take part far less than their share,
// most of all in norr, and people born outside Europe are under-represented.

#include "ting/components/inclusion.h"

namespace ting::components {

namespace {

std::string AgeBand(int age) {
  if (age < 16) return "12-15";
  if (age < 20) return "16-19";
  if (age < 30) return "20-29";
  if (age < 45) return "30-44";
  if (age < 65) return "45-64";
  return "65+";
}

}  // namespace

Status SeedInclusion(web::Demo& demo) {
  using json = nlohmann::json;
  const std::vector<std::string> districts = {"norr", "centrum", "söder"};
  for (size_t i = 0; i < demo.residents.size(); ++i) {
    if (i % 11 == 5) {  // some say no
      TING_RETURN_IF_ERROR(StatusOf(demo.Call("PUT", "/api/v1/me/demographics", demo.residents[i], {{"consent", false}}, 200)));
      continue;
    }
    const int age = 14 + static_cast<int>(i * 13) % 72;  // as the register seed made them
    json answers = {{"age", AgeBand(age)},
                    {"gender", i % 7 == 6 ? "no_answer" : (i % 5 < 3 ? "woman" : "man")},
                    {"district", i == 0 ? "centrum" : districts[i % 3]},
                    {"born", i % 9 == 4 ? "outside_europe" : i % 13 == 7 ? "europe" : i % 17 == 2 ? "nordic" : "sweden"},
                    {"language", i % 9 == 4 ? (i % 2 ? "ar" : "so") : "sv"}};
    if (i % 8 == 3) answers.erase("gender");  // each question may be skipped
    if (answers["district"] == "norr" && age < 30) answers.erase("age");
    TING_RETURN_IF_ERROR(StatusOf(demo.Call("PUT", "/api/v1/me/demographics", demo.residents[i], {{"consent", true}, {"answers", answers}}, 200)));
  }
  // People who voted with a letter's code or at the desk answered on paper, and the staff
  // recorded it (with their consent). No young person in norr did.
  for (size_t i = 48; i < demo.person_ids.size(); ++i) {
    const int age = 8 + static_cast<int>(i * 17) % 83;  // as the register seed made them
    const std::string district = districts[i % 3];
    if (age < 12 || i % 4 == 1 || (district == "norr" && age < 30)) continue;
    json answers = {{"age", AgeBand(age)},
                    {"gender", i % 11 == 0 ? "no_answer" : i % 5 < 3 ? "woman" : "man"},
                    {"district", district},
                    {"born", i % 6 == 1 ? "outside_europe" : i % 14 == 3 ? "europe" : "sweden"},
                    {"language", i % 6 == 1 ? (i % 4 ? "ar" : "ti") : "sv"}};
    TING_RETURN_IF_ERROR(StatusOf(demo.Call("PUT", "/api/v1/inclusion/desk", demo.tokens["staff"],
                                            {{"person_id", demo.person_ids[i]}, {"consent", true}, {"answers", answers}}, 200)));
  }
  // Solbacka's population per district, as Statistics Sweden publishes it (people aged 12+).
  std::string csv = "district,dimension,value,count\n";
  const std::map<std::string, std::vector<int>> ages = {
      {"norr", {520, 610, 1900, 2100, 2300, 1400}}, {"centrum", {300, 340, 1500, 2200, 2000, 1700}}, {"söder", {410, 450, 1100, 1900, 2400, 2100}}};
  const std::vector<std::string> bands = {"12-15", "16-19", "20-29", "30-44", "45-64", "65+"};
  for (const auto& [district, counts] : ages) {
    int total = 0;
    for (size_t b = 0; b < bands.size(); ++b) {
      csv += district + ",age," + bands[b] + "," + std::to_string(counts[b]) + "\n";
      total += counts[b];
    }
    const int women = total * 51 / 100;
    csv += district + ",gender,woman," + std::to_string(women) + "\n" + district + ",gender,man," + std::to_string(total - women) + "\n";
    const int outside = district == "norr" ? total * 31 / 100 : total * 14 / 100, europe = total * 7 / 100, nordic = total * 3 / 100;
    csv += district + ",born,sweden," + std::to_string(total - outside - europe - nordic) + "\n" + district + ",born,nordic," + std::to_string(nordic) +
           "\n" + district + ",born,europe," + std::to_string(europe) + "\n" + district + ",born,outside_europe," + std::to_string(outside) + "\n";
  }
  auto admin = demo.tokens.find("admin");
  if (admin == demo.tokens.end()) return Error::NotFound("inclusion seed: the demo has no admin token");
  TING_RETURN_IF_ERROR(StatusOf(demo.api.CallText("POST", "/api/v1/population", admin->second, "text/csv", csv, 200)));
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("PUT", "/api/v1/processes/medborgarbudget-2026/inclusion", demo.tokens["manager"], {{"public", true}}, 200)));
  return {};
}

}  // namespace ting::components
