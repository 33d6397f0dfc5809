// eID sign-in over HTTP against the real binary and the test OpenID provider
// (tests/fixtures/oidc_provider.py): the whole flow across both hosts with the redirects followed
// by hand, every way an id token can be wrong, a state good once and only in the browser that
// started it, the register link, and the admins' API. Each test runs in its own process (ctest)
// with its own database, server and provider.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "fixture.h"
#include "http_client.h"
#include "ting/base/digest.h"
#include "ting/db/database.h"

extern char** environ;

namespace ting::testing {
namespace {

using json = nlohmann::json;

constexpr const char* kPassword = "a long test password";
constexpr const char* kSecret = "fixture-secret-5a7c";  // distinct, so an answer holding it is found
constexpr size_t npos = std::string::npos;

// The test provider, started for the suite (tests/support/fixture.h).
std::unique_ptr<FixtureServer> StartProvider() {
  return std::make_unique<FixtureServer>("/usr/bin/python3", std::vector<std::string>{TING_SOURCE_DIR "/tests/fixtures/oidc_provider.py", "--port", "0",
                                                                                      "--client-id", "c", "--client-secret", kSecret});
}

// "http://127.0.0.1:8080/a/b?c=d" → "/a/b?c=d". Ting's own redirect_uri names its public_url,
// which the test server does not know (it listens on port 0), so only the target is followed.
std::string Target(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == npos) return url;
  size_t slash = url.find('/', scheme + 3);
  return slash == npos ? "/" : url.substr(slash);
}

std::string QueryParam(const std::string& url, const std::string& name) {
  std::smatch m;
  if (std::regex_search(url, m, std::regex("[?&]" + name + "=([^&]*)"))) return m[1];
  return "";
}

class Eid : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new std::string(TempPath("eid.db"));
    std::string out;
    for (std::vector<std::string> args :
         {std::vector<std::string>{"user", "add", "--email", "admin@example.se", "--role", "admin"},
          {"user", "add", "--email", "manager@example.se", "--role", "manager"},
          {"org", "add", "--slug", "b", "--name", "B", "--host", "b.example"}}) {
      args.insert(args.end(), {"--db", *db_});
      if (args[0] == "user") args.insert(args.end(), {"--password", kPassword});
      ASSERT_EQ(RunTing(args, &out), 0) << out;
    }
    server_ = new ServerProcess(*db_);
    provider_ = StartProvider().release();
    provider_port_ = provider_->port();
    ASSERT_GT(provider_port_, 0) << "the test OpenID provider did not start (python3 and python3-cryptography are needed)";
    admin_ = Token("admin@example.se");
    manager_ = Token("manager@example.se");
    // Klara and Bo are in the register; the numbers are written as an extract writes them.
    HttpClient c(server_->port());
    auto imported = c.Request("POST", "/api/v1/register",
                              "person_id;name;district;birth_date\n19700101-1234;Klara Svensson;norr;1970-01-01\n"
                              "19800101-0002;Bo Ek;söder;1980-01-01\n",
                              {{"Content-Type", "text/csv"}, {"Authorization", "Bearer " + admin_}});
    ASSERT_EQ(imported.status, 200) << imported.body;
  }
  // Every test starts with the test provider set, as some change or remove it.
  void SetUp() override {
    auto configured = Configure({{"label", "BankID"}});
    ASSERT_EQ(configured.status, 200) << configured.body;
  }
  static void TearDownTestSuite() {
    delete server_;
    delete provider_;
    delete db_;
  }

  static std::string Issuer() { return "http://127.0.0.1:" + std::to_string(provider_port_); }
  static std::string Token(const std::string& email) {
    HttpClient c(server_->port());
    auto r = c.Json("POST", "/api/v1/session", json{{"email", email}, {"password", kPassword}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body)["token"].get<std::string>() : "";
  }
  static HttpResponse Api(const std::string& method, const std::string& path, const json& body, const std::string& token) {
    HttpClient c(server_->port());
    return c.Json(method, path, body.is_null() ? "" : body.dump(), token);
  }
  // Sets the provider's settings (the test provider's, with what is given on top).
  static HttpResponse Configure(const json& more, bool with_secret = true) {
    json body = {{"issuer", Issuer()}, {"client_id", "c"}};
    if (with_secret) body["client_secret"] = kSecret;
    if (more.is_object()) body.update(more);
    return Api("PUT", "/api/v1/eid", body, admin_);
  }
  // What the provider's next id token holds (see the fixture's docstring).
  static void Next(const json& control) {
    HttpClient provider(provider_port_);
    auto r = provider.Json("POST", "/control", control.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  }
  static json Person(const std::string& ssn, const std::string& name) {
    json claims = {{"ssn", ssn}};
    if (!name.empty()) claims["name"] = name;
    return {{"sub", "sub-" + ssn}, {"claims", claims}};
  }

  // /sign-in/eid in this browser, to the provider's /authorize, and back to the callback, whose
  // answer is returned. Any broken step fails the test.
  static HttpResponse SignIn(HttpClient& browser, const std::string& next = "/account") {
    auto start = browser.Get("/sign-in/eid?next=" + next);
    EXPECT_EQ(start.status, 302) << start.body;
    const std::string authorize = start.Header("location");
    EXPECT_EQ(authorize.rfind(Issuer() + "/authorize?", 0), 0u) << authorize;
    EXPECT_EQ(QueryParam(authorize, "code_challenge_method"), "S256");
    EXPECT_FALSE(QueryParam(authorize, "nonce").empty());
    HttpClient provider(provider_port_);
    auto back = provider.Get(Target(authorize));
    EXPECT_EQ(back.status, 302) << back.body;
    const std::string callback = back.Header("location");
    EXPECT_NE(callback.find("/sign-in/eid/callback?"), npos) << callback;
    return browser.Get(Target(callback));
  }
  // The callback URL the provider sends this browser to, without following it.
  static std::string CallbackOf(HttpClient& browser) {
    auto start = browser.Get("/sign-in/eid?next=/");
    HttpClient provider(provider_port_);
    return Target(provider.Get(Target(start.Header("location"))).Header("location"));
  }

  // The signed-in account's address, from the account page ("" when none shows).
  // The placeholder address of the eID account the browser is signed in to ("" when it is not
  // signed in to one), read from the server's database by the session's token (stored hashed).
  static std::string AccountEmail(HttpClient& browser) {
    auto token = browser.cookies().find("ting_session");
    if (token == browser.cookies().end() || token->second.empty()) return "";
    auto db = db::OpenSqlite(*db_);
    std::string email;
    if (!db.ok()) return "";
    Status read = (*db)->Read([&](db::Connection& c) -> Status {
      TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT u.email FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?",
                                                 {Sha256Hex(token->second)}));
      if (row) email = row->Str(0);
      return {};
    });
    EXPECT_TRUE(read.ok());
    std::smatch m;
    return std::regex_match(email, m, std::regex("eid-[0-9a-f]{24}@eid\\.invalid")) ? email : "";
  }
  static std::string Page(HttpClient& browser, const std::string& path) {
    auto page = browser.Get(path);
    EXPECT_EQ(page.status, 200) << path;
    return page.body;
  }

  // A number read from the server's database (a second reader of the same file).
  static int64_t Count(const std::string& sql) {
    auto db = db::OpenSqlite(*db_);
    EXPECT_TRUE(db.ok());
    if (!db.ok()) return -1;
    int64_t n = -1;
    Status read = (*db)->Read([&](db::Connection& c) -> Status {
      TING_ASSIGN_OR_RETURN(auto rows, c.Query(sql));
      n = rows.at(0).Int(0);
      return {};
    });
    EXPECT_TRUE(read.ok()) << sql;
    return n;
  }
  // Whether the database's files hold the text anywhere (its pages and its write-ahead log).
  static bool StoredAnywhere(const std::string& text) {
    for (const std::string& path : {*db_, *db_ + "-wal"}) {
      std::ifstream in(path, std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      if (bytes.str().find(text) != npos) return true;
    }
    return false;
  }

  static inline std::string* db_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
  static inline FixtureServer* provider_ = nullptr;
  static inline int provider_port_ = 0;
  static inline std::string admin_, manager_;
};

