// Inclusion over real HTTP against the real binary: the questions an organisation asks, a
// person's consent, answers and their deletion, the population reference (admins only, a bad
// file imports nothing), the dashboard of a hand-computed case with its small-cell and
// secondary suppression, who may see it and when, its CSV, the staff desk, and another
// organisation's answers and population.

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kPassword = "a long test password";
constexpr const char* kHostB = "b.example";

// The hand-computed case: who proposes in process "dash" and what they answered.
//   gender: woman 6, man 5, other 1          (other is small; man, the next smallest, hides too)
//   age:    16-19 7, 30-44 3, 65+ 2          (two small cells: nothing more is hidden)
//   district: norr 9, söder 3                (söder small; norr hides too)
// p13 proposes and declines the questions; p14 answers and only supports a proposal.
struct Person {
  const char* name;
  const char* gender;
  const char* age;
  const char* district;
};
constexpr Person kPeople[] = {
    {"p01", "woman", "16-19", "norr"}, {"p02", "woman", "16-19", "norr"}, {"p03", "woman", "16-19", "norr"},
    {"p04", "woman", "16-19", "norr"}, {"p05", "woman", "16-19", "norr"}, {"p06", "woman", "16-19", "norr"},
    {"p07", "man", "16-19", "norr"},   {"p08", "man", "30-44", "norr"},   {"p09", "man", "30-44", "norr"},
    {"p10", "man", "30-44", "söder"},  {"p11", "man", "65+", "söder"},    {"p12", "other", "65+", "söder"},
};
constexpr int kProposers = 13;  // p01..p13

// The population (people per district): norr 1000, söder 500.
//   gender: woman 800, man 600, other 100 of 1500 (no figure for no_answer)
//   age:    12-15 0, 16-19 200, 30-44 600, 65+ 700 of 1500 (no figure for 20-29 and 45-64)
constexpr const char* kPopulation =
    "district,dimension,value,count\n"
    "norr,gender,woman,500\n"
    "norr,gender,man,400\n"
    "norr,gender,other,100\n"
    "norr,age,12-15,0\n"
    "norr,age,16-19,100\n"
    "norr,age,30-44,400\n"
    "norr,age,65+,500\n"
    "söder,gender,woman,300\n"
    "söder,gender,man,200\n"
    "söder,age,16-19,100\n"
    "söder,age,30-44,200\n"
    "söder,age,65+,200\n";
constexpr int kPopulationRows = 12;

std::string Name(int i) {  // p01 .. p14
  return std::string("p") + (i < 10 ? "0" : "") + std::to_string(i);
}

