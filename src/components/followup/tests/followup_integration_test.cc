// The follow-up of funded projects over real HTTP against the real binary: the public page and
// API, staff updates by API and by form, who is refused, another organisation's ids, and input
// that is refused as a whole (4xx, never 500) without losing or half-applying anything.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kPassword = "a long test password";
constexpr const char* kHostB = "b.example";

class FollowUp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(TempPath("followup.db"));
    std::string out;
    auto ting = [&](std::vector<std::string> args) { ASSERT_EQ(RunTing(args, &out), 0) << out; };
    ting({"user", "add", "--db", *db_, "--email", "manager@example.se", "--password", kPassword, "--role", "manager"});
    ting({"user", "add", "--db", *db_, "--email", "reviewer@example.se", "--password", kPassword, "--role", "reviewer"});
    ting({"user", "add", "--db", *db_, "--email", "resident@example.se", "--password", kPassword});
    ting({"org", "add", "--db", *db_, "--slug", "b", "--name", "B kommun", "--host", kHostB});
    ting({"user", "add", "--db", *db_, "--email", "admin-b@example.se", "--password", kPassword, "--role", "admin", "--org", "b"});
    server_ = new ServerProcess(*db_);
    manager_ = new std::string(Token("manager@example.se"));
    reviewer_ = new std::string(Token("reviewer@example.se"));
    resident_ = new std::string(Token("resident@example.se"));
    admin_b_ = new std::string(Token("admin-b@example.se", kHostB));
    ASSERT_FALSE(manager_->empty() || reviewer_->empty() || resident_->empty() || admin_b_->empty());

    // Organisation A: 1000 for three projects; greedy funds p0 (600) and p2 (300), not p1 (500).
    ids_ = new std::vector<int64_t>(Funded("parken", {600, 500, 300}, {{0, 1}, {0, 2}, {0, 1}, {2}}, *manager_, *reviewer_, ""));
    // Organisation B: one funded project.
    ids_b_ = new std::vector<int64_t>(Funded("pb", {400}, {{0}}, *admin_b_, *admin_b_, kHostB));
  }
  static void TearDownTestSuite() {
    delete server_;
    for (auto* s : {db_, manager_, reviewer_, resident_, admin_b_}) delete s;
    delete ids_;
    delete ids_b_;
  }

  static HttpResponse Api(const std::string& method, const std::string& path, const std::string& body, const std::string& token,
                          const std::string& host = "") {
    std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    if (!host.empty()) headers["Host"] = host;
    return HttpClient(server_->port()).Request(method, path, body, headers);
  }
  static HttpResponse Api(const std::string& method, const std::string& path, const json& body, const std::string& token,
                          const std::string& host = "") {
    return Api(method, path, body.is_null() ? std::string() : body.dump(), token, host);
  }
  static std::string Token(const std::string& email, const std::string& host = "") {
    auto r = Api("POST", "/api/v1/session", json{{"email", email}, {"password", kPassword}}, "", host);
    return r.status == 200 ? json::parse(r.body)["token"].get<std::string>() : "";
  }
  // A new resident with an API token, registered on the host's organisation.
  static std::string Resident(const std::string& name, const std::string& host) {
    std::string email = name + "@example.se";
    auto r = Api("POST", "/api/v1/users", json{{"email", email}, {"password", kPassword}, {"name", name}}, "", host);
    EXPECT_EQ(r.status, 201) << r.body;
    return Token(email, host);
  }

  // A process in the results phase whose votes are counted; returns its projects' ids.
  static std::vector<int64_t> Funded(const std::string& slug, const std::vector<int64_t>& costs,
                                     const std::vector<std::vector<int>>& ballots, const std::string& manager,
                                     const std::string& reviewer, const std::string& host) {
    json process = {{"slug", slug}, {"title", {{"sv", "Uppföljning " + slug}, {"en", "Follow-up " + slug}}}, {"phase", "proposals"},
                    {"budgets", json::array({{{"slug", "b"}, {"name", "B"}, {"amount", 1000}, {"currency", "SEK"},
                                              {"ballot", {{"type", "approval"}, {"max", 2}}}, {"rule", "greedy"}}})}};
    auto created = Api("POST", "/api/v1/processes", process, manager, host);
    EXPECT_EQ(created.status, 201) << created.body;
    std::string proposer = Resident("proposer-" + slug, host);
    std::vector<int64_t> ids;
    for (size_t i = 0; i < costs.size(); ++i) {
      auto p = Api("POST", "/api/v1/processes/" + slug + "/proposals",
                   json{{"title", "Projekt " + slug + " " + std::to_string(i)}, {"body", "Beskrivning"}, {"budget", "b"}, {"cost", costs[i]}},
                   proposer, host);
      EXPECT_EQ(p.status, 201) << p.body;
      ids.push_back(p.status == 201 ? json::parse(p.body)["id"].get<int64_t>() : 0);
    }
    EXPECT_EQ(Api("PATCH", "/api/v1/processes/" + slug, json{{"phase", "review"}}, manager, host).status, 200);
    for (size_t i = 0; i < ids.size(); ++i) {
      auto r = Api("POST", "/api/v1/proposals/" + std::to_string(ids[i]) + "/review",
                   json{{"feasible", true}, {"cost", costs[i]}, {"explanation", "Genomförbart."}}, reviewer, host);
      EXPECT_EQ(r.status, 200) << r.body;
    }
    EXPECT_EQ(Api("PATCH", "/api/v1/processes/" + slug, json{{"phase", "voting"}}, manager, host).status, 200);
    for (size_t v = 0; v < ballots.size(); ++v) {
      json projects = json::array();
      for (int i : ballots[v]) projects.push_back(ids[i]);
      auto r = Api("PUT", "/api/v1/processes/" + slug + "/budgets/b/ballot", json{{"projects", projects}},
                   Resident("voter-" + slug + std::to_string(v), host), host);
      EXPECT_EQ(r.status, 200) << r.body;
    }
    EXPECT_EQ(Api("PATCH", "/api/v1/processes/" + slug, json{{"phase", "results"}}, manager, host).status, 200);
    auto counted = Api("POST", "/api/v1/processes/" + slug + "/budgets/b/count", json::object(), manager, host);
    EXPECT_EQ(counted.status, 200) << counted.body;
    return ids;
  }

  static std::string Path(const std::string& slug, int64_t id) { return "/api/v1/processes/" + slug + "/followup/" + std::to_string(id); }
  static HttpResponse Update(int64_t id, const json& body, const std::string& token) { return Api("POST", Path("parken", id), body, token); }

  // The follow-up list as the public API gives it (what every check compares, before and after).
  static json List(const std::string& slug = "parken", const std::string& host = "") {
    auto r = Api("GET", "/api/v1/processes/" + slug + "/followup", json(), "", host);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body)["projects"] : json();
  }
  static json Project(int64_t id) {
    for (const auto& p : List())
      if (p["id"] == id) return p;
    return json();
  }

  // A browser signed in on organisation A (empty email: anonymous), and a form posted with the
  // CSRF token of a page.
  static std::unique_ptr<HttpClient> Browser(const std::string& email) {
    auto c = std::make_unique<HttpClient>(server_->port());
    if (email.empty()) return c;
    auto form = c->Get("/sign-in");
    EXPECT_EQ(c->PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", email}, {"password", kPassword}}).status, 303);
    return c;
  }
  static HttpResponse Form(HttpClient& c, const std::string& path, std::vector<std::pair<std::string, std::string>> fields) {
    auto page = c.Get("/");
    fields.insert(fields.begin(), {"csrf", FormValue(page.body, "csrf")});
    return c.PostForm(path, fields);
  }
  // The card of one project on the public page.
  static std::string Card(const std::string& page, int64_t id) {
    auto at = page.find("id=\"project-" + std::to_string(id) + "\"");
    if (at == std::string::npos) return "";
    return page.substr(at, page.find("</li>\n", at) - at);
  }

  int64_t p0() const { return (*ids_)[0]; }
  int64_t p1() const { return (*ids_)[1]; }
  int64_t p2() const { return (*ids_)[2]; }

  static std::string* db_;
  static ServerProcess* server_;
  static std::string *manager_, *reviewer_, *resident_, *admin_b_;
  static std::vector<int64_t>*ids_, *ids_b_;
};
std::string* FollowUp::db_ = nullptr;
ServerProcess* FollowUp::server_ = nullptr;
std::string *FollowUp::manager_ = nullptr, *FollowUp::reviewer_ = nullptr, *FollowUp::resident_ = nullptr, *FollowUp::admin_b_ = nullptr;
std::vector<int64_t>*FollowUp::ids_ = nullptr, *FollowUp::ids_b_ = nullptr;