TEST_F(Eid, ARegisteredPersonIsSignedInVerifiedAndFindsTheSameAccountAgain) {
  const int64_t users = Count("SELECT COUNT(*) FROM users");
  const int64_t identities = Count("SELECT COUNT(*) FROM eid_identities");
  Next(Person("197001011234", "Klara Svensson"));
  HttpClient browser(server_->port());
  auto done = SignIn(browser, "/account/verify");
  ASSERT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(done.Header("location"), "/account/verify") << "back where the person was going";
  EXPECT_TRUE(browser.cookies().count("ting_session"));
  EXPECT_FALSE(browser.cookies().count("ting_eid")) << "the state's cookie is spent";
  std::string page = Page(browser, "/account/verify");
  EXPECT_NE(page.find("Du är inloggad med e-legitimation."), npos) << page;
  EXPECT_NE(page.find("Ditt konto är verifierat som <strong>Klara Svensson</strong>"), npos) << page;
  const std::string email = AccountEmail(browser);
  EXPECT_FALSE(email.empty());
  EXPECT_NE(Page(browser, "/account").find("Klara Svensson"), npos) << "the name from the token";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), users + 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM resident_accounts WHERE verified_by = 'eid'"), 1) << "linked to the register";

  // Again, in another browser, with the number written another way (ES256 this time).
  Next(json{{"sub", "other-sub"}, {"alg", "ES256"}, {"claims", {{"ssn", "19700101-1234"}, {"name", "Klara S"}}}});
  HttpClient again(server_->port());
  ASSERT_EQ(SignIn(again).status, 303);
  EXPECT_EQ(AccountEmail(again), email) << "the same account";
  EXPECT_NE(Page(again, "/account/verify").find("<strong>Klara Svensson</strong>"), npos);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), users + 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM eid_identities"), identities + 1);

  // Nothing of the number is stored in clear, in any spelling.
  for (const char* number : {"197001011234", "19700101-1234", "7001011234"}) EXPECT_FALSE(StoredAnywhere(number)) << number;
}

