// Meetings of a participatory budget over real HTTP against the real binary: an information
// evening with sign-ups and a capacity, its material, who may do what, the page and its form,
// and another organisation's meetings.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kPassword = "a long test password";
constexpr const char* kHostB = "b.example";

class Meetings : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(TempPath("meetings.db"));
    std::string out;
    auto ting = [&](std::vector<std::string> args) { ASSERT_EQ(RunTing(args, &out), 0) << out; };
    ting({"user", "add", "--db", *db_, "--email", "manager@example.se", "--password", kPassword, "--role", "manager"});
    ting({"user", "add", "--db", *db_, "--email", "resident@example.se", "--password", kPassword});
    ting({"org", "add", "--db", *db_, "--slug", "b", "--name", "B kommun", "--host", kHostB});
    ting({"user", "add", "--db", *db_, "--email", "admin-b@example.se", "--password", kPassword, "--role", "admin", "--org", "b"});
    server_ = new ServerProcess(*db_);
    manager_ = new std::string(Token("manager@example.se"));
    resident_ = new std::string(Token("resident@example.se"));
    admin_b_ = new std::string(Token("admin-b@example.se", kHostB));
    ASSERT_FALSE(manager_->empty() || resident_->empty() || admin_b_->empty());
    Process("pa", *manager_, "");
    Process("pb", *admin_b_, kHostB);
  }
  static void TearDownTestSuite() {
    delete server_;
    for (auto* s : {db_, manager_, resident_, admin_b_}) delete s;
  }

  static HttpResponse Api(const std::string& method, const std::string& path, const json& body, const std::string& token,
                          const std::string& host = "") {
    return HttpClient(server_->port()).Api(method, path, body.is_null() ? std::string() : body.dump(), token, host);
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
  static int64_t Id(const HttpResponse& r) { return r.status / 100 == 2 ? json::parse(r.body)["id"].get<int64_t>() : 0; }
  static json Evening(const std::string& date, bool sign_up, int capacity) {
    return {{"title", {{"sv", "Informationskväll"}, {"en", "Information evening"}}},
            {"starts_at", date + "T18:00"},
            {"ends_at", date + "T20:00"},
            {"place", "Biblioteket"},
            {"video_url", "https://video.example.se/kvall"},
            {"agenda", {{"sv", "1. Så fungerar medborgarbudgeten\n2. Frågor"}}},
            {"speakers", json::array({{{"name", "Karin Ek"}, {"about", "projektledare"}}})},
            {"sign_up", sign_up},
            {"capacity", capacity}};
  }
  static json Person(const std::string& name, bool consent = true) {
    return {{"name", name}, {"email", name + "@example.se"}, {"phone", "070-555 12 34"}, {"needs", "hörslinga"}, {"consent", consent}};
  }

  static std::string* db_;
  static ServerProcess* server_;
  static std::string *manager_, *resident_, *admin_b_;
};
std::string* Meetings::db_ = nullptr;
ServerProcess* Meetings::server_ = nullptr;
std::string* Meetings::manager_ = nullptr;
std::string* Meetings::resident_ = nullptr;
std::string* Meetings::admin_b_ = nullptr;

TEST_F(Meetings, AnInformationEveningTakesSignUpsUntilItIsFull) {
  auto created = Api("POST", "/api/v1/processes/pa/meetings", Evening("2099-03-01", true, 2), *manager_);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string base = "/api/v1/processes/pa/meetings/" + std::to_string(Id(created));

  EXPECT_EQ(Api("POST", base + "/sign-ups", Person("ada"), "").status, 201);
  EXPECT_EQ(Api("POST", base + "/sign-ups", Person("bo", false), "").status, 422) << "consent is needed";
  EXPECT_EQ(Api("POST", base + "/sign-ups", json{{"name", "cy"}, {"consent", true}}, "").status, 422) << "a way to reach them";
  EXPECT_EQ(Api("POST", base + "/sign-ups", json{{"name", "cy"}, {"email", "x"}, {"consent", true}}, "").status, 422) << "a bad address";
  EXPECT_EQ(Api("POST", base + "/sign-ups", json{{"name", 5}, {"phone", "1"}, {"consent", true}}, "").status, 422) << "wrong type";
  EXPECT_EQ(Api("POST", base + "/sign-ups", Person("dag"), "").status, 201);
  auto full = Api("POST", base + "/sign-ups", Person("eva"), "");
  EXPECT_EQ(full.status, 409) << full.body;
  EXPECT_NE(full.body.find("full"), std::string::npos) << full.body;

  auto list = Api("GET", "/api/v1/processes/pa/meetings", json(), "");
  ASSERT_EQ(list.status, 200);
  json m = json::parse(list.body)["meetings"][0];
  EXPECT_EQ(m["signed_up"], 2);
  EXPECT_EQ(m["full"], true);
  EXPECT_EQ(m["speakers"][0]["name"], "Karin Ek");
  EXPECT_EQ(list.body.find("ada@example.se"), std::string::npos) << "sign-ups are not public";

  EXPECT_EQ(Api("GET", base + "/sign-ups", json(), *resident_).status, 403);
  auto signed_up = Api("GET", base + "/sign-ups", json(), *manager_);
  ASSERT_EQ(signed_up.status, 200);
  json people = json::parse(signed_up.body)["sign_ups"];
  ASSERT_EQ(people.size(), 2u);
  EXPECT_EQ(people[0]["name"], "ada");
  EXPECT_EQ(people[0]["needs"], "hörslinga");

  // The page lists it; the form signs up to another evening with places left.
  auto open = Api("POST", "/api/v1/processes/pa/meetings", Evening("2099-04-01", true, 0), *manager_);
  ASSERT_EQ(open.status, 201);
  HttpClient browser(server_->port());
  auto page = browser.Get("/processes/pa/meetings");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Informationskväll"), std::string::npos);
  EXPECT_NE(page.body.find("Karin Ek"), std::string::npos);
  auto form = browser.PostForm("/processes/pa/meetings/" + std::to_string(Id(open)) + "/sign-up",
                               {{"csrf", FormValue(page.body, "csrf")}, {"name", "Fia"}, {"phone", "070-1"}, {"consent", "yes"}});
  EXPECT_EQ(form.status, 303) << form.body;
  auto after = json::parse(Api("GET", "/api/v1/processes/pa/meetings", json(), "").body)["meetings"];
  EXPECT_EQ(after[1]["signed_up"], 1);
}

