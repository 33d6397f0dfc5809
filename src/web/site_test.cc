// The web core without sockets: the middleware chain, route access, the one error path, cookies
// and the start-up check of catalogue keys. Requests go straight to Site::Handler().

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "fresh_database.h"
#include "ting/base/keys.h"
#include "ting/core/accounts.h"
#include "ting/web/site.h"

namespace ting::web {
namespace {

using http::Request;
using http::Response;
using json = nlohmann::json;

class SiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = test_support::FreshDatabase(core::CoreMigrations(), &path_);
    ASSERT_TRUE(db_);
    org_ = *core::Organisations(*db_, env_).Create("o", "Org", "");
    auto site = Site::Create(*db_, env_);
    ASSERT_TRUE(site.ok()) << site.error().message;
    site_ = std::move(*site);
    core::Accounts accounts(*db_, env_);
    auto hash = core::HashPassword("a long test password");
    auto manager = accounts.RegisterHashed("m@example.se", "M", "sv", *hash);
    ASSERT_TRUE(accounts.Grant(org_.id, manager->id, core::Role::kManager).ok());
    manager_token_ = *core::Sessions(*db_, env_).Create(manager->id, core::SessionKind::kApi);
    auto resident = accounts.RegisterHashed("r@example.se", "R", "sv", *hash);
    resident_token_ = *core::Sessions(*db_, env_).Create(resident->id, core::SessionKind::kApi);
  }
  void TearDown() override { std::filesystem::remove(path_); }

  Response Call(const std::string& method, const std::string& target, const std::string& body = "",
                std::map<std::string, std::string> headers = {}) {
    Request req;
    req.method = method;
    req.target = target;
    req.path = target.substr(0, target.find('?'));
    if (target.find('?') != std::string::npos) req.query = target.substr(target.find('?') + 1);
    req.body = body;
    req.remote_ip = "127.0.0.1";
    req.headers.emplace("Host", "localhost");
    for (auto& [k, v] : headers) req.headers.emplace(k, v);
    return site_->Handler()(req);
  }
  Response Api(const std::string& method, const std::string& target, const std::string& token, const std::string& body = "") {
    std::map<std::string, std::string> h = {{"Content-Type", "application/json"}};
    if (!token.empty()) h["Authorization"] = "Bearer " + token;
    return Call(method, target, body, h);
  }

  FakeEnv env_;
  std::string path_;
  std::unique_ptr<db::Database> db_;
  core::Organisation org_;
  std::unique_ptr<Site> site_;
  std::string manager_token_, resident_token_;
};

TEST_F(SiteTest, AnErrorBecomesJsonInTheRequestsLanguageWithItsCode) {
  site_->Api("GET", "/api/v1/t/missing", Access::Public(), [](Request&, Context&) -> Result<Response> {
    return Error::Say(ErrorCode::kNotFound, "error.not_found");
  });
  auto r = Call("GET", "/api/v1/t/missing", "", {{"Accept-Language", "en"}});
  EXPECT_EQ(r.status, 404);
  json body = json::parse(r.body);
  EXPECT_EQ(body["code"], "error.not_found");
  EXPECT_EQ(body["error"], site_->catalog().Get("en", "error.not_found"));
  EXPECT_EQ(r.headers.find("Cache-Control")->second, "no-store");
}

TEST_F(SiteTest, EachCodeHasItsStatusAndServerFaultsHideTheirDetail) {
  const std::vector<std::pair<ErrorCode, int>> cases = {
      {ErrorCode::kMalformed, 400},        {ErrorCode::kInvalidArgument, 422}, {ErrorCode::kUnauthenticated, 401},
      {ErrorCode::kPermissionDenied, 403}, {ErrorCode::kNotFound, 404},        {ErrorCode::kConflict, 409},
      {ErrorCode::kAlreadyExists, 409},    {ErrorCode::kResourceExhausted, 429}, {ErrorCode::kInternal, 500}};
  for (auto [code, status] : cases) {
    site_->Api("GET", "/api/v1/t/" + std::to_string(status) + ErrorCodeName(code), Access::Public(),
               [code](Request&, Context&) -> Result<Response> { return Error::Of(code, "secret detail /var/db"); });
    auto r = Call("GET", "/api/v1/t/" + std::to_string(status) + ErrorCodeName(code));
    EXPECT_EQ(r.status, status) << ErrorCodeName(code);
    EXPECT_EQ(r.body.find("secret detail"), std::string::npos) << "a detail without a key is for logs only";
  }
  auto unauth = Call("GET", "/api/v1/t/401unauthenticated");
  EXPECT_EQ(unauth.headers.find("WWW-Authenticate")->second, "Bearer");
}

