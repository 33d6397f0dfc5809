#pragma once
// The web application: middleware that gives every request its typed Context (organisation by
// host, signed-in user and roles, language, CSRF token), page rendering with the layout, JSON
// helpers, and the routes of the spine (accounts, admin shell, API). Components add their own
// routes through Page()/Api() and reuse RenderPage()/ErrorPage()/JsonError().

#include <functional>
#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ting/base/result.h"
#include "ting/core/accounts.h"
#include "ting/core/security.h"
#include "ting/db/database.h"
#include "ting/html/catalog.h"
#include "ting/html/templates.h"
#include "ting/http/http.h"
#include "ting/http/router.h"

namespace ting::web {

struct Context {
  core::Organisation org;
  std::string lang = "sv";
  std::optional<core::User> user;
  std::vector<core::Role> roles;  // in org
  std::string session_token;      // web session (cookie), empty when signed out
  std::string api_token;          // API: the bearer token sent (parsed in one place), or empty
  bool secure = false;            // cookies get Secure (TLS, trusted proxy, or configured)
  std::string visitor_id;         // anonymous cookie binding the CSRF token
  std::string csrf;               // token every form carries
  std::string flash;              // catalogue key of a one-time message
  std::vector<std::string> set_cookies;  // Set-Cookie values to add to the response

  bool Can(core::Action action) const { return user && core::Allowed(roles, action); }
};

// The first value of a form field (urlencoded body), or "" when absent.
std::string FormField(const http::Request& req, const std::string& name);

// Whether every text the request carries is well-formed UTF-8: the decoded path, the query
// parameters, an urlencoded or multipart form's fields (names, values, file names). Checked
// by the middleware before any handler runs, so no ill-formed text reaches storage.
bool RequestTextIsUtf8(const http::Request& req);

// A path on this site to send the browser to after a form ("next"): "/" unless it is a local
// absolute path with no scheme-relative start ("//", "/\"), no control characters or
// backslashes anywhere (browsers drop tabs and newlines, turning "/\t/evil" into "//evil").
std::string SafeLocalPath(const std::string& next);

// A JSON number that is a whole number fitting int64, or nullopt (fractions, strings, and
// numbers past int64, which nlohmann would otherwise wrap, are not).
// (Inline: the engine-side component libraries use it without linking the web library.)
inline std::optional<int64_t> JsonInt64(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v.get<uint64_t>());
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  return std::nullopt;
}

// Reads fields of a JSON request body without exceptions. A field that is present with the
// wrong type reads as absent and is remembered; the handler then answers 422 naming it
// (Site::WrongType). Numbers outside int64 are the wrong type for Int().
class JsonFields {
 public:
  // Keeps a reference: body must outlive this reader (a temporary cannot be passed).
  explicit JsonFields(const nlohmann::json& body) : body_(body) {}
  explicit JsonFields(const nlohmann::json&&) = delete;
  std::string Text(const char* field, std::string fallback = "");
  std::optional<int64_t> Int(const char* field);
  std::optional<bool> Bool(const char* field);
  // The first field read with the wrong type ("" when none) and the type it should have had.
  const std::string& wrong_field() const { return wrong_field_; }
  const std::string& expected() const { return expected_; }

 private:
  const nlohmann::json* Find(const char* field) const;
  void Wrong(const char* field, const char* expected);
  const nlohmann::json& body_;
  std::string wrong_field_, expected_;
};

using PageHandler = std::function<http::Response(http::Request&, Context&)>;
// A piece of HTML a component adds to the start page (already rendered and escaped).
using PageFragment = std::function<std::string(const http::Request&, Context&)>;
using ApiHandler = std::function<http::Response(http::Request&, Context&)>;

struct SiteOptions {
  bool cookies_secure_always = false;  // set Secure even on plain HTTP (TLS terminated elsewhere)
  int sign_in_failures_per_account = 10;  // per 15 minutes
  int sign_in_attempts_per_ip = 30;       // per 5 minutes
  // Where uploaded images are stored (outside the database file). Empty: uploads are refused.
  std::string uploads_dir;
  // Registrations (page and API) per client address per hour; past it 429. Bounds how fast
  // anyone can learn which emails have accounts (the 409 for a known email).
  int registrations_per_ip_per_hour = 50;
};

class Site {
 public:
  static Result<std::unique_ptr<Site>> Create(db::Database& db, SiteOptions options = {});

  // The handler to give the HTTP server.
  http::Handler Handler();

  // A page: runs behind the page middleware (CSRF checked on POST/PUT/PATCH/DELETE).
  void Page(const std::string& method, const std::string& pattern, PageHandler handler);
  // Adds a section to the start page, in the order added.
  void AddHomeSection(PageFragment fragment) { home_sections_.push_back(std::move(fragment)); }
  // Renders a template without the layout (for fragments).
  std::string RenderFragment(const Context& ctx, const std::string& name, const html::Data& data) const;
  // A JSON API route: bearer-token authentication, no cookies, no CSRF.
  void Api(const std::string& method, const std::string& pattern, ApiHandler handler);