class Inclusion : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(TempPath("inclusion.db"));
    people_ = new std::map<std::string, std::string>();
    std::string out;
    auto ting = [&](std::vector<std::string> args) {
      args.insert(args.end(), {"--db", *db_});
      if (args[0] == "user") args.insert(args.end(), {"--password", kPassword});
      ASSERT_EQ(RunTing(args, &out), 0) << out;
    };
    ting({"user", "add", "--email", "admin@example.se", "--role", "admin"});
    ting({"user", "add", "--email", "manager@example.se", "--role", "manager"});
    ting({"user", "add", "--email", "reviewer@example.se", "--role", "reviewer"});
    ting({"user", "add", "--email", "staff@example.se", "--role", "staff"});
    ting({"user", "add", "--email", "resident@example.se"});
    for (int i = 1; i <= 14; ++i) ting({"user", "add", "--email", Name(i) + "@example.se"});
    ting({"org", "add", "--slug", "b", "--name", "B kommun", "--host", kHostB});
    ting({"user", "add", "--email", "admin-b@example.se", "--role", "admin", "--org", "b"});
    ting({"user", "add", "--email", "resident-b@example.se", "--org", "b"});
    server_ = new ServerProcess(*db_);
    for (const char* who : {"admin", "manager", "reviewer", "staff", "resident"}) (*people_)[who] = Token(std::string(who) + "@example.se");
    for (int i = 1; i <= 14; ++i) (*people_)[Name(i)] = Token(Name(i) + "@example.se");
    (*people_)["admin-b"] = Token("admin-b@example.se", kHostB);
    (*people_)["resident-b"] = Token("resident-b@example.se", kHostB);
    for (const auto& [who, token] : *people_) ASSERT_FALSE(token.empty()) << who << " could not sign in";

    Baseline();
    Process("dash", T("manager"), "");
    Process("pb", T("admin-b"), kHostB);
    // The case: twelve answer and propose, one proposes and declines, one answers and supports.
    int64_t first = 0;
    for (int i = 1; i <= kProposers; ++i) {
      auto r = Api("POST", "/api/v1/processes/dash/proposals",
                   json{{"title", "Förslag " + Name(i)}, {"body", "Text"}, {"budget", "b"}, {"cost", 5000}}, T(Name(i)));
      ASSERT_EQ(r.status, 201) << r.body;
      if (i == 1) first = json::parse(r.body)["id"].get<int64_t>();
    }
    for (const auto& p : kPeople) {
      auto r = Api("PUT", "/api/v1/me/demographics",
                   json{{"consent", true}, {"answers", {{"gender", p.gender}, {"age", p.age}, {"district", p.district}}}}, T(p.name));
      ASSERT_EQ(r.status, 200) << p.name << ": " << r.body;
    }
    ASSERT_EQ(Api("PUT", "/api/v1/me/demographics", json{{"consent", false}}, T("p13")).status, 200);
    ASSERT_EQ(Api("PUT", "/api/v1/me/demographics",
                  json{{"consent", true}, {"answers", {{"gender", "woman"}, {"age", "16-19"}, {"district", "norr"}}}}, T("p14"))
                  .status,
              200);
    ASSERT_EQ(Api("POST", "/api/v1/proposals/" + std::to_string(first) + "/support", json::object(), T("p14")).status, 200);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete db_;
    delete people_;
  }

  static const std::string& T(const std::string& who) { return (*people_)[who]; }

  static HttpResponse Api(const std::string& method, const std::string& path, const json& body, const std::string& token,
                          const std::string& host = "") {
    return HttpClient(server_->port()).Api(method, path, body.is_null() ? std::string() : body.dump(), token, host);
  }
  static HttpResponse Get(const std::string& path, const std::string& token = "", const std::string& host = "") {
    return HttpClient(server_->port()).Api("GET", path, "", token, host);
  }
  static HttpResponse Post(const std::string& path, const std::string& body, const std::string& type, const std::string& token,
                           const std::string& host = "") {
    return HttpClient(server_->port()).Api("POST", path, body, token, host, type);
  }
  static std::string Token(const std::string& email, const std::string& host = "") {
    auto r = Api("POST", "/api/v1/session", json{{"email", email}, {"password", kPassword}}, "", host);
    return r.status == 200 ? json::parse(r.body)["token"].get<std::string>() : "";
  }
  static void Process(const std::string& slug, const std::string& token, const std::string& host) {
    json body = {{"slug", slug}, {"title", "Budget " + slug}, {"phase", "proposals"},
                 {"budgets", {{{"slug", "b"}, {"name", "B"}, {"amount", 1000000}, {"ballot", {{"type", "approval"}}}}}}};
    auto r = Api("POST", "/api/v1/processes", body, token, host);
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // The settings and population the hand-computed case is made for (other tests change them).
  static void Baseline() {
    auto s = Api("PUT", "/api/v1/inclusion/questions", json{{"districts", {"norr", "söder"}}}, T("manager"));
    ASSERT_EQ(s.status, 200) << s.body;
    auto p = Post("/api/v1/population", kPopulation, "text/csv", T("admin"));
    ASSERT_EQ(p.status, 200) << p.body;
  }
  static void Publish(const std::string& slug, bool published) {
    auto r = Api("PUT", "/api/v1/processes/" + slug + "/inclusion", json{{"public", published}}, T("manager"));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // The dashboard's JSON (status 200 expected).
  static json Dashboard(const std::string& query, const std::string& token, const std::string& slug = "dash") {
    auto r = Get("/api/v1/processes/" + slug + "/inclusion" + query, token);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return r.status == 200 ? json::parse(r.body) : json::object();
  }
  // One value's cell of a dimension ({} when it is not listed).
  static json Cell(const json& dashboard, const std::string& dimension, const std::string& value) {
    if (!dashboard.contains("dimensions") || !dashboard["dimensions"].contains(dimension)) return json::object();
    for (const auto& c : dashboard["dimensions"][dimension])
      if (c["value"] == value) return c;
    return json::object();
  }
  static std::vector<std::string> Values(const json& list, const char* field) {
    std::vector<std::string> out;
    for (const auto& x : list) out.push_back(x[field].get<std::string>());
    return out;
  }
  // The CSV's rows as fields, keyed "dimension/value" (the header is checked).
  static std::map<std::string, std::vector<std::string>> CsvRows(const std::string& csv) {
    std::map<std::string, std::vector<std::string>> out;
    std::istringstream in(csv);
    std::string line;
    bool header = true;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      // Fields may be quoted ("a ""b"", c"); none spans lines here.
      std::vector<std::string> fields(1);
      bool quoted = false;
      for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else if (c == '"') {
          quoted = !quoted;
        } else if (c == ',' && !quoted) {
          fields.emplace_back();
        } else {
          fields.back() += c;
        }
      }
      if (header) {
        EXPECT_EQ(line, "stage,district,dimension,value,count,answered,share,population_share,ratio");
        header = false;
        continue;
      }
      EXPECT_EQ(fields.size(), 9u) << line;
      if (fields.size() == 9) out[fields[2] + "/" + fields[3]] = fields;
    }
    return out;
  }

  static std::string* db_;
  static ServerProcess* server_;
  static std::map<std::string, std::string>* people_;  // who -> API token
};
std::string* Inclusion::db_ = nullptr;
ServerProcess* Inclusion::server_ = nullptr;
std::map<std::string, std::string>* Inclusion::people_ = nullptr;

void ExpectShare(const json& value, double expected, const std::string& what) {
  ASSERT_TRUE(value.is_number()) << what << ": " << value;
  EXPECT_NEAR(value.get<double>(), expected, 1e-9) << what;
}