TEST_F(SiteTest, RateLimitsSayHowLongToWait) {
  site_->Api("GET", "/api/v1/t/limited", Access::Public(), [](Request&, Context&) -> Result<Response> {
    return Error::Say(ErrorCode::kResourceExhausted, "auth.rate_limited", {{"seconds", "42"}});
  });
  auto r = Call("GET", "/api/v1/t/limited");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers.find("Retry-After")->second, "42");
  EXPECT_NE(json::parse(r.body)["error"].get<std::string>().find("42"), std::string::npos);
}

TEST_F(SiteTest, WrongJsonTypesAre422NamingTheFieldNever500) {
  site_->Api("POST", "/api/v1/t/fields", Access::Public(), [](Request& req, Context&) -> Result<Response> {
    TING_ASSIGN_OR_RETURN(json body, JsonBody(req));
    JsonFields f(body);
    std::string title = f.Text("title");
    TING_RETURN_IF_ERROR(f.Check());
    return Site::Json(200, {{"title", title}});
  });
  site_->Api("POST", "/api/v1/t/careless", Access::Public(), [](Request& req, Context&) -> Result<Response> {
    auto body = json::parse(req.body);
    return Site::Json(200, {{"n", body["n"].get<int>()}});  // throws on {"n": "x"}: the net catches it
  });
  auto wrong = Call("POST", "/api/v1/t/fields", R"({"title": 5})");
  EXPECT_EQ(wrong.status, 422);
  EXPECT_EQ(json::parse(wrong.body)["field"], "title");
  EXPECT_EQ(json::parse(wrong.body)["code"], "api.wrong_type");
  EXPECT_EQ(Call("POST", "/api/v1/t/fields", "not json").status, 400);
  EXPECT_EQ(json::parse(Call("POST", "/api/v1/t/fields", "\"\xC0\xAF\"").body)["code"], "api.bad_utf8");
  EXPECT_EQ(Call("POST", "/api/v1/t/careless", R"({"n": "x"})").status, 422);
  EXPECT_EQ(Call("POST", "/api/v1/t/fields", R"({"title": "ok"})").status, 200);
}

TEST_F(SiteTest, RoutesCheckTheirAccessBeforeTheHandlerRuns) {
  int ran = 0;
  site_->Api("POST", "/api/v1/t/manage", Access::Can(core::Action::kManageProcesses), [&ran](Request&, Context&) -> Result<Response> {
    ++ran;
    return Site::Json(200, json::object());
  });
  EXPECT_EQ(Api("POST", "/api/v1/t/manage", "").status, 401);
  EXPECT_EQ(Api("POST", "/api/v1/t/manage", resident_token_).status, 403);
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(Api("POST", "/api/v1/t/manage", manager_token_).status, 200);
  EXPECT_EQ(ran, 1);
  bool listed = false;
  for (const auto& r : site_->Routes()) listed = listed || (r.pattern == "/api/v1/t/manage" && r.access == "action:manage_processes");
  EXPECT_TRUE(listed);
}

TEST_F(SiteTest, ARouteLimitCountsEveryRequestThatReachesItOnTheEnvClock) {
  core::RateLimiter limiter(env_, 2, std::chrono::minutes(1));
  int ran = 0;
  site_->Api("POST", "/api/v1/t/limited-route", Access::Public(), [&ran](Request&, Context&) -> Result<Response> {
    ++ran;
    return Site::Json(201, json::object());
  }, Limit{&limiter, Limit::By::kClientAddress, "auth.registrations_limited"});
  EXPECT_EQ(Api("POST", "/api/v1/t/limited-route", "").status, 201);
  EXPECT_EQ(Api("POST", "/api/v1/t/limited-route", "").status, 201);
  auto third = Api("POST", "/api/v1/t/limited-route", "");
  EXPECT_EQ(third.status, 429);
  EXPECT_EQ(json::parse(third.body)["code"], "auth.registrations_limited");
  EXPECT_EQ(third.headers.find("Retry-After")->second, "60");
  EXPECT_EQ(ran, 2) << "the handler does not run past the limit";
  env_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(Api("POST", "/api/v1/t/limited-route", "").status, 201);
  bool listed = false;
  for (const auto& r : site_->Routes()) listed = listed || (r.pattern == "/api/v1/t/limited-route" && r.access == "public limited");
  EXPECT_TRUE(listed);
}