TEST_F(Meetings, OnlyMeetingsThatAskForSignUpsAndHaveNotPassedTakeThem) {
  auto drop_in = Api("POST", "/api/v1/processes/pa/meetings", Evening("2099-05-01", false, 0), *manager_);
  ASSERT_EQ(drop_in.status, 201);
  EXPECT_EQ(Api("POST", "/api/v1/processes/pa/meetings/" + std::to_string(Id(drop_in)) + "/sign-ups", Person("gus"), "").status, 422);
  auto past = Api("POST", "/api/v1/processes/pa/meetings", Evening("2001-05-01", true, 0), *manager_);
  ASSERT_EQ(past.status, 201);
  EXPECT_EQ(Api("POST", "/api/v1/processes/pa/meetings/" + std::to_string(Id(past)) + "/sign-ups", Person("gus"), "").status, 409);
}

TEST_F(Meetings, MaterialIsUploadedByManagersAndDownloadedByAnyone) {
  auto created = Api("POST", "/api/v1/processes/pa/meetings", Evening("2099-06-01", false, 0), *manager_);
  ASSERT_EQ(created.status, 201);
  const std::string docs = "/api/v1/processes/pa/meetings/" + std::to_string(Id(created)) + "/documents";
  HttpClient client(server_->port());
  auto upload = [&](const std::string& name, const std::string& token, const std::string& bytes) {
    std::map<std::string, std::string> headers = {{"Content-Type", "application/octet-stream"}};
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    return client.Request("POST", docs + "?name=" + name, bytes, headers);
  };
  auto ok = upload("dagordning.txt", *manager_, "Dagordning för kvällen\n");
  ASSERT_EQ(ok.status, 201) << ok.body;
  const std::string url = json::parse(ok.body)["url"];
  auto got = client.Get(url);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "Dagordning för kvällen\n");
  EXPECT_NE(got.Header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_NE(got.Header("content-type").find("text/plain"), std::string::npos);
  EXPECT_EQ(upload("program.exe", *manager_, "MZ").status, 422) << "not material";
  EXPECT_EQ(upload("tom.pdf", *manager_, "").status, 422) << "empty";
  EXPECT_EQ(upload("..%2Fx.pdf", *manager_, "%PDF").status, 422) << "a path";
  EXPECT_EQ(upload("x.pdf", *resident_, "%PDF").status, 403);
  // Another organisation's host does not serve it.
  EXPECT_EQ(client.Request("GET", url, "", {{"Host", kHostB}}).status, 404);
}

TEST_F(Meetings, AnotherOrganisationsMeetingsAreOutOfReach) {
  auto b = Api("POST", "/api/v1/processes/pb/meetings", Evening("2099-07-01", true, 5), *admin_b_, kHostB);
  ASSERT_EQ(b.status, 201) << b.body;
  const std::string id = std::to_string(Id(b));
  EXPECT_EQ(Api("POST", "/api/v1/processes/pb/meetings", Evening("2099-07-01", true, 5), *manager_).status, 404);
  EXPECT_EQ(Api("POST", "/api/v1/processes/pa/meetings/" + id + "/sign-ups", Person("hal"), "").status, 404) << "B's meeting via A's process";
  EXPECT_EQ(Api("GET", "/api/v1/processes/pa/meetings/" + id + "/sign-ups", json(), *manager_).status, 404);
  EXPECT_EQ(Api("POST", "/api/v1/processes/pa/meetings/" + id + "/documents?name=x.txt", json::object(), *manager_).status, 404);
  auto listed = Api("GET", "/api/v1/processes/pb/meetings", json(), "", kHostB);
  EXPECT_EQ(json::parse(listed.body)["meetings"][0]["signed_up"], 0);
  // Bad set-ups are refused whole.
  for (const auto& [field, value] : std::vector<std::pair<std::string, json>>{{"starts_at", "tomorrow"}, {"capacity", -1}, {"capacity", "5"},
                                                                            {"video_url", "http://x"}, {"sign_up", "yes"}, {"title", 7}}) {
    json body = Evening("2099-08-01", true, 0);
    body[field] = value;
    EXPECT_EQ(Api("POST", "/api/v1/processes/pa/meetings", body, *manager_).status, 422) << field;
  }
  EXPECT_EQ(Api("POST", "/api/v1/processes/pa/meetings", Evening("2099-08-01", true, 0), *resident_).status, 403);
}

}  // namespace
}  // namespace ting::testing