TEST_F(Inclusion, TheQuestionsArePublicAndTheManagerChoosesThem) {
  Baseline();
  auto got = Get("/api/v1/inclusion/questions");
  ASSERT_EQ(got.status, 200) << got.body;
  json q = json::parse(got.body);
  EXPECT_EQ(Values(q["questions"], "key"), (std::vector<std::string>{"age", "gender", "district", "born", "language"}));
  EXPECT_EQ(Values(q["questions"][0]["values"], "value"), (std::vector<std::string>{"12-15", "16-19", "20-29", "30-44", "45-64", "65+"}));
  EXPECT_EQ(Values(q["questions"][1]["values"], "value"), (std::vector<std::string>{"woman", "man", "other", "no_answer"}));
  EXPECT_EQ(Values(q["questions"][2]["values"], "value"), (std::vector<std::string>{"norr", "söder"}));
  EXPECT_EQ(Values(q["questions"][3]["values"], "value"), (std::vector<std::string>{"sweden", "nordic", "europe", "outside_europe"}));
  auto languages = Values(q["questions"][4]["values"], "value");
  for (const char* code : {"sv", "ar", "so", "fa", "ti"}) EXPECT_NE(std::find(languages.begin(), languages.end(), code), languages.end()) << code;
  EXPECT_EQ(q["questions"][1]["label"], "Vilket kön har du?");
  EXPECT_EQ(q["questions"][1]["values"][0]["label"], "Kvinna");
  EXPECT_FALSE(q["why"].get<std::string>().empty());
  EXPECT_FALSE(q["who_sees"].get<std::string>().empty());

  // Only managers choose: one built-in question off, one of the organisation's own.
  json settings = {{"districts", {"norr", "söder"}},
                   {"questions",
                    {{{"key", "language"}, {"enabled", false}},
                     {{"key", "work"},
                      {"label", {{"sv", "Vad gör du mest?"}, {"en", "What do you mostly do?"}}},
                      {"choices",
                       {{{"value", "student"}, {"label", {{"sv", "Studerar"}, {"en", "Studying"}}}},
                        {{"value", "working"}, {"label", {{"sv", "Arbetar"}, {"en", "Working"}}}}}}}}}};
  EXPECT_EQ(Api("PUT", "/api/v1/inclusion/questions", settings, T("resident")).status, 403);
  EXPECT_EQ(Api("PUT", "/api/v1/inclusion/questions", settings, "").status, 401);
  json relabel = {{"questions", {{{"key", "age"}, {"label", "Ålder"}}}}};
  EXPECT_EQ(Api("PUT", "/api/v1/inclusion/questions", relabel, T("manager")).status, 422) << "built-in questions are only switched on or off";
  json one_choice = {{"questions", {{{"key", "work"}, {"label", "Arbete"}, {"choices", {{{"value", "x"}, {"label", "X"}}}}}}}};
  EXPECT_EQ(Api("PUT", "/api/v1/inclusion/questions", one_choice, T("manager")).status, 422) << "an own question needs two choices";
  auto set = Api("PUT", "/api/v1/inclusion/questions", settings, T("manager"));
  ASSERT_EQ(set.status, 200) << set.body;
  q = json::parse(Get("/api/v1/inclusion/questions").body);
  EXPECT_EQ(Values(q["questions"], "key"), (std::vector<std::string>{"age", "gender", "district", "born", "work"}));
  EXPECT_EQ(q["questions"][4]["label"], "Vad gör du mest?");
  EXPECT_EQ(Values(q["questions"][4]["values"], "value"), (std::vector<std::string>{"student", "working"}));
  EXPECT_EQ(Api("PUT", "/api/v1/me/demographics", json{{"consent", true}, {"answers", {{"language", "sv"}}}}, T("resident")).status, 422)
      << "a question switched off takes no answers";
  auto own = Api("PUT", "/api/v1/me/demographics", json{{"consent", true}, {"answers", {{"work", "student"}}}}, T("resident"));
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(json::parse(own.body)["answers"], json({{"work", "student"}}));
  EXPECT_EQ(Api("PUT", "/api/v1/me/demographics", json{{"consent", true}, {"answers", {{"work", "retired"}}}}, T("resident")).status, 422);
  Baseline();
  q = json::parse(Get("/api/v1/inclusion/questions").body);
  EXPECT_EQ(Values(q["questions"], "key"), (std::vector<std::string>{"age", "gender", "district", "born", "language"}));
}

TEST_F(Inclusion, APersonAnswersWithConsentAndDeletesTheirAnswers) {
  Baseline();
  const std::string& me = T("resident");
  const json all = {{"age", "16-19"}, {"gender", "woman"}, {"district", "norr"}, {"born", "outside_europe"}, {"language", "ar"}};
  auto saved = Api("PUT", "/api/v1/me/demographics", json{{"consent", true}, {"answers", all}}, me);
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(json::parse(saved.body)["answers"], all);
  auto mine = [&] {
    auto r = Get("/api/v1/me/demographics", me);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body) : json::object();
  };
  json got = mine();
  EXPECT_EQ(got["asked"], true);
  EXPECT_EQ(got["consent"], true);
  EXPECT_EQ(got["answers"], all);
  EXPECT_GT(got["consent_at"].get<int64_t>(), 0);

  // Refused whole, and what was kept stays.
  auto put = [&](const json& body) { return Api("PUT", "/api/v1/me/demographics", body, me); };
  EXPECT_EQ(put(json{{"consent", true}, {"answers", {{"age", "200"}}}}).status, 422) << "unknown value";
  EXPECT_EQ(put(json{{"consent", true}, {"answers", {{"gender", "Woman"}}}}).status, 422) << "values are exact";
  EXPECT_EQ(put(json{{"consent", true}, {"answers", {{"district", "mars"}}}}).status, 422) << "not one of the organisation's districts";
  EXPECT_EQ(put(json{{"consent", true}, {"answers", {{"language", "Arabic"}}}}).status, 422) << "not a language code";
  EXPECT_EQ(put(json{{"consent", true}, {"answers", {{"shoe_size", "42"}}}}).status, 422) << "unknown question";
  auto unknown = put(json{{"consent", true}, {"answers", {{"shoe_size", "42"}, {"age", "16-19"}}}});
  EXPECT_EQ(unknown.status, 422);
  EXPECT_NE(unknown.body.find("shoe_size"), std::string::npos) << unknown.body;
  for (const json& wrong : {json{{"consent", true}, {"answers", json::array({"16-19"})}}, json{{"consent", "yes"}, {"answers", {{"age", "16-19"}}}},
                            json{{"consent", 1}}, json{{"consent", true}, {"answers", {{"age", 16}}}}, json{{"consent", true}, {"answers", "16-19"}},
                            json::array({true}), json("consent")}) {
    int status = put(wrong).status;
    EXPECT_TRUE(status >= 400 && status < 500) << wrong << " -> " << status;
  }
  EXPECT_EQ(put(json{{"answers", {{"age", "16-19"}}}}).status, 422) << "consent is required";
  EXPECT_EQ(put(json{{"consent", false}, {"answers", {{"age", "16-19"}}}}).status, 422) << "answers without consent";
  EXPECT_EQ(mine()["answers"], all) << "nothing refused changed what was kept";

  // Signed out: nothing.
  EXPECT_EQ(Get("/api/v1/me/demographics").status, 401);
  EXPECT_EQ(Api("PUT", "/api/v1/me/demographics", json{{"consent", true}, {"answers", all}}, "").status, 401);
  EXPECT_EQ(Api("DELETE", "/api/v1/me/demographics", json(), "").status, 401);
  EXPECT_EQ(Get("/api/v1/me/demographics", "not-a-token").status, 401);

  // A skipped question (null) is not kept; a new answer replaces the old ones; any language code.
  auto partial = put(json{{"consent", true}, {"answers", {{"age", nullptr}, {"gender", "man"}, {"language", "ur"}}}});
  ASSERT_EQ(partial.status, 200) << partial.body;
  EXPECT_EQ(mine()["answers"], json({{"gender", "man"}, {"language", "ur"}}));

  // Deleting keeps only that the person was asked.
  auto deleted = Api("DELETE", "/api/v1/me/demographics", json(), me);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  got = mine();
  EXPECT_EQ(got["asked"], true);
  EXPECT_EQ(got["consent"], false);
  EXPECT_EQ(got["answers"], json::object());

  // Saying no: asked, declined, nothing kept.
  ASSERT_EQ(put(json{{"consent", true}, {"answers", all}}).status, 200);
  auto declined = put(json{{"consent", false}});
  EXPECT_EQ(declined.status, 200) << declined.body;
  got = mine();
  EXPECT_EQ(got["asked"], true);
  EXPECT_EQ(got["consent"], false);
  EXPECT_EQ(got["answers"], json::object());
  EXPECT_EQ(put(json{{"consent", false}, {"answers", json::object()}}).status, 200) << "no answers and no consent is a no";

  // Someone never asked.
  got = json::parse(Get("/api/v1/me/demographics", Token("admin@example.se")).body);
  EXPECT_EQ(got, json({{"asked", false}, {"consent", false}, {"answers", json::object()}, {"consent_at", 0}}));
}

