// The spine over real HTTP: the real `ting` binary, a real SQLite file, a real socket.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "http_client.h"

namespace ting::testing {
namespace {

using json = nlohmann::json;

class SpineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_path_ = new std::string(TempPath("spine.db"));
    std::string out;
    ASSERT_EQ(RunTing({"user", "add", "--db", *db_path_, "--email", "admin@example.se", "--password",
                       "admin password 1", "--name", "Admin", "--role", "admin"},
                      &out),
              0)
        << out;
    server_ = new ServerProcess(*db_path_);
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->Stop(), 0) << "SIGTERM must stop the server cleanly";
    delete server_;
    delete db_path_;
  }

  // Registers through the HTML form and returns the signed-in client.
  static HttpClient Register(const std::string& email, const std::string& name,
                             const std::string& password = "a good long password") {
    HttpClient c(server_->port());
    auto form = c.Get("/register");
    EXPECT_EQ(form.status, 200);
    auto res = c.PostForm("/register", {{"csrf", FormValue(form.body, "csrf")}, {"name", name}, {"email", email},
                                        {"password", password}});
    EXPECT_EQ(res.status, 303) << res.body;
    return c;
  }

  static std::string* db_path_;
  static ServerProcess* server_;
};
std::string* SpineTest::db_path_ = nullptr;
ServerProcess* SpineTest::server_ = nullptr;

TEST_F(SpineTest, HealthzChecksTheDatabase) {
  HttpClient c(server_->port());
  auto r = c.Get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "ok");
}

TEST_F(SpineTest, StartPageIsSwedishAndCarriesSecurityHeaders) {
  HttpClient c(server_->port());
  auto r = c.Get("/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<html lang=\"sv\" dir=\"ltr\">"), std::string::npos);
  EXPECT_NE(r.body.find("Var med och bestäm"), std::string::npos);
  EXPECT_NE(r.Header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.Header("content-security-policy").find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
  EXPECT_FALSE(r.Header("referrer-policy").empty());
  EXPECT_NE(r.Header("set-cookie").find("HttpOnly"), std::string::npos);
  EXPECT_NE(r.Header("set-cookie").find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(r.body.find("<script"), std::string::npos) << "pages work without JavaScript";
}

TEST_F(SpineTest, EnglishFromAcceptLanguageAndFromTheSwitcher) {
  HttpClient c(server_->port());
  auto en = c.Request("GET", "/", "", {{"Accept-Language", "en-GB,en;q=0.9"}});
  EXPECT_NE(en.body.find("<html lang=\"en\""), std::string::npos);
  auto page = c.Get("/");
  auto r = c.PostForm("/language", {{"csrf", FormValue(page.body, "csrf")}, {"lang", "en"}, {"next", "/register"}});
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.Header("location"), "/register");
  auto after = c.Get("/register");
  EXPECT_NE(after.body.find("<html lang=\"en\""), std::string::npos);
  EXPECT_NE(after.body.find("Create account"), std::string::npos);
  EXPECT_NE(after.body.find("The language is now English."), std::string::npos);
}

TEST_F(SpineTest, RegisterSignOutSignInAndChangePassword) {
  HttpClient c = Register("sara@example.se", "Sara Ahmed");
  auto home = c.Get("/");
  EXPECT_NE(home.body.find("Sara Ahmed"), std::string::npos);
  EXPECT_EQ(c.Get("/account").status, 200);

  auto out = c.PostForm("/sign-out", {{"csrf", FormValue(home.body, "csrf")}});
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(c.Get("/account").status, 401) << "signed out: account page asks to sign in";

  auto form = c.Get("/sign-in");
  auto bad = c.PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", "sara@example.se"}, {"password", "wrong password!"}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_NE(bad.body.find("Fel e-postadress eller lösenord"), std::string::npos);
  auto good = c.PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", "SARA@example.se"},
                                      {"password", "a good long password"}, {"next", "/account"}});
  EXPECT_EQ(good.status, 303);
  EXPECT_EQ(good.Header("location"), "/account");

  auto account = c.Get("/account");
  auto weak = c.PostForm("/account/password", {{"csrf", FormValue(account.body, "csrf")}, {"current", "a good long password"}, {"new", "1234567890"}});
  EXPECT_EQ(weak.status, 422);
  EXPECT_NE(weak.body.find("för vanligt"), std::string::npos);
  auto changed = c.PostForm("/account/password", {{"csrf", FormValue(account.body, "csrf")}, {"current", "a good long password"},
                                                  {"new", "an even better passphrase"}});
  EXPECT_EQ(changed.status, 303);
  EXPECT_EQ(c.Get("/account").status, 200) << "the browser that changed it stays signed in";
}