TEST_F(Eid, APersonNotInTheRegisterIsSignedInButNotVerified) {
  Next(Person("199912319999", ""));  // and no name: the catalogue's
  HttpClient browser(server_->port());
  auto done = SignIn(browser, "/account/verify");
  ASSERT_EQ(done.status, 303) << done.body;
  std::string page = Page(browser, "/account/verify");
  EXPECT_NE(page.find("men du finns inte i organisationens invånarregister"), npos) << page;
  EXPECT_EQ(page.find("Ditt konto är verifierat som"), npos);
  EXPECT_NE(Page(browser, "/account").find("Invånare"), npos) << "a name when the token has none";
}

TEST_F(Eid, APersonVerifiedOnAnotherAccountIsSignedInAndToldSoAndNothingMoves) {
  // Bo has an e-mail account, verified as him at a desk.
  HttpClient c(server_->port());
  ASSERT_EQ(c.Json("POST", "/api/v1/users", json{{"email", "bo@example.se"}, {"password", kPassword}, {"name", "Bo"}}.dump()).status, 201);
  auto desk = Api("POST", "/api/v1/residents/verifications", json{{"person_id", "198001010002"}, {"email", "bo@example.se"}}, admin_);
  ASSERT_EQ(desk.status, 201) << desk.body;

  Next(Person("198001010002", "Bo Ek"));
  HttpClient browser(server_->port());
  auto done = SignIn(browser, "/account/verify");
  ASSERT_EQ(done.status, 303) << done.body;
  std::string page = Page(browser, "/account/verify");
  EXPECT_NE(page.find("redan kopplat till ett annat konto"), npos) << page;
  EXPECT_EQ(page.find("Ditt konto är verifierat som"), npos) << "the eID account is not verified";
  auto bo = Api("GET", "/api/v1/account/verification", json(), Token("bo@example.se"));
  EXPECT_EQ(json::parse(bo.body), json({{"verified", true}, {"name", "Bo Ek"}, {"district", "söder"}})) << "the desk's link stays";
}