TEST_F(Inclusion, ThePopulationIsImportedWholeAndByAdminsOnly) {
  auto ok = Post("/api/v1/population", kPopulation, "text/csv; charset=utf-8", T("admin"));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body), json({{"rows", kPopulationRows}}));
  auto before = Get("/api/v1/population", T("manager"));
  ASSERT_EQ(before.status, 200) << before.body;
  json rows = json::parse(before.body)["rows"];
  EXPECT_EQ(rows.size(), static_cast<size_t>(kPopulationRows));
  EXPECT_NE(std::find(rows.begin(), rows.end(), json({{"district", "söder"}, {"dimension", "age"}, {"value", "65+"}, {"count", 200}})), rows.end())
      << rows;

  // Every bad line is listed; nothing is imported.
  const std::string bad =
      "district,dimension,value,count\n"
      "väster,gender,woman,10\n"    // 2: good
      "väster,gender,robot,3\n"     // 3: not a value of gender
      "väster,age,16-19,many\n"     // 4: not a count
      "väster,shoe,x,1\n"           // 5: not a question
      "väster,age,20-29,-4\n"       // 6: negative
      "väster,gender,woman,12\n"    // 7: twice
      "väster,age\n";               // 8: two columns
  auto refused = Post("/api/v1/population", bad, "text/csv", T("admin"));
  ASSERT_EQ(refused.status, 422) << refused.body;
  json body = json::parse(refused.body);
  EXPECT_TRUE(body["error"].is_string() && !body["error"].get<std::string>().empty()) << body;
  std::vector<int> lines;
  for (const auto& p : body["problems"]) {
    lines.push_back(p["line"].get<int>());
    EXPECT_TRUE(p["error"].is_string() && !p["error"].get<std::string>().empty()) << p;
  }
  EXPECT_EQ(lines, (std::vector<int>{3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(Post("/api/v1/population", "district,dimension,value\nnorr,age,16-19\n", "text/csv", T("admin")).status, 422) << "the header";
  EXPECT_EQ(Post("/api/v1/population", "district,dimension,value,count\n", "text/csv", T("admin")).status, 422) << "no rows";
  EXPECT_EQ(Post("/api/v1/population", "district,dimension,value,count\nnorr,district,norr,5\n", "text/csv", T("admin")).status, 422)
      << "districts' people come from their age bands";
  auto after = Get("/api/v1/population", T("manager"));
  EXPECT_EQ(after.body, before.body) << "a refused file changes nothing";

  // Only admins import, and only CSV.
  int not_csv = Post("/api/v1/population", kPopulation, "application/json", T("admin")).status;
  EXPECT_TRUE(not_csv >= 400 && not_csv < 500) << not_csv;
  EXPECT_EQ(Post("/api/v1/population", "district,dimension,value,count\nnorr,gender,woman,1\n", "text/csv", T("manager")).status, 403);
  EXPECT_EQ(Post("/api/v1/population", "district,dimension,value,count\nnorr,gender,woman,1\n", "text/csv", T("staff")).status, 403);
  EXPECT_EQ(Post("/api/v1/population", "district,dimension,value,count\nnorr,gender,woman,1\n", "text/csv", T("resident")).status, 403);
  EXPECT_EQ(Post("/api/v1/population", "district,dimension,value,count\nnorr,gender,woman,1\n", "text/csv", "").status, 401);
  EXPECT_EQ(Get("/api/v1/population", T("resident")).status, 403);
  EXPECT_EQ(Get("/api/v1/population").status, 401);
  EXPECT_EQ(Get("/api/v1/population", T("manager")).body, before.body);

  // A good file replaces the old one.
  auto replaced = Post("/api/v1/population", "district,dimension,value,count\r\nväster,gender,woman,10\r\nväster,language,ar,4\r\n", "text/csv", T("admin"));
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(json::parse(replaced.body)["rows"], 2);
  EXPECT_EQ(json::parse(Get("/api/v1/population", T("manager")).body)["rows"].size(), 2u);
  Baseline();
}

TEST_F(Inclusion, TheDashboardCountsTheHandComputedCase) {
  Baseline();
  json d = Dashboard("?stage=proposed", T("manager"));
  EXPECT_EQ(d["stage"], "proposed");
  EXPECT_TRUE(d["district"].is_null());
  EXPECT_EQ(d["participants"], kProposers) << "p14 only supported; p13 declined but took part";
  EXPECT_EQ(d["answered"]["gender"], 12);
  EXPECT_EQ(d["answered"]["age"], 12);
  EXPECT_EQ(d["answered"]["born"], 0);

  // Gender: woman 6 of 12 against 800 of 1500.
  ASSERT_EQ(Values(d["dimensions"]["gender"], "value"), (std::vector<std::string>{"woman", "man", "other", "no_answer"}));
  json woman = Cell(d, "gender", "woman");
  EXPECT_EQ(woman["count"], 6);
  ExpectShare(woman["share"], 0.5, "woman share");
  ExpectShare(woman["population_share"], 0.5333, "woman population share");
  ExpectShare(woman["ratio"], 0.9375, "woman ratio");
  EXPECT_EQ(woman["label"], "Kvinna");
  // other: 1, a small cell: no count, share or ratio; its population share stays.
  json other = Cell(d, "gender", "other");
  EXPECT_TRUE(other["count"].is_null()) << other;
  EXPECT_TRUE(other["share"].is_null()) << other;
  EXPECT_TRUE(other["ratio"].is_null()) << other;
  ExpectShare(other["population_share"], 0.0667, "other population share");
  // man: 5, but with only one small cell 12 - 6 - 0 would give it (and other) back: hidden too.
  json man = Cell(d, "gender", "man");
  EXPECT_TRUE(man["count"].is_null()) << "secondary suppression: " << man;
  EXPECT_TRUE(man["share"].is_null()) << man;
  EXPECT_TRUE(man["ratio"].is_null()) << man;
  ExpectShare(man["population_share"], 0.4, "man population share");
  // no_answer: nobody, shown as 0; no population figure.
  json none = Cell(d, "gender", "no_answer");
  EXPECT_EQ(none["count"], 0);
  ExpectShare(none["share"], 0.0, "no_answer share");
  EXPECT_TRUE(none["population_share"].is_null()) << none;
  EXPECT_TRUE(none["ratio"].is_null()) << none;

  // Age: two small cells hide each other; 16-19 (7 of 12) is shown against 200 of 1500.
  json young = Cell(d, "age", "16-19");
  EXPECT_EQ(young["count"], 7);
  ExpectShare(young["share"], 0.5833, "16-19 share");
  ExpectShare(young["population_share"], 0.1333, "16-19 population share");
  ExpectShare(young["ratio"], 4.375, "16-19 ratio");
  for (const char* v : {"30-44", "65+"}) {
    EXPECT_TRUE(Cell(d, "age", v)["count"].is_null()) << v;
    EXPECT_TRUE(Cell(d, "age", v)["share"].is_null()) << v;
  }
  ExpectShare(Cell(d, "age", "30-44")["population_share"], 0.4, "30-44 population share");
  ExpectShare(Cell(d, "age", "65+")["population_share"], 0.4667, "65+ population share");
  json children = Cell(d, "age", "12-15");
  EXPECT_EQ(children["count"], 0);
  ExpectShare(children["population_share"], 0.0, "12-15 population share");
  EXPECT_TRUE(children["ratio"].is_null()) << "no ratio against nobody: " << children;
  EXPECT_TRUE(Cell(d, "age", "20-29")["population_share"].is_null()) << "no figure for 20-29";

  // District: söder 3 is small, and norr 9 would be 12 - 3: both hidden. People per district
  // are their age bands.
  EXPECT_TRUE(Cell(d, "district", "norr")["count"].is_null()) << d["dimensions"]["district"];
  EXPECT_TRUE(Cell(d, "district", "söder")["count"].is_null()) << d["dimensions"]["district"];
  ExpectShare(Cell(d, "district", "norr")["population_share"], 0.6667, "norr population share");
  ExpectShare(Cell(d, "district", "söder")["population_share"], 0.3333, "söder population share");

  EXPECT_EQ(d["channels"], json::parse(R"([{"channel": "online", "count": 13}])"));
  ASSERT_EQ(d["weeks"].size(), 1u) << d["weeks"];
  EXPECT_EQ(d["weeks"][0]["count"], 13);
  EXPECT_EQ(d["public"], false);

  // The manager's outreach list: the groups furthest below their share, worst first. The
  // district views show nothing here: söder (3) is small, and norr (9) is hidden with it, since
  // 12 - 9 would give söder back.
  json gaps = json::parse(R"([
    {"district": null, "dimension": "gender", "value": "woman", "ratio": 0.9375}])");
  EXPECT_EQ(d["gaps"], gaps);

  // Every stage: anyone who took part (p14 supported: woman 7 of 13).
  json any = Dashboard("?stage=any", T("manager"));
  EXPECT_EQ(any["participants"], kProposers + 1);
  EXPECT_EQ(any["answered"]["gender"], 13);
  EXPECT_EQ(Cell(any, "gender", "woman")["count"], 7);
  ExpectShare(Cell(any, "gender", "woman")["share"], 0.5385, "woman share, any stage");
  EXPECT_EQ(Dashboard("", T("manager"))["stage"], "proposed") << "the default stage: the process is in its proposals phase";
  // One person supported: too few to show.
  json supported = Dashboard("?stage=supported", T("manager"));
  EXPECT_TRUE(supported["participants"].is_null()) << supported["participants"];
  EXPECT_TRUE(supported["answered"]["gender"].is_null()) << supported["answered"];
  EXPECT_TRUE(Cell(supported, "gender", "woman")["count"].is_null());
  EXPECT_TRUE(supported["channels"][0]["count"].is_null()) << supported["channels"];
  // Nobody voted: zeros, not hidden.
  json voted = Dashboard("?stage=voted", T("manager"));
  EXPECT_EQ(voted["participants"], 0);
  EXPECT_EQ(Cell(voted, "gender", "woman")["count"], 0);
  EXPECT_TRUE(Cell(voted, "gender", "woman")["share"].is_null()) << "no share of nobody";

  // A district: its own people are the reference (norr: woman 500, man 400, other 100).
  json norr = Dashboard("?stage=proposed&district=norr", T("manager"));
  EXPECT_EQ(norr["district"], "norr");
  ExpectShare(Cell(norr, "gender", "woman")["population_share"], 0.5, "woman in norr");
  ExpectShare(Cell(norr, "gender", "man")["population_share"], 0.4, "man in norr");
  ExpectShare(Cell(norr, "gender", "other")["population_share"], 0.1, "other in norr");
  EXPECT_EQ(Cell(norr, "gender", "other")["count"], 0);
  ExpectShare(Cell(norr, "age", "65+")["population_share"], 0.5, "65+ in norr");
  json soder = Dashboard("?stage=proposed&district=s%C3%B6der", T("manager"));
  EXPECT_EQ(soder["district"], "söder");
  EXPECT_TRUE(soder["participants"].is_null()) << "three people";
  EXPECT_TRUE(soder["answered"]["gender"].is_null());
  EXPECT_TRUE(Cell(soder, "gender", "man")["count"].is_null());
  ExpectShare(Cell(soder, "gender", "woman")["population_share"], 0.6, "woman in söder");

  // Asked for what does not exist.
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion?stage=bogus", T("manager")).status, 422);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion?district=atlantis", T("manager")).status, 422);
  EXPECT_EQ(Get("/api/v1/processes/nope/inclusion", T("manager")).status, 404);
}