TEST_F(SiteTest, PagesNeedTheirFormToComeFromOurPage) {
  site_->Page("POST", "/t/form", Access::Public(), [](Request&, Context&) -> Result<Response> { return Response::Text(200, "done"); });
  auto no_visitor = Call("POST", "/t/form", "csrf=x", {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(no_visitor.status, 403) << "no visitor cookie: the form did not come from our page";
  EXPECT_NE(no_visitor.body.find(site_->catalog().Get("sv", "error.csrf_title")), std::string::npos);
  std::string visitor(24, 'v');
  auto forged = Call("POST", "/t/form", "csrf=forged",
                     {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", "ting_visitor=" + visitor}});
  EXPECT_EQ(forged.status, 403);
}

TEST_F(SiteTest, APageThatNeedsSignInShowsTheSignInForm) {
  site_->Page("GET", "/t/mine", Access::SignedIn(), [](Request&, Context&) -> Result<Response> { return Response::Text(200, "mine"); });
  auto r = Call("GET", "/t/mine");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("name=\"next\" value=\"/t/mine\""), std::string::npos) << "comes back after signing in";
}

TEST_F(SiteTest, EveryCookieIsSecureOverTls) {
  site_->Page("GET", "/t/flash", Access::Public(), [this](Request&, Context& ctx) -> Result<Response> {
    return site_->RedirectWithFlash(ctx, "/", "auth.signed_out");
  });
  Request req;
  req.method = "GET";
  req.target = req.path = "/t/flash";
  req.secure = true;
  req.headers.emplace("Host", "localhost");
  auto r = site_->Handler()(req);
  int cookies = 0;
  for (auto [it, end] = r.headers.equal_range("Set-Cookie"); it != end; ++it, ++cookies)
    EXPECT_NE(it->second.find("; Secure"), std::string::npos) << it->second;
  EXPECT_EQ(cookies, 2) << "the visitor cookie and the flash";
  auto plain = Call("GET", "/t/flash");
  for (auto [it, end] = plain.headers.equal_range("Set-Cookie"); it != end; ++it)
    EXPECT_EQ(it->second.find("; Secure"), std::string::npos) << "plain HTTP (no proxy told us otherwise)";
}

TEST_F(SiteTest, SessionsAreCachedOnTheEnvClock) {
  site_->Api("GET", "/api/v1/t/me", Access::SignedIn(), [](Request&, Context& ctx) -> Result<Response> {
    return Site::Json(200, {{"id", ctx.user->id}});
  });
  ASSERT_EQ(Api("GET", "/api/v1/t/me", manager_token_).status, 200);
  ASSERT_TRUE(core::Sessions(*db_, env_).Destroy(manager_token_).ok());  // ended elsewhere (another server)
  EXPECT_EQ(Api("GET", "/api/v1/t/me", manager_token_).status, 200) << "cached for a few seconds";
  env_.Advance(std::chrono::seconds(6));
  EXPECT_EQ(Api("GET", "/api/v1/t/me", manager_token_).status, 401) << "the cache lives 5 s on the Env's clock";
}

TEST_F(SiteTest, UnknownApiPathsAnswerJsonNotAPage) {
  auto r = Call("GET", "/api/v1/nothing-here");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["code"], "api.no_endpoint");
  EXPECT_EQ(Call("GET", "/nothing-here").status, 404);
}

TEST_F(SiteTest, KeysUsedInTheCodeAreCheckedAtStartUp) {
  EXPECT_TRUE(site_->CheckKeys({"error.not_found", "auth.signed_out"}).ok());
  auto missing = site_->CheckKeys({"error.not_found", "nowhere.to_be_found"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("nowhere.to_be_found"), std::string::npos);
  EXPECT_EQ(missing.error().message.find("error.not_found"), std::string::npos);
  // TING_KEY registers its key before main() runs.
  const char* key = TING_KEY("error.csrf_title");
  EXPECT_STREQ(key, "error.csrf_title");
  auto all = ExpectedKeys();
  EXPECT_NE(std::find(all.begin(), all.end(), "error.csrf_title"), all.end());
}

}  // namespace
}  // namespace ting::web