TEST_F(FollowUp, PublicPageAndApiListTheFundedProjectsOnly) {
  json list = List();
  ASSERT_EQ(list.size(), 2u) << list.dump();
  for (const auto& p : list) {
    EXPECT_TRUE(p["id"] == p0() || p["id"] == p2()) << "only funded projects: " << p.dump();
    EXPECT_EQ(p["budget"], "b");
    EXPECT_TRUE(p["status"].is_string());
    EXPECT_TRUE(p["progress"].is_number_integer());
    EXPECT_TRUE(p["updates"].is_array());
  }
  EXPECT_EQ(Project(p0())["cost"], 600);
  EXPECT_EQ(Project(p0())["title"], "Projekt parken 0");

  HttpClient anonymous(server_->port());
  auto page = anonymous.Get("/processes/parken/followup");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(Card(page.body, p0()), "");
  EXPECT_NE(Card(page.body, p2()), "");
  EXPECT_EQ(Card(page.body, p1()), "") << "an unfunded project is not followed up";
  EXPECT_NE(page.body.find("Projekt parken 2"), std::string::npos);
  EXPECT_NE(Card(page.body, p2()).find("<progress"), std::string::npos);
  EXPECT_EQ(page.body.find("action=\"/processes/parken/followup/"), std::string::npos) << "no forms for the public";

  EXPECT_EQ(anonymous.Get("/processes/nowhere/followup").status, 404);
  EXPECT_EQ(Api("GET", "/api/v1/processes/nowhere/followup", json(), "").status, 404);
}