TEST_F(Inclusion, TheDashboardIsPrivateUntilTheManagerPublishesIt) {
  Baseline();
  Publish("dash", false);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion?stage=proposed").status, 401);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion?stage=proposed", T("resident")).status, 403);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion?stage=proposed", T("staff")).status, 403);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion.csv?stage=proposed").status, 401);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion.csv?stage=proposed", T("resident")).status, 403);
  EXPECT_EQ(HttpClient(server_->port()).Get("/processes/dash/inclusion").status / 100, 4) << "nor the page";
  EXPECT_EQ(Api("PUT", "/api/v1/processes/dash/inclusion", json{{"public", true}}, T("resident")).status, 403);
  EXPECT_EQ(Api("PUT", "/api/v1/processes/dash/inclusion", json{{"public", true}}, "").status, 401);
  int wrong = Api("PUT", "/api/v1/processes/dash/inclusion", json{{"public", "yes"}}, T("manager")).status;
  EXPECT_TRUE(wrong >= 400 && wrong < 500) << wrong;
  int missing = Api("PUT", "/api/v1/processes/dash/inclusion", json::object(), T("manager")).status;
  EXPECT_TRUE(missing >= 400 && missing < 500) << missing;
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion").status, 401) << "still private";

  auto published = Api("PUT", "/api/v1/processes/dash/inclusion", json{{"public", true}}, T("manager"));
  ASSERT_EQ(published.status, 200) << published.body;
  EXPECT_EQ(json::parse(published.body)["public"], true);
  for (const std::string query : {"?stage=proposed", "?stage=supported", "?stage=proposed&district=norr"}) {
    json manager = Dashboard(query, T("manager"));
    ASSERT_TRUE(manager.contains("gaps")) << query;
    manager.erase("gaps");
    json anyone = Dashboard(query, "");
    EXPECT_FALSE(anyone.contains("gaps")) << "the outreach list is the managers'";
    EXPECT_EQ(anyone, manager) << query << ": everyone sees the same suppressed numbers";
    EXPECT_EQ(Dashboard(query, T("resident")), anyone) << query;
  }
  json anyone = Dashboard("?stage=proposed", "");
  EXPECT_EQ(anyone["public"], true);
  EXPECT_TRUE(Cell(anyone, "gender", "other")["count"].is_null());
  EXPECT_TRUE(Cell(anyone, "gender", "man")["count"].is_null());
  EXPECT_EQ(Cell(anyone, "gender", "woman")["count"], 6);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion?stage=bogus").status, 422);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion?district=unknown").status, 422);

  // The page, without JavaScript: the small cell is "< 5", the hidden 5 is not shown.
  auto page = HttpClient(server_->port()).Get("/processes/dash/inclusion?stage=proposed");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("<th scope=\"row\">Annat</th><td>&lt; 5</td>"), std::string::npos) << "other is shown as < 5";
  EXPECT_NE(page.body.find("<th scope=\"row\">Kvinna</th><td>6</td>"), std::string::npos);
  EXPECT_EQ(page.body.find("<th scope=\"row\">Man</th><td>5</td>"), std::string::npos) << "the hidden 5 is not on the page";
  EXPECT_NE(page.body.find("role=\"img\""), std::string::npos) << "the charts";
  EXPECT_EQ(page.body.find("exact=1"), std::string::npos) << "no exact export link for everyone";

  Publish("dash", false);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion").status, 401) << "private again";
}