  // Renders template inside the layout. title_key is a catalogue key.
  http::Response RenderPage(const http::Request& req, Context& ctx, const std::string& name,
                            const std::string& title_key, html::Data data, int status = 200);
  // The same with a title that is not a catalogue string (a process's or proposal's title).
  http::Response RenderPageTitled(const http::Request& req, Context& ctx, const std::string& name,
                                  const std::string& title, html::Data data, int status = 200);
  http::Response ErrorPage(const http::Request& req, Context& ctx, int status, const std::string& title_key,
                           const std::string& message_key);
  // 303 to location with a one-time flash message (catalogue key).
  http::Response RedirectWithFlash(Context& ctx, const std::string& location, const std::string& flash_key);
  // A page that requires sign-in and the action's permission: nullopt when allowed, else the
  // response to send (redirect to sign-in, or 403).
  std::optional<http::Response> Require(const http::Request& req, Context& ctx, std::optional<core::Action> action);

  static http::Response Json(int status, const nlohmann::json& body);
  http::Response JsonError(const Context& ctx, int status, const std::string& message_key,
                           const std::map<std::string, std::string>& vars = {});
  // API handlers: the signed-in user or a 401 response.
  std::optional<http::Response> RequireApiUser(const Context& ctx, std::optional<core::Action> action = std::nullopt);
  // 422 naming the field when fields read one with the wrong type, else nullopt.
  std::optional<http::Response> WrongType(const Context& ctx, const JsonFields& fields);
  // Parses the body as a JSON object, or returns the 400 response to send.
  std::variant<nlohmann::json, http::Response> ParseJsonBody(const http::Request& req, const Context& ctx);

  std::string T(const Context& ctx, const std::string& key, const std::map<std::string, std::string>& vars = {}) const;

  // Every route of the site and its components: (method, pattern).
  std::vector<std::pair<std::string, std::string>> Routes() const { return router_.Routes(); }
  db::Database& db() { return db_; }
  const SiteOptions& options() const { return options_; }
  core::Accounts& accounts() { return accounts_; }
  core::Sessions& sessions() { return sessions_; }
  const html::Catalog& catalog() const { return catalog_; }
  const html::Templates& templates() const { return *templates_; }

 private:
  Site(db::Database& db, SiteOptions options, html::Catalog catalog, std::unique_ptr<html::Templates> templates,
       std::string csrf_secret);
  void AddSpineRoutes();
  std::optional<http::Response> PrepareContext(http::Request& req, Context& ctx, bool api);
  http::Response Finish(const http::Request& req, Context& ctx, http::Response res);
  // The one cookie writer: HttpOnly, SameSite=Lax, and Secure whenever ctx.secure.
  static std::string Cookie(const Context& ctx, const std::string& name, const std::string& value, int64_t max_age);

  // Spine pages and API.
  http::Response Home(http::Request& req, Context& ctx);
  http::Response RegisterForm(http::Request& req, Context& ctx);
  http::Response RegisterSubmit(http::Request& req, Context& ctx);
  http::Response SignInForm(http::Request& req, Context& ctx);
  http::Response SignInSubmit(http::Request& req, Context& ctx);
  http::Response SignOut(http::Request& req, Context& ctx);
  http::Response AccountPage(http::Request& req, Context& ctx);
  http::Response ChangePassword(http::Request& req, Context& ctx);
  http::Response ChangeLanguage(http::Request& req, Context& ctx);
  http::Response AdminPage(http::Request& req, Context& ctx, std::vector<std::string> errors = {}, int status = 200);
  http::Response GrantRole(http::Request& req, Context& ctx);
  http::Response Health(http::Request& req);
  http::Response Static(http::Request& req);
  http::Response ApiCreateSession(http::Request& req, Context& ctx);
  http::Response ApiDeleteSession(http::Request& req, Context& ctx);
  http::Response ApiMe(http::Request& req, Context& ctx);
  http::Response ApiCreateUser(http::Request& req, Context& ctx);

  // Rate limits for sign-in: nullopt when allowed, else seconds to wait.
  std::optional<int64_t> SignInBlocked(const std::string& ip, const std::string& email);
  void SignInFailed(const std::string& ip, const std::string& email);
  // Registrations: counts this attempt and says how long to wait when the address is over its
  // hourly limit (nullopt: go on).
  std::optional<int64_t> RegistrationBlocked(const std::string& ip);

  // Finds the organisation for a host; cached for a few seconds (every request needs it).
  Result<core::Organisation> OrgFor(const std::string& host);
  void StartSession(const http::Request& req, Context& ctx, const core::User& user);

  db::Database& db_;
  SiteOptions options_;
  html::Catalog catalog_;
  std::unique_ptr<html::Templates> templates_;
  core::Csrf csrf_;
  core::Accounts accounts_;
  core::Sessions sessions_;
  core::Organisations organisations_;
  core::RateLimiter ip_limiter_, account_limiter_;
  core::RateLimiter password_limiter_;      // failed current-password checks per account
  core::RateLimiter registration_limiter_;  // registrations per client address
  http::Router router_;
  std::vector<PageFragment> home_sections_;

  // Signed-in users looked up by token, for a few seconds: every API call and page needs them.
  // Cleared whenever this server ends a session or changes a role.
  struct CachedSession {
    core::User user;
    std::vector<core::Role> roles;
    std::chrono::steady_clock::time_point expires;
  };
  std::optional<CachedSession> CachedUser(const std::string& key);
  void ForgetSessions();
  std::mutex session_mu_;
  std::unordered_map<std::string, CachedSession> session_cache_;

  std::mutex org_mu_;
  std::map<std::string, std::pair<core::Organisation, int64_t>> org_cache_;  // host -> (org, expiry)
};

}  // namespace ting::web