TEST_F(FollowUp, StaffUpdateStatusProgressAndNewsByApi) {
  const json other_before = Project(p2());
  const size_t news = Project(p0())["updates"].size();
  auto r = Update(p0(), json{{"status", "in_progress"}, {"progress", 40}, {"update", "Marken är **grävd**."}}, *manager_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["projects"], List()) << "the answer is the new list";
  json p = Project(p0());
  EXPECT_EQ(p["status"], "in_progress");
  EXPECT_EQ(p["progress"], 40);
  ASSERT_EQ(p["updates"].size(), news + 1);
  EXPECT_EQ(p["updates"][0]["body"], "Marken är **grävd**.");
  EXPECT_GT(p["updates"][0]["created_at"].get<int64_t>(), 0);

  // Each field alone changes only itself.
  ASSERT_EQ(Update(p0(), json{{"progress", 55}}, *manager_).status, 200);
  EXPECT_EQ(Project(p0())["status"], "in_progress");
  ASSERT_EQ(Update(p0(), json{{"update", "Bänkarna är beställda."}}, *manager_).status, 200);
  p = Project(p0());
  EXPECT_EQ(p["progress"], 55);
  ASSERT_EQ(p["updates"].size(), news + 2);
  EXPECT_EQ(p["updates"][0]["body"], "Bänkarna är beställda.") << "newest first";
  EXPECT_EQ(p["updates"][1]["body"], "Marken är **grävd**.");
  ASSERT_EQ(Update(p0(), json{{"update", "  \n\t "}}, *manager_).status, 200);
  EXPECT_EQ(Project(p0())["updates"].size(), news + 2) << "white space is no news";
  ASSERT_EQ(Update(p0(), json{{"status", nullptr}, {"progress", 60}}, *manager_).status, 200) << "null is absent";
  EXPECT_EQ(Project(p0())["status"], "in_progress");

  HttpClient anonymous(server_->port());
  std::string card = Card(anonymous.Get("/processes/parken/followup").body, p0());
  EXPECT_NE(card.find("status-in_progress"), std::string::npos) << card;
  EXPECT_NE(card.find("value=\"60\""), std::string::npos) << card;
  EXPECT_NE(card.find("<strong>grävd</strong>"), std::string::npos) << "news is Markdown: " << card;
  EXPECT_EQ(Project(p2()), other_before) << "the other project is untouched";
}