TEST_F(Inclusion, TheCsvShowsSmallCellsAsUnderFiveExceptInTheManagersExactExport) {
  Baseline();
  Publish("dash", true);
  auto open = Get("/api/v1/processes/dash/inclusion.csv?stage=proposed");
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_NE(open.Header("content-type").find("text/csv"), std::string::npos) << open.Header("content-type");
  auto rows = CsvRows(open.body);
  ASSERT_TRUE(rows.count("gender/other")) << open.body;
  EXPECT_EQ(rows["gender/other"][0], "proposed");
  EXPECT_EQ(rows["gender/other"][4], "<5") << open.body;
  EXPECT_EQ(rows["gender/other"][5], "12") << "answered";
  EXPECT_EQ(rows["gender/other"][6], "") << "no share";
  EXPECT_EQ(rows["gender/other"][8], "") << "no ratio";
  EXPECT_EQ(rows["gender/woman"][4], "6");
  EXPECT_EQ(rows["gender/woman"][6], "0.5000");
  EXPECT_EQ(rows["gender/woman"][7], "0.5333");
  EXPECT_EQ(rows["gender/woman"][8], "0.9375");
  EXPECT_NE(rows["gender/man"][4], "5") << "the secondarily hidden cell is not given";
  EXPECT_EQ(rows["gender/man"][6], "");
  EXPECT_EQ(rows["gender/no_answer"][4], "0") << "0 is shown as 0";
  EXPECT_EQ(rows["age/30-44"][4], "<5");
  EXPECT_EQ(rows["age/65+"][4], "<5");
  EXPECT_EQ(rows["age/16-19"][4], "7");
  // The page's route serves the same file.
  auto page_csv = HttpClient(server_->port()).Get("/processes/dash/inclusion.csv?stage=proposed");
  EXPECT_EQ(page_csv.status, 200);
  EXPECT_EQ(page_csv.body, open.body);
  // The same for a resident.
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion.csv?stage=proposed", T("resident")).body, open.body);

  // Exact counts: managers only.
  auto exact = Get("/api/v1/processes/dash/inclusion.csv?stage=proposed&exact=1", T("manager"));
  ASSERT_EQ(exact.status, 200) << exact.body;
  auto x = CsvRows(exact.body);
  EXPECT_EQ(x["gender/other"][4], "1");
  EXPECT_EQ(x["gender/other"][6], "0.0833");
  EXPECT_EQ(x["gender/other"][8], "1.2500");
  EXPECT_EQ(x["gender/man"][4], "5");
  EXPECT_EQ(x["age/30-44"][4], "3");
  EXPECT_EQ(x["age/65+"][4], "2");
  EXPECT_EQ(x["district/norr"][4], "9");
  EXPECT_EQ(x["district/söder"][4], "3");
  EXPECT_EQ(exact.body.find("<5"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion.csv?stage=proposed&exact=1").status, 403);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion.csv?stage=proposed&exact=1", T("resident")).status, 403);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion.csv?stage=proposed&exact=1", T("staff")).status, 403);
  EXPECT_EQ(HttpClient(server_->port()).Get("/processes/dash/inclusion.csv?stage=proposed&exact=1").status, 403);
  // Filtered: the stage and district are on every row.
  auto norr = Get("/api/v1/processes/dash/inclusion.csv?stage=any&district=norr&exact=1", T("manager"));
  ASSERT_EQ(norr.status, 200) << norr.body;
  auto n = CsvRows(norr.body);
  EXPECT_EQ(n["gender/woman"][0], "any");
  EXPECT_EQ(n["gender/woman"][1], "norr");
  EXPECT_EQ(n["gender/woman"][4], "7") << "p01-p06 and p14";
  EXPECT_EQ(n["gender/man"][4], "3");
  Publish("dash", false);
}