TEST_F(Eid, ATokenThatDoesNotHoldUpSignsNobodyInAndMakesNothing) {
  const int64_t users = Count("SELECT COUNT(*) FROM users");
  const int64_t identities = Count("SELECT COUNT(*) FROM eid_identities");
  const int64_t links = Count("SELECT COUNT(*) FROM resident_accounts");
  int i = 0;
  for (const char* mischief : {"bad_signature", "wrong_nonce", "wrong_audience", "wrong_issuer", "expired"}) {
    SCOPED_TRACE(mischief);
    json next = Person("197001011234", "Klara Svensson");
    next["mischief"] = mischief;
    next["alg"] = i++ % 2 ? "ES256" : "RS256";
    Next(next);
    HttpClient browser(server_->port());
    auto done = SignIn(browser);
    EXPECT_EQ(done.status, 401) << done.body;
    EXPECT_NE(done.body.find("Inloggningen med e-legitimation kunde inte bekräftas. Försök igen."), npos) << done.body;
    EXPECT_NE(done.body.find("action=\"/sign-in/eid\""), npos) << "a way to start again";
    EXPECT_FALSE(browser.cookies().count("ting_session"));
    EXPECT_EQ(AccountEmail(browser), "");
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), users);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM eid_identities"), identities);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM resident_accounts"), links);
}

TEST_F(Eid, AStateIsGoodOnceAndOnlyInTheBrowserThatStartedIt) {
  const std::string expired = "Inloggningen tog för lång tid eller påbörjades någon annanstans";
  // Another browser given this browser's callback link is refused, and the attempt is spent.
  Next(Person("197001011234", "Klara Svensson"));
  HttpClient browser(server_->port());
  const std::string callback = CallbackOf(browser);
  HttpClient other(server_->port());
  auto elsewhere = other.Get(callback);
  EXPECT_EQ(elsewhere.status, 400) << elsewhere.body;
  EXPECT_NE(elsewhere.body.find(expired), npos);
  EXPECT_FALSE(other.cookies().count("ting_session"));
  EXPECT_EQ(browser.Get(callback).status, 400) << "used";

  // A callback that succeeded, replayed with its cookie put back.
  Next(Person("197001011234", "Klara Svensson"));
  HttpClient first(server_->port());
  const std::string used = CallbackOf(first);
  const std::string state = first.cookies()["ting_eid"];
  ASSERT_EQ(first.Get(used).status, 303);
  first.cookies()["ting_eid"] = state;
  EXPECT_EQ(first.Get(used).status, 400) << "replayed";

  // Made up, or missing.
  HttpClient made_up(server_->port());
  made_up.cookies()["ting_eid"] = "made-up";
  EXPECT_EQ(made_up.Get("/sign-in/eid/callback?code=x&state=made-up").status, 400);
  EXPECT_EQ(made_up.Get("/sign-in/eid/callback?code=x").status, 400);

  // Started here, finished at another organisation's address.
  HttpClient moved(server_->port());
  const std::string to_b = CallbackOf(moved);
  auto at_b = moved.Request("GET", to_b, "", {{"Host", "b.example"}});
  EXPECT_EQ(at_b.status, 400) << at_b.body;
}

TEST_F(Eid, ASignInCancelledAtTheProviderSaysWhatToDo) {
  HttpClient browser(server_->port());
  auto start = browser.Get("/sign-in/eid?next=/processes");
  ASSERT_EQ(start.status, 302);
  const std::string state = QueryParam(start.Header("location"), "state");
  auto cancelled = browser.Get("/sign-in/eid/callback?error=access_denied&state=" + state);
  EXPECT_EQ(cancelled.status, 401) << cancelled.body;
  EXPECT_NE(cancelled.body.find("Inloggningen avbröts eller nekades"), npos) << cancelled.body;
  EXPECT_NE(cancelled.body.find("value=\"/processes\""), npos) << "starting again goes where the person was going";
  EXPECT_FALSE(browser.cookies().count("ting_session"));
}