TEST_F(FollowUp, StaffUpdateByFormWithCsrf) {
  auto manager = Browser("manager@example.se");
  auto page = manager->Get("/processes/parken/followup");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("action=\"/processes/parken/followup/" + std::to_string(p2()) + "\""), std::string::npos)
      << "staff see the form";
  std::string path = "/processes/parken/followup/" + std::to_string(p2());

  auto no_csrf = manager->PostForm(path, {{"status", "cancelled"}, {"progress", "1"}, {"body", "x"}});
  EXPECT_EQ(no_csrf.status, 403);
  auto wrong_csrf = manager->PostForm(path, {{"csrf", "forged"}, {"status", "cancelled"}});
  EXPECT_EQ(wrong_csrf.status, 403);
  EXPECT_NE(Project(p2())["status"], "cancelled") << "no change without the token";

  auto saved = Form(*manager, path, {{"status", "done"}, {"progress", " 100 "}, {"body", "Invigd i maj.\n\nTack alla!"}});
  ASSERT_EQ(saved.status, 303) << saved.body;
  EXPECT_EQ(saved.Header("location"), "/processes/parken/followup");
  json p = Project(p2());
  EXPECT_EQ(p["status"], "done");
  EXPECT_EQ(p["progress"], 100);
  ASSERT_FALSE(p["updates"].empty());
  EXPECT_EQ(p["updates"][0]["body"], "Invigd i maj.\n\nTack alla!");
  std::string card = Card(manager->Get("/processes/parken/followup").body, p2());
  EXPECT_NE(card.find("status-done"), std::string::npos) << card;
  EXPECT_NE(card.find("Tack alla!"), std::string::npos) << card;

  // A form with only the news keeps status and progress; an empty status or progress is no change.
  ASSERT_EQ(Form(*manager, path, {{"status", ""}, {"progress", ""}, {"body", "Efterarbete klart."}}).status, 303);
  p = Project(p2());
  EXPECT_EQ(p["status"], "done");
  EXPECT_EQ(p["progress"], 100);
  EXPECT_EQ(p["updates"][0]["body"], "Efterarbete klart.");
}

TEST_F(FollowUp, ResidentsReviewersAndAnonymousAreRefused) {
  const json before = List();
  for (const std::string* token : {resident_, reviewer_}) {
    auto r = Update(p0(), json{{"status", "cancelled"}, {"update", "nej"}}, *token);
    EXPECT_EQ(r.status, 403) << r.body;
  }
  auto anonymous_api = Update(p0(), json{{"status", "cancelled"}}, "");
  EXPECT_EQ(anonymous_api.status, 401) << anonymous_api.body;
  EXPECT_EQ(Update(p0(), json{{"status", "cancelled"}}, "not-a-token").status, 401);

  std::string path = "/processes/parken/followup/" + std::to_string(p0());
  auto resident = Browser("resident@example.se");
  EXPECT_EQ(Form(*resident, path, {{"status", "cancelled"}, {"body", "nej"}}).status, 403);
  EXPECT_EQ(resident->Get("/processes/parken/followup").body.find("action=\"/processes/parken/followup/"), std::string::npos)
      << "no form for residents";
  auto anonymous = Browser("");
  EXPECT_EQ(Form(*anonymous, path, {{"status", "cancelled"}}).status, 401) << "the sign-in form, not a change";
  EXPECT_EQ(List(), before) << "nothing changed";
}