TEST_F(Inclusion, TheDeskRecordsAnswersForARegisterPersonWhoAgrees) {
  Baseline();
  // Six people of the register in norr, who vote on paper at the library.
  std::string reg = "person_id,name,district\n";
  for (int i = 1; i <= 6; ++i) reg += "19800101-000" + std::to_string(i) + ",Person " + std::to_string(i) + ",norr\n";
  auto imported = Post("/api/v1/register", reg, "text/csv", T("admin"));
  ASSERT_EQ(imported.status, 200) << imported.body;

  const json answers = {{"gender", "woman"}, {"age", "30-44"}, {"district", "norr"}};
  auto desk = [&](const json& body, const std::string& token) { return Api("PUT", "/api/v1/inclusion/desk", body, token); };
  EXPECT_EQ(desk(json{{"person_id", "19991231-9999"}, {"consent", true}, {"answers", answers}}, T("staff")).status, 404) << "not in the register";
  EXPECT_EQ(desk(json{{"person_id", "19800101-0001"}, {"consent", true}, {"answers", answers}}, T("resident")).status, 403);
  EXPECT_EQ(desk(json{{"person_id", "19800101-0001"}, {"consent", true}, {"answers", answers}}, "").status, 401);
  EXPECT_EQ(desk(json{{"person_id", "19800101-0001"}, {"consent", false}}, T("staff")).status, 422) << "only with consent";
  EXPECT_EQ(desk(json{{"person_id", "19800101-0001"}, {"consent", true}, {"answers", {{"gender", "robot"}}}}, T("staff")).status, 422);
  int no_person = desk(json{{"consent", true}, {"answers", answers}}, T("staff")).status;
  EXPECT_TRUE(no_person >= 400 && no_person < 500) << no_person;
  EXPECT_EQ(desk(json{{"person_id", "19800101-0001"}, {"consent", true}, {"answers", answers}}, T("staff")).status, 200);
  for (int i = 2; i <= 5; ++i) {
    auto r = desk(json{{"person_id", "19800101000" + std::to_string(i)}, {"consent", true}, {"answers", answers}}, T("staff"));
    EXPECT_EQ(r.status, 200) << r.body;
  }
  // Another organisation's desk does not find them.
  EXPECT_EQ(Api("PUT", "/api/v1/inclusion/desk", json{{"person_id", "19800101-0001"}, {"consent", true}}, T("admin-b"), kHostB).status, 404);

  // A process to vote in: one proposal, reviewed, on the ballot.
  Process("desk", T("manager"), "");
  auto proposal = Api("POST", "/api/v1/processes/desk/proposals", json{{"title", "Bänkar"}, {"body", "Vid ån"}, {"budget", "b"}, {"cost", 5000}}, T("p01"));
  ASSERT_EQ(proposal.status, 201) << proposal.body;
  const int64_t project = json::parse(proposal.body)["id"].get<int64_t>();
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/desk", json{{"phase", "review"}}, T("manager")).status, 200);
  auto reviewed = Api("POST", "/api/v1/proposals/" + std::to_string(project) + "/review", json{{"feasible", true}, {"explanation", "Ok."}}, T("reviewer"));
  ASSERT_EQ(reviewed.status, 200) << reviewed.body;
  ASSERT_EQ(Api("PATCH", "/api/v1/processes/desk", json{{"phase", "voting"}}, T("manager")).status, 200);
  for (int i = 1; i <= 6; ++i) {
    auto r = Api("POST", "/api/v1/processes/desk/budgets/b/paper-ballots", json{{"person_id", "19800101-000" + std::to_string(i)}, {"projects", {project}}},
                 T("staff"));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // Who voted: six on paper, five of them answered at the desk (woman, 30-44, norr).
  json d = Dashboard("?stage=voted", T("manager"), "desk");
  EXPECT_EQ(d["participants"], 6);
  EXPECT_EQ(d["answered"]["gender"], 5);
  EXPECT_EQ(Cell(d, "gender", "woman")["count"], 5);
  ExpectShare(Cell(d, "gender", "woman")["share"], 1.0, "woman share among paper voters");
  EXPECT_EQ(Cell(d, "age", "30-44")["count"], 5);
  EXPECT_EQ(d["channels"], json::parse(R"([{"channel": "paper", "count": 6}])"));
  json proposed = Dashboard("?stage=proposed", T("manager"), "desk");
  EXPECT_TRUE(proposed["participants"].is_null()) << "p01 alone proposed";
}

TEST_F(Inclusion, AnotherOrganisationsDashboardPopulationAndAnswersAreApart) {
  Baseline();
  Publish("dash", false);
  // B's admin does not reach A's process, on B's host or A's.
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion", T("admin-b"), kHostB).status, 404);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion.csv?exact=1", T("admin-b"), kHostB).status, 404);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion", T("admin-b")).status, 403) << "no role in A";
  EXPECT_EQ(Api("PUT", "/api/v1/processes/dash/inclusion", json{{"public", true}}, T("admin-b"), kHostB).status, 404);
  EXPECT_EQ(Post("/api/v1/population", "district,dimension,value,count\nx,gender,woman,1\n", "text/csv", T("admin-b")).status, 403)
      << "B's admin is nobody in A";

  // B's population is B's.
  const std::string a_before = Get("/api/v1/population", T("manager")).body;
  auto b = Post("/api/v1/population", "district,dimension,value,count\nöster,gender,woman,70\nöster,gender,man,30\n", "text/csv", T("admin-b"), kHostB);
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(json::parse(b.body)["rows"], 2);
  EXPECT_EQ(Get("/api/v1/population", T("manager")).body, a_before);
  json b_rows = json::parse(Get("/api/v1/population", T("admin-b"), kHostB).body)["rows"];
  EXPECT_EQ(b_rows.size(), 2u) << b_rows;
  // B's districts are its own: A's are no answer there.
  auto b_questions = json::parse(Get("/api/v1/inclusion/questions", "", kHostB).body);
  EXPECT_EQ(Values(b_questions["questions"][2]["values"], "value"), std::vector<std::string>{"öster"});

  // The same person in both: separate answers.
  const json in_a = {{"gender", "woman"}, {"district", "norr"}};
  ASSERT_EQ(Api("PUT", "/api/v1/me/demographics", json{{"consent", true}, {"answers", in_a}}, T("resident")).status, 200);
  auto in_b = json::parse(Get("/api/v1/me/demographics", T("resident"), kHostB).body);
  EXPECT_EQ(in_b["asked"], false) << "answers in A are not answers in B: " << in_b;
  EXPECT_EQ(Api("PUT", "/api/v1/me/demographics", json{{"consent", true}, {"answers", {{"district", "norr"}}}}, T("resident"), kHostB).status, 422)
      << "norr is A's district";
  ASSERT_EQ(Api("PUT", "/api/v1/me/demographics", json{{"consent", true}, {"answers", {{"gender", "man"}, {"district", "öster"}}}}, T("resident"),
                kHostB)
                .status,
            200);
  EXPECT_EQ(json::parse(Get("/api/v1/me/demographics", T("resident")).body)["answers"], in_a) << "B's answers do not change A's";
  ASSERT_EQ(Api("DELETE", "/api/v1/me/demographics", json(), T("resident"), kHostB).status, 204);
  EXPECT_EQ(json::parse(Get("/api/v1/me/demographics", T("resident")).body)["answers"], in_a) << "deleting in B keeps A's";
  auto b_resident = Api("PUT", "/api/v1/me/demographics", json{{"consent", true}, {"answers", {{"gender", "other"}}}}, T("resident-b"), kHostB);
  EXPECT_EQ(b_resident.status, 200) << b_resident.body;
  EXPECT_EQ(json::parse(Get("/api/v1/me/demographics", T("resident-b")).body)["asked"], false);

  // B's dashboard counts B's people only: nobody has proposed there.
  json pb = json::parse(Get("/api/v1/processes/pb/inclusion?stage=any", T("admin-b"), kHostB).body);
  EXPECT_EQ(pb["participants"], 0);
  ExpectShare(Cell(pb, "gender", "woman")["population_share"], 0.7, "B's population");
  // A's numbers did not move.
  EXPECT_EQ(Dashboard("?stage=proposed", T("manager"))["participants"], kProposers);
  ExpectShare(Cell(Dashboard("?stage=proposed", T("manager")), "gender", "woman")["population_share"], 0.5333, "A's population");
}