TEST_F(SpineTest, RegistrationErrorsAreExplained) {
  HttpClient c(server_->port());
  auto form = c.Get("/register");
  auto dup = c.PostForm("/register", {{"csrf", FormValue(form.body, "csrf")}, {"name", "Again"}, {"email", "admin@example.se"},
                                      {"password", "a good long password"}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_NE(dup.body.find("Det finns redan ett konto"), std::string::npos);
  auto short_pw = c.PostForm("/register", {{"csrf", FormValue(form.body, "csrf")}, {"name", "K"}, {"email", "k@example.se"}, {"password", "kort"}});
  EXPECT_EQ(short_pw.status, 422);
  EXPECT_NE(short_pw.body.find("minst 10 tecken"), std::string::npos);
  EXPECT_NE(short_pw.body.find("value=\"k@example.se\""), std::string::npos) << "the form keeps what was typed";
}

TEST_F(SpineTest, PostsWithoutAValidCsrfTokenAre403AndChangeNothing) {
  HttpClient a(server_->port()), b(server_->port());
  auto page_a = a.Get("/register");
  b.Get("/register");
  auto none = b.PostForm("/register", {{"name", "X"}, {"email", "x@example.se"}, {"password", "a good long password"}});
  EXPECT_EQ(none.status, 403);
  auto foreign = b.PostForm("/register", {{"csrf", FormValue(page_a.body, "csrf")}, {"name", "X"}, {"email", "x@example.se"},
                                          {"password", "a good long password"}});
  EXPECT_EQ(foreign.status, 403) << "a token is bound to its own browser";
  HttpClient fresh(server_->port());
  auto no_cookie = fresh.PostForm("/sign-in", {{"csrf", "abc"}, {"email", "x@example.se"}, {"password", "x"}});
  EXPECT_EQ(no_cookie.status, 403);
  auto api = HttpClient(server_->port()).Json("POST", "/api/v1/session", R"({"email":"x@example.se","password":"a good long password"})");
  EXPECT_EQ(api.status, 401) << "the 403s created no account";
}

TEST_F(SpineTest, JsonApiSessionsAndUsers) {
  HttpClient c(server_->port());
  auto created = c.Json("POST", "/api/v1/users", R"({"email":"api@example.se","password":"api password long","name":"Api"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json::parse(created.body)["email"], "api@example.se");
  auto dup = c.Json("POST", "/api/v1/users", R"({"email":"API@example.se","password":"api password long","name":"Api"})");
  EXPECT_EQ(dup.status, 409);
  EXPECT_TRUE(json::parse(dup.body).contains("error"));
  auto weak = c.Json("POST", "/api/v1/users", R"({"email":"w@example.se","password":"password123","name":"W"})");
  EXPECT_EQ(weak.status, 422);
  EXPECT_FALSE(json::parse(weak.body)["error"].get<std::string>().empty());
  EXPECT_EQ(c.Json("POST", "/api/v1/users", "not json").status, 400);
  EXPECT_EQ(c.Json("POST", "/api/v1/users", R"({"email":"m@example.se"})").status, 400);

  auto wrong = c.Json("POST", "/api/v1/session", R"({"email":"api@example.se","password":"nope nope nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_TRUE(json::parse(wrong.body).contains("error"));
  auto session = c.Json("POST", "/api/v1/session", R"({"email":"api@example.se","password":"api password long"})");
  ASSERT_EQ(session.status, 200);
  std::string token = json::parse(session.body)["token"];
  EXPECT_EQ(json::parse(session.body)["user"]["email"], "api@example.se");

  auto me = c.Json("GET", "/api/v1/me", "", token);
  ASSERT_EQ(me.status, 200);
  auto me_json = json::parse(me.body);
  for (const char* key : {"id", "email", "name", "roles"}) EXPECT_TRUE(me_json.contains(key)) << key;
  EXPECT_EQ(c.Json("GET", "/api/v1/me", "").status, 401);
  EXPECT_EQ(c.Json("GET", "/api/v1/me", "", "not-a-token").status, 401);
  EXPECT_EQ(c.Json("DELETE", "/api/v1/session", "", token).status, 204);
  EXPECT_EQ(c.Json("GET", "/api/v1/me", "", token).status, 401) << "a revoked token is dead";
  auto missing = c.Json("GET", "/api/v1/nothing", "");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(json::parse(missing.body).contains("error"));
}

// A new organisation offers every language Ting has a catalogue for, in their own names, and
// negotiates among them; its admins narrow the list (API and form), which the picker, the
// negotiation and the default follow at once.
TEST_F(SpineTest, AnOrganisationOffersEveryLanguageAndItsAdminsNarrowIt) {
  HttpClient c(server_->port());
  auto session = c.Json("POST", "/api/v1/session", R"({"email": "admin@example.se", "password": "admin password 1"})");
  ASSERT_EQ(session.status, 200) << session.body;
  const std::string admin = nlohmann::json::parse(session.body)["token"];
  auto org = c.Api("GET", "/api/v1/organisation", "", admin);
  ASSERT_EQ(org.status, 200) << org.body;
  std::vector<std::string> codes;
  const nlohmann::json org_json = nlohmann::json::parse(org.body);
  for (const auto& l : org_json["languages"]) codes.push_back(l["code"]);
  EXPECT_EQ(codes, (std::vector<std::string>{"sv", "ar", "en", "fa", "so", "sv-x-ll", "ti"}));
  auto start = c.Request("GET", "/", "", {{"Accept-Language", "ar"}});
  EXPECT_NE(start.body.find("<html lang=\"ar\" dir=\"rtl\">"), std::string::npos);
  for (const char* name : {"Svenska", "العربية", "English", "فارسی", "Soomaali", "Lättläst svenska", "ትግርኛ"})
    EXPECT_NE(start.body.find(name), std::string::npos) << name << " in the picker, in its own name";

  EXPECT_EQ(c.Api("PUT", "/api/v1/organisation/languages", R"({"languages": ["sv", "xx"]})", admin).status, 422);
  EXPECT_EQ(c.Api("PUT", "/api/v1/organisation/languages", R"({"languages": []})", admin).status, 422);
  EXPECT_EQ(c.Api("PUT", "/api/v1/organisation/languages", R"({"languages": "sv"})", admin).status, 422);
  EXPECT_EQ(c.Api("PUT", "/api/v1/organisation/languages", R"({"languages": ["sv", "sv"]})", admin).status, 422);
  HttpClient resident = Register("languages@example.se", "Lang");
  auto resident_token = nlohmann::json::parse(
      c.Json("POST", "/api/v1/session", R"({"email": "languages@example.se", "password": "a good long password"})").body)["token"];
  EXPECT_EQ(c.Api("PUT", "/api/v1/organisation/languages", R"({"languages": ["sv"]})", resident_token).status, 403);
  auto narrowed = c.Api("PUT", "/api/v1/organisation/languages", R"({"languages": ["sv", "ar", "en"]})", admin);
  ASSERT_EQ(narrowed.status, 200) << narrowed.body;
  auto somali = c.Request("GET", "/", "", {{"Accept-Language", "so"}});
  EXPECT_NE(somali.body.find("<html lang=\"sv\""), std::string::npos) << "Somali is no longer offered: the default";
  EXPECT_EQ(somali.body.find("Soomaali"), std::string::npos) << "nor in the picker";
  EXPECT_NE(c.Request("GET", "/", "", {{"Accept-Language", "ar"}}).body.find("<html lang=\"ar\""), std::string::npos);

  // The admin's form: English becomes the default.
  HttpClient browser(server_->port());
  auto form = browser.Get("/sign-in");
  ASSERT_EQ(browser.PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", "admin@example.se"}, {"password", "admin password 1"}}).status, 303);
  auto admin_page = browser.Get("/admin");
  ASSERT_EQ(admin_page.status, 200);
  EXPECT_EQ(browser.PostForm("/admin/languages", {{"csrf", FormValue(admin_page.body, "csrf")}}).status, 422) << "no language at all";
  EXPECT_EQ(browser.PostForm("/admin/languages", {{"csrf", FormValue(admin_page.body, "csrf")}, {"language", "sv"}, {"language", "en"}, {"default", "en"}}).status, 303);
  HttpClient anonymous(server_->port());
  EXPECT_NE(anonymous.Get("/").body.find("<html lang=\"en\""), std::string::npos) << "the default language, without Accept-Language";
  // Back to every language, Swedish first, for the other tests.
  ASSERT_EQ(c.Api("PUT", "/api/v1/organisation/languages", R"({"languages": ["sv", "ar", "en", "fa", "so", "sv-x-ll", "ti"]})", admin).status, 200);
}

TEST_F(SpineTest, PermissionsAreCheckedOnTheServer) {
  HttpClient resident = Register("resident@example.se", "Resident");
  EXPECT_EQ(resident.Get("/admin").status, 403);
  auto page = resident.Get("/");
  EXPECT_EQ(resident.PostForm("/admin/roles", {{"csrf", FormValue(page.body, "csrf")}, {"email", "resident@example.se"}, {"role", "admin"}}).status, 403);

  HttpClient admin(server_->port());
  auto form = admin.Get("/sign-in");
  ASSERT_EQ(admin.PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", "admin@example.se"}, {"password", "admin password 1"}}).status, 303);
  auto admin_page = admin.Get("/admin");
  ASSERT_EQ(admin_page.status, 200);
  EXPECT_EQ(admin.PostForm("/admin/roles", {{"csrf", FormValue(admin_page.body, "csrf")}, {"email", "nobody@example.se"}, {"role", "reviewer"}}).status, 422);
  EXPECT_EQ(admin.PostForm("/admin/roles", {{"csrf", FormValue(admin_page.body, "csrf")}, {"email", "resident@example.se"}, {"role", "reviewer"}}).status, 303);
  EXPECT_EQ(resident.Get("/admin").status, 200) << "a reviewer may see the admin area";
  EXPECT_EQ(resident.PostForm("/admin/roles", {{"csrf", FormValue(page.body, "csrf")}, {"email", "resident@example.se"}, {"role", "admin"}}).status, 403)
      << "but not grant roles";
}

TEST_F(SpineTest, SignInIsRateLimitedPerAccount) {
  HttpClient c(server_->port());
  c.Json("POST", "/api/v1/users", R"({"email":"target@example.se","password":"target password 1","name":"T"})");
  int last = 0;
  for (int i = 0; i < 10; ++i) last = c.Json("POST", "/api/v1/session", R"({"email":"target@example.se","password":"guess guess guess"})").status;
  EXPECT_EQ(last, 401);
  auto limited = c.Json("POST", "/api/v1/session", R"({"email":"target@example.se","password":"target password 1"})");
  EXPECT_EQ(limited.status, 429);
  EXPECT_GT(std::stoi(limited.Header("retry-after")), 0);
  auto form = c.Get("/sign-in");
  auto page = c.PostForm("/sign-in", {{"csrf", FormValue(form.body, "csrf")}, {"email", "target@example.se"}, {"password", "target password 1"}});
  EXPECT_EQ(page.status, 429);
  EXPECT_EQ(c.Get("/healthz").status, 200);
  EXPECT_EQ(c.Json("POST", "/api/v1/session", R"({"email":"api-other@example.se","password":"x"})").status, 401)
      << "other accounts are unaffected";
}

TEST_F(SpineTest, ProtocolLimitsAnswerAndTheServerStaysUp) {
  HttpClient c(server_->port());
  std::string big_header = "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + std::string(17 * 1024, 'a') + "\r\n\r\n";
  EXPECT_NE(c.Raw(big_header).find(" 431 "), std::string::npos);
  EXPECT_EQ(c.Get("/healthz").status, 200);
  std::string big_body = "POST /api/v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(9 * 1024 * 1024) + "\r\n\r\n";
  EXPECT_NE(c.Raw(big_body).find(" 413 "), std::string::npos);
  EXPECT_EQ(c.Get("/healthz").status, 200);
  EXPECT_NE(c.Raw("THIS IS NOT HTTP\r\n\r\n").find(" 400 "), std::string::npos);
  EXPECT_EQ(c.Get("/healthz").status, 200);
  auto nf = c.Get("/no/such/page");
  EXPECT_EQ(nf.status, 404);
  EXPECT_NE(nf.body.find("Sidan finns inte"), std::string::npos);
}

TEST(SpineCli, HelpUsageErrorsAndUserAdd) {
  std::string out;
  EXPECT_EQ(RunTing({"--help"}, &out), 0);
  EXPECT_NE(out.find("serve"), std::string::npos);
  out.clear();
  EXPECT_EQ(RunTing({"frobnicate"}, &out), 2);
  EXPECT_NE(out.find("unknown command"), std::string::npos);
  out.clear();
  EXPECT_EQ(RunTing({"serve", "--help"}, &out), 0);
  EXPECT_NE(out.find("--listen"), std::string::npos);
  out.clear();
  EXPECT_EQ(RunTing({"user", "add", "--db", TempPath("cli.db"), "--email", "x@example.se"}, &out), 2);
  EXPECT_NE(out.find("--password"), std::string::npos);
  out.clear();
  EXPECT_EQ(RunTing({"user", "add", "--db", TempPath("cli.db"), "--email", "x@example.se", "--password", "short"}, &out), 1);
  EXPECT_NE(out.find("at least 10"), std::string::npos);
  out.clear();
  EXPECT_EQ(RunTing({"migrate", "--db", TempPath("cli2.db")}, &out), 0);
  EXPECT_NE(out.find("migration"), std::string::npos);
  out.clear();
  EXPECT_EQ(RunTing({"serve", "--db", TempPath("cli3.db"), "--bogus"}, &out), 2);
}

TEST(SpineDemo, DemoDatabaseServesAndItsAdminSignsIn) {
  std::string db = TempPath("demo.db"), out;
  ASSERT_EQ(RunTing({"demo", "--db", db}, &out), 0) << out;
  EXPECT_NE(out.find("admin@solbacka.example"), std::string::npos);
  ServerProcess server(db);
  HttpClient c(server.port());
  auto home = c.Get("/");
  EXPECT_NE(home.body.find("Solbacka kommun"), std::string::npos);
  auto s = c.Json("POST", "/api/v1/session", R"({"email":"admin@solbacka.example","password":"demo-admin-2026"})");
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(json::parse(s.body)["user"]["roles"][0], "admin");
}

}  // namespace
}  // namespace ting::testing