TEST_F(FollowUp, AnotherOrganisationsIdsAreNotFound) {
  const int64_t b = (*ids_b_)[0];
  const json before_b = List("pb", kHostB);
  ASSERT_EQ(before_b.size(), 1u) << before_b.dump();
  const json before_a = List();
  json change = {{"status", "cancelled"}, {"progress", 99}, {"update", "kapad"}};

  EXPECT_EQ(Api("POST", Path("pb", b), change, *manager_).status, 404) << "B's process is not found on A's host";
  EXPECT_EQ(Api("POST", Path("parken", b), change, *manager_).status, 404) << "B's project is no funded project of A's process";
  EXPECT_EQ(Api("GET", "/api/v1/processes/pb/followup", json(), *manager_).status, 404);
  EXPECT_EQ(Api("POST", Path("pb", b), change, *manager_, kHostB).status, 403) << "A's manager has no role in B";
  EXPECT_EQ(Api("POST", Path("parken", p0()), change, *admin_b_, kHostB).status, 404) << "A's process is not found on B's host";
  EXPECT_EQ(Api("POST", Path("parken", p0()), change, *admin_b_).status, 403) << "B's admin has no role in A";

  // Ids that are not funded projects of this process at all.
  EXPECT_EQ(Update(p1(), change, *manager_).status, 404) << "not funded";
  EXPECT_EQ(Api("POST", "/api/v1/processes/parken/followup/abc", change, *manager_).status, 404);
  EXPECT_EQ(Api("POST", "/api/v1/processes/parken/followup/99999999999", change, *manager_).status, 404);
  EXPECT_EQ(Api("POST", "/api/v1/processes/parken/followup/-1", change, *manager_).status, 404);

  auto manager = Browser("manager@example.se");
  std::vector<std::pair<std::string, std::string>> fields = {{"status", "cancelled"}, {"progress", "99"}, {"body", "kapad"}};
  EXPECT_EQ(Form(*manager, "/processes/pb/followup/" + std::to_string(b), fields).status, 404);
  EXPECT_EQ(Form(*manager, "/processes/parken/followup/" + std::to_string(b), fields).status, 404);
  EXPECT_EQ(Form(*manager, "/processes/parken/followup/" + std::to_string(p1()), fields).status, 404);

  EXPECT_EQ(List("pb", kHostB), before_b) << "B's follow-up changed";
  EXPECT_EQ(List(), before_a) << "A's follow-up changed";
}