TEST_F(Eid, TheSignInPageOffersTheProviderWhenThereIsOne) {
  HttpClient browser(server_->port());
  std::string page = Page(browser, "/sign-in?next=/processes");
  EXPECT_NE(page.find("Logga in med BankID"), npos) << page;
  EXPECT_NE(page.find("action=\"/sign-in/eid\""), npos);
  ASSERT_EQ(Configure({{"label", "Freja eID"}}).status, 200);
  EXPECT_NE(Page(browser, "/sign-in").find("Logga in med Freja eID"), npos) << "a change shows at once";

  ASSERT_EQ(Api("DELETE", "/api/v1/eid", json(), admin_).status, 200);
  EXPECT_EQ(Page(browser, "/sign-in").find("/sign-in/eid"), npos);
  EXPECT_EQ(browser.Get("/sign-in/eid").status, 404);
  HttpClient at_b(server_->port());
  auto b = at_b.Request("GET", "/sign-in", "", {{"Host", "b.example"}});
  EXPECT_EQ(b.body.find("/sign-in/eid"), npos) << "organisation B has no provider";
}

TEST_F(Eid, OnlyAdminsSeeAndChangeTheSettingsAndNeverTheSecret) {
  const json settings = {{"issuer", Issuer()}, {"client_id", "c"}, {"client_secret", kSecret}};
  for (const char* method : {"GET", "PUT", "DELETE"}) {
    SCOPED_TRACE(method);
    json body = std::string(method) == "PUT" ? settings : json();
    EXPECT_EQ(Api(method, "/api/v1/eid", body, "").status, 401);
    EXPECT_EQ(Api(method, "/api/v1/eid", body, manager_).status, 403) << "personal data: admins only";
  }
  auto got = Api("GET", "/api/v1/eid", json(), admin_);
  ASSERT_EQ(got.status, 200) << got.body;
  json k = json::parse(got.body);
  EXPECT_EQ(k["configured"], true);
  EXPECT_EQ(k["issuer"], Issuer());
  EXPECT_EQ(k["client_secret_set"], true);
  EXPECT_EQ(k["scopes"], "openid");
  EXPECT_EQ(k["ssn_claim"], "ssn");
  EXPECT_EQ(k["name_claim"], "name");
  EXPECT_EQ(k["label"], "BankID");
  EXPECT_NE(k["redirect_uri"].get<std::string>().find("/sign-in/eid/callback"), npos);
  EXPECT_EQ(got.body.find(kSecret), npos);

  // Without the secret, the stored one stays: signing in still works.
  auto relabelled = Configure({{"label", "Mobilt BankID"}}, /*with_secret=*/false);
  ASSERT_EQ(relabelled.status, 200) << relabelled.body;
  EXPECT_EQ(relabelled.body.find(kSecret), npos);
  Next(Person("199912310001", "Ny Person"));
  HttpClient browser(server_->port());
  EXPECT_EQ(SignIn(browser).status, 303);

  // Refused settings name their field.
  auto field = [](const HttpResponse& r) { return r.body.empty() ? "" : json::parse(r.body).value("field", ""); };
  auto http_issuer = Configure({{"issuer", "http://idp.example"}});
  EXPECT_EQ(http_issuer.status, 422);
  EXPECT_EQ(field(http_issuer), "issuer");
  auto no_openid = Configure({{"scopes", "profile"}});
  EXPECT_EQ(no_openid.status, 422);
  EXPECT_EQ(field(no_openid), "scopes");
  auto long_label = Configure({{"label", std::string(101, 'x')}});
  EXPECT_EQ(long_label.status, 422);
  EXPECT_EQ(field(long_label), "label");
  auto number = Configure({{"client_id", 5}});
  EXPECT_EQ(number.status, 422);
  EXPECT_EQ(field(number), "client_id");
  EXPECT_EQ(Api("PUT", "/api/v1/eid", json{{"client_id", "c"}}, admin_).status, 400) << "no issuer";
  EXPECT_EQ(json::parse(Api("GET", "/api/v1/eid", json(), admin_).body)["label"], "Mobilt BankID") << "nothing refused was kept";

  auto removed = Api("DELETE", "/api/v1/eid", json(), admin_);
  ASSERT_EQ(removed.status, 200);
  EXPECT_EQ(json::parse(removed.body)["configured"], false);
  EXPECT_EQ(Configure(json::object(), /*with_secret=*/false).status, 400) << "a first setting needs its secret";
}

}  // namespace
}  // namespace ting::testing