// A district filter must not reveal what the unfiltered view hides. The district question hides
// söder (3) and, secondarily, norr (9) of 12 answered; the view filtered on norr would show 9
// participants, so söder = 12 - 9 = 3 would come back: it shows nothing.
TEST_F(Inclusion, AFilteredViewDoesNotRevealAHiddenDistrict) {
  Baseline();
  json all = Dashboard("?stage=proposed", T("manager"));
  ASSERT_TRUE(Cell(all, "district", "norr")["count"].is_null());
  ASSERT_EQ(all["answered"]["district"], 12);
  json norr = Dashboard("?stage=proposed&district=norr", T("manager"));
  EXPECT_TRUE(norr["participants"].is_null()) << "norr's 9 is hidden in the district question, and 12 - 9 gives söder's 3";
}

// Two stages, one within the other, would give away the few who differ: only p14 took part
// without proposing, so "any" (14, 7 women) against "proposed" (13, 6) shows one woman who only
// supported. "Any" is therefore the managers' alone, even on a published dashboard.
TEST_F(Inclusion, AllStagesTogetherAreShownOnlyToManagers) {
  Baseline();
  ASSERT_EQ(Api("PUT", "/api/v1/processes/dash/inclusion", json{{"public", true}}, T("manager")).status, 200);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion?stage=any").status, 403);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion?stage=any", T("resident")).status, 403);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion.csv?stage=any").status, 403);
  EXPECT_EQ(Get("/api/v1/processes/dash/inclusion?stage=proposed").status, 200);
  json any = Dashboard("?stage=any", T("manager"));
  EXPECT_EQ(any["participants"], 14);
  auto page = Get("/processes/dash/inclusion");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("stage=any"), std::string::npos) << "no link to a stage the reader may not see";
  ASSERT_EQ(Api("PUT", "/api/v1/processes/dash/inclusion", json{{"public", false}}, T("manager")).status, 200);
}

}  // namespace
}  // namespace ting::testing
