// The demo's citizens' assemblies, one in every stage: open for registration, frozen with the
// draw announced, drawn (with a declined seat refilled), in session, with recommendations voted,
// and answered with follow-up. The manager's steps go through the API like any client's; the
// members' steps (which the API takes with each member's seat key) call the same functions the
// API calls.

#include "assemblies_internal.h"
#include "ting/components/assemblies.h"

namespace ting::components {

namespace {

using assemblies::json;

const std::vector<std::string> kFirst = {"Amina", "Bo", "Cecilia", "Dawit", "Elin", "Farhan", "Greta", "Hamid", "Irma", "Jonas",
                                         "Kerstin", "Layla", "Magnus", "Nadia", "Olle", "Parisa", "Rasmus", "Sofia", "Tariq", "Ulla"};
const std::vector<std::string> kLast = {"Berg", "Hussein", "Lund", "Nyström", "Osman", "Sandberg", "Tekle", "Wallin", "Yousef", "Åkesson"};

json Label(const std::string& sv, const std::string& en) { return {{"sv", sv}, {"en", en}}; }

json Features() {
  return {{"kön", {{"kvinna", {{"share", 0.5}, {"label", Label("Kvinna", "Woman")}}}, {"man", {{"share", 0.5}, {"label", Label("Man", "Man")}}}}},
          {"ålder",
           {{"16-39", {{"min", 2}, {"max", 4}, {"label", Label("16–39 år", "16–39 years")}}},
            {"40-64", {{"min", 2}, {"max", 4}, {"label", Label("40–64 år", "40–64 years")}}},
            {"65+", {{"min", 1}, {"max", 3}, {"label", Label("65 år eller äldre", "65 or older")}}}}},
          {"stadsdel",
           {{"norr", {{"min", 2}, {"max", 3}, {"label", Label("Norr", "North")}}},
            {"centrum", {{"min", 2}, {"max", 3}, {"label", Label("Centrum", "Centre")}}},
            {"söder", {{"min", 2}, {"max", 3}, {"label", Label("Söder", "South")}}}}}};
}

json Questions() {
  return {{"kön", Label("Vilket kön har du?", "What is your gender?")},
          {"ålder", Label("Hur gammal är du?", "How old are you?")},
          {"stadsdel", Label("I vilken stadsdel bor du?", "Which district do you live in?")}};
}

// n volunteers as the import's CSV, varied over every feature; some share a household. They
// registered on paper with a phone number (no email: the demo queues no mail to made-up people).
std::string Volunteers(int n, int offset) {
  const std::vector<std::string> gender = {"kvinna", "man"}, age = {"16-39", "40-64", "65+"}, district = {"norr", "centrum", "söder"};
  std::string csv = "name,email,phone,household,kön,ålder,stadsdel,consent\n";
  for (int i = 0; i < n; ++i) {
    const int k = i + offset;
    const std::string name = kFirst[(k * 7) % kFirst.size()] + " " + kLast[(k * 3 + k / 10) % kLast.size()];
    const std::string household = i % 9 == 8 ? "Bygatan " + std::to_string(k - 1) : "Bygatan " + std::to_string(k);
    csv += name + ",,070-" + std::to_string(1000000 + k * 37) + "," + household + "," +
           gender[k % 2] + "," + age[(k / 2) % 3] + "," + district[(k / 3) % 3] + ",yes\n";
  }
  return csv;
}

struct Stage {
  std::string slug, title, question;
  int reached = 0;  // 0 registration, 1 frozen, 2 drawn, 3 sessions, 4 recommendations voted, 5 answered
};

Status Advance(web::Demo& demo, const core::Organisation& org, const Stage& s, int offset) {
  const std::string token = demo.tokens["manager"], base = "/api/v1/assemblies/" + s.slug;
  json body = {{"slug", s.slug},           {"title", {{"sv", s.title}}}, {"question", {{"sv", s.question}}}, {"panel_size", 8},
               {"households", true},       {"registration", "open"},   {"features", Features()},           {"questions", Questions()},           {"support_threshold", 75},
               {"dates", {{"registration_closes", "2027-03-01"}, {"draw", "2027-03-10"}}}};
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", "/api/v1/assemblies", token, body, 201)));
  TING_RETURN_IF_ERROR(StatusOf(demo.api.CallText("POST", base + "/volunteers/import", token, "text/csv", Volunteers(s.reached == 0 ? 14 : 36, offset), 200)));
  if (s.reached < 1) return {};
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", base + "/freeze", token, json{{"draw_at", "2027-03-10 18:00"}}, 200)));
  if (s.reached < 2) return {};
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", base + "/draw", token, json{{"seed", "7 12 19 23 31 34 (" + s.slug + ")"}}, 200)));
  TING_ASSIGN_OR_RETURN(json panel, demo.Call("GET", base + "/panel", token, json(), 200));
  // Everyone confirms but the first, who declines: the seat goes to a reserve.
  bool first = true;
  for (const auto& m : panel["members"]) {
    TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", base + "/panel/" + std::to_string(m["id"].get<int64_t>()), token,
                                            json{{"answer", first ? "decline" : "confirm"}}, 200)));
    first = false;
  }
  if (s.reached < 3) return {};
  for (int n = 1; n <= 3; ++n) {
    json session = {{"title", {{"sv", "Möte " + std::to_string(n)}}},
                    {"starts_at", "2027-04-0" + std::to_string(n * 2) + "T17:30"},
                    {"ends_at", "2027-04-0" + std::to_string(n * 2) + "T20:30"},
                    {"place", "Biblioteket, Solbacka torg 1"},
                    {"video_url", "https://video.example.se/rummet"},
                    {"agenda", {{"sv", n == 1 ? "1. Välkomna\n2. Frågan och hur vi arbetar\n3. Samtal i små grupper" : "1. Experterna\n2. Samtal\n3. Vad vill vi rekommendera?"}}},
                    {"speakers", json::array({{{"name", "Karin Ek"}, {"about", "forskare i stadsplanering"}}})}};
    TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", base + "/sessions", token, session, 201)));
  }
  if (s.reached < 4) return {};
  assemblies::Store store(demo.db, demo.env);
  TING_ASSIGN_OR_RETURN(auto found, store.Find(org, s.slug));
  if (!found) return Error::NotFound("ting demo: the assembly " + s.slug + " is missing");
  TING_ASSIGN_OR_RETURN(auto volunteers, store.Volunteers(found->id));
  std::vector<int64_t> members;
  for (const auto& v : volunteers)
    if (v.seat == "confirmed") members.push_back(v.id);
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"Fler gröna stråk", "Kommunen bör göra om två gator i centrum till gröna gångstråk med träd och bänkar."},
      {"Trygg belysning", "Belysningen längs gång- och cykelvägar bör ses över och förbättras före nästa vinter."},
      {"Avgiftsfri parkering", "All parkering i centrum bör vara avgiftsfri."}};
  std::vector<int64_t> ids;
  for (size_t t = 0; t < texts.size(); ++t) {
    TING_ASSIGN_OR_RETURN(int64_t id, assemblies::AddRecommendation(demo.db, demo.env, *found, members[t % members.size()], texts[t].first, texts[t].second));
    ids.push_back(id);
    for (size_t m = 0; m < members.size(); ++m) {
      // The first two win broad support; the third does not.
      const std::string vote = t < 2 ? (m + 1 < members.size() ? "yes" : "abstain") : (m % 2 ? "yes" : "no");
      TING_RETURN_IF_ERROR(assemblies::CastVote(demo.db, demo.env, *found, id, members[m], vote));
    }
    TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", base + "/recommendations/" + std::to_string(id) + "/close", token, json::object(), 200)));
  }
  if (s.reached < 5) return {};
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", base + "/recommendations/" + std::to_string(ids[0]) + "/answer", token,
                                          json{{"decision", "accepted"}, {"answer", {{"sv", "Kommunfullmäktige bifaller rekommendationen. Stråken byggs 2028."}}}}, 200)));
  TING_RETURN_IF_ERROR(StatusOf(demo.Call("POST", base + "/recommendations/" + std::to_string(ids[1]) + "/answer", token,
                                          json{{"decision", "partly"}, {"answer", {{"sv", "Belysningen ses över i år; nya lampor sätts upp där behovet är störst."}}}}, 200)));
  return StatusOf(demo.Call("POST", base + "/recommendations/" + std::to_string(ids[1]) + "/progress", token,
                            json{{"status", "in_progress"}, {"update", "Inventeringen är klar: 40 lampor byts under hösten."}}, 200));
}

}  // namespace

Status SeedAssemblies(web::Demo& demo) {
  TING_ASSIGN_OR_RETURN(const core::Organisation org, demo.Organisation());
  const std::vector<Stage> stages = {
      {"klimatradet-2027", "Klimatrådet 2027", "Hur ska Solbacka halvera sina utsläpp till 2035?", 0},
      {"trygghetsradet", "Trygghetsrådet", "Vad gör Solbacka tryggare på kvällarna?", 1},
      {"parkradet", "Parkrådet", "Hur ska stadsparken användas i framtiden?", 2},
      {"kulturradet", "Kulturrådet", "Hur når kulturen fler unga?", 3},
      {"trafikradet", "Trafikrådet", "Hur tar vi oss fram i centrum?", 4},
      {"stadsradet-2026", "Stadsrådet 2026", "Hur blir centrum en plats för alla?", 5}};
  int offset = 0;
  for (const auto& s : stages) {
    TING_RETURN_IF_ERROR(Advance(demo, org, s, offset));
    offset += 40;
  }
  return {};
}

}  // namespace ting::components