TEST_F(FollowUp, InvalidApiInputIsRefusedWholeWithA4xx) {
  ASSERT_EQ(Update(p2(), json{{"status", "in_progress"}, {"progress", 30}, {"update", "Start."}}, *manager_).status, 200);
  const json before = List();
  struct Case {
    std::string body, why;
  };
  // Every case also carries a valid news text: a refused request must not keep it.
  const std::vector<Case> cases = {
      {R"({"status": "finished", "update": "lost?"})", "unknown status"},
      {R"({"status": "", "update": "lost?"})", "empty status"},
      {R"({"status": "DONE", "update": "lost?"})", "status in the wrong case"},
      {R"({"status": 3, "update": "lost?"})", "status of the wrong type"},
      {R"({"status": ["done"], "update": "lost?"})", "status as an array"},
      {R"({"progress": -1, "update": "lost?"})", "progress below 0"},
      {R"({"progress": 101, "update": "lost?"})", "progress above 100"},
      {R"({"progress": 9223372036854775807, "update": "lost?"})", "progress at int64's end"},
      {R"({"progress": -9223372036854775808, "update": "lost?"})", "progress at int64's start"},
      {R"({"progress": 18446744073709551615, "update": "lost?"})", "progress past int64"},
      {R"({"progress": 50.5, "update": "lost?"})", "a fraction"},
      {R"({"progress": 1e2, "update": "lost?"})", "a float that is a whole number"},
      {R"({"progress": "50", "update": "lost?"})", "progress as a string"},
      {R"({"progress": true, "update": "lost?"})", "progress as a boolean"},
      {R"({"status": "done", "update": 5})", "news of the wrong type"},
      {R"({"status": "done", "update": {"text": "x"}})", "news as an object"},
      {R"({"status": "done", "update": "lost?")", "JSON cut short"},
      {R"(["status", "done"])", "an array, not an object"},
      {"", "no body"},
      {"{\"status\": \"done\", \"update\": \"bad \xC0\xAF\"}", "ill-formed UTF-8"},
      {"{\"status\": \"done\", \"update\": \"bad \xED\xA0\x80\"}", "a UTF-16 surrogate in UTF-8"},
  };
  for (const auto& c : cases) {
    auto r = Api("POST", Path("parken", p2()), c.body, *manager_);
    EXPECT_GE(r.status, 400) << c.why << ": " << r.body;
    EXPECT_LT(r.status, 500) << c.why << ": " << r.body;
    if (r.status >= 400 && r.status < 500 && r.status != 404) {
      auto body = json::parse(r.body, nullptr, false);
      EXPECT_TRUE(body.is_object() && body.contains("error")) << c.why << ": an error the client can show: " << r.body;
    }
  }
  EXPECT_EQ(List(), before) << "a refused request changed something";
  // The limits themselves are allowed.
  ASSERT_EQ(Update(p2(), json{{"progress", 0}}, *manager_).status, 200);
  EXPECT_EQ(Project(p2())["progress"], 0);
  ASSERT_EQ(Update(p2(), json{{"progress", 100}}, *manager_).status, 200);
  EXPECT_EQ(Project(p2())["progress"], 100);
}

TEST_F(FollowUp, InvalidFormInputIsRefusedWholeWithA4xx) {
  auto manager = Browser("manager@example.se");
  std::string path = "/processes/parken/followup/" + std::to_string(p0());
  ASSERT_EQ(Form(*manager, path, {{"status", "in_progress"}, {"progress", "20"}}).status, 303);
  const json before = List();
  const std::vector<std::vector<std::pair<std::string, std::string>>> cases = {
      {{"status", "finished"}, {"body", "lost?"}},
      {{"status", "done"}, {"progress", "abc"}, {"body", "lost?"}},
      {{"status", "done"}, {"progress", "101"}, {"body", "lost?"}},
      {{"status", "done"}, {"progress", "-1"}, {"body", "lost?"}},
      {{"status", "done"}, {"progress", "50.5"}, {"body", "lost?"}},
      {{"status", "done"}, {"progress", "99999999999999999999"}, {"body", "lost?"}},
      {{"status", "done"}, {"body", "bad \xC0\xAF"}},
  };
  for (const auto& fields : cases) {
    auto r = Form(*manager, path, fields);
    EXPECT_GE(r.status, 400) << fields.back().second << " " << r.body.substr(0, 200);
    EXPECT_LT(r.status, 500) << fields.back().second << " " << r.body.substr(0, 200);
  }
  EXPECT_EQ(List(), before) << "a refused form changed something";
}

TEST_F(FollowUp, WellFormedTextIsKeptExactlyAndShownEscaped) {
  std::string text = "Åsa’s <b>bygge</b> & \"citat\" 🌳 <script>alert(1)</script>\nrad två";
  auto r = Update(p0(), json{{"update", "  " + text + "\n\n"}}, *manager_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Project(p0())["updates"][0]["body"], text) << "stored as sent, only the outer white space trimmed";
  HttpClient anonymous(server_->port());
  std::string card = Card(anonymous.Get("/processes/parken/followup").body, p0());
  EXPECT_NE(card.find("🌳"), std::string::npos);
  EXPECT_EQ(card.find("<script>alert(1)</script>"), std::string::npos) << "never raw HTML";
  EXPECT_EQ(card.find("<b>bygge</b>"), std::string::npos) << "never raw HTML";
}

}  // namespace
}  // namespace ting::testing
