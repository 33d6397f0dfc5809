#pragma once
// The web application's core: routes with their access rule, the middleware chain that fills
// each request's typed Context (organisation by host, session, language, visitor and flash,
// UTF-8 gate, CSRF), the renderer, and the one error path. Components (see component.h) add
// their pages and API through Page()/Api(); a handler returns Result<Response>, and an Error
// becomes the HTML page or JSON body its code calls for (ErrorResponse, in errors.cc).
//
// Files: site.cc (routes, chain), middleware.cc (the middleware, the cookie writer), errors.cc
// (Error → response), json_fields.cc, form.cc (form fields, safe paths, UTF-8 gate); rendering
// is the Renderer's (renderer.h, render.cc).

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ting/base/env.h"
#include "ting/base/money.h"
#include "ting/base/result.h"
#include "ting/base/ttl_cache.h"
#include "ting/core/accounts.h"
#include "ting/core/security.h"
#include "ting/db/database.h"
#include "ting/html/catalog.h"
#include "ting/html/resources.h"
#include "ting/html/templates.h"
#include "ting/http/http.h"
#include "ting/http/router.h"
#include "ting/outbox/outbox.h"
#include "ting/web/context.h"
#include "ting/web/json_fields.h"
#include "ting/web/renderer.h"

namespace ting::web {

// The first value of a form field (urlencoded or multipart body), or "" when absent.
std::string FormField(const http::Request& req, const std::string& name);

// Whether every text the request carries is well-formed UTF-8: the decoded path, the query
// parameters, an urlencoded or multipart form's fields (names, values, file names). Checked
// by the middleware before any handler runs, so no ill-formed text reaches storage.
bool RequestTextIsUtf8(const http::Request& req);

// A path on this site to send the browser to after a form ("next"): "/" unless it is a local
// absolute path with no scheme-relative start ("//", "/\"), no control characters or
// backslashes anywhere (browsers drop tabs and newlines, turning "/\t/evil" into "//evil").
std::string SafeLocalPath(const std::string& next);

// Who may use a route. Checked by the Site before the handler runs; handlers check what depends
// on the data (the author of a proposal) themselves.
struct Access {
  enum class Kind { kPublic, kSignedIn, kAction };
  Kind kind = Kind::kPublic;
  core::Action action{};
  static Access Public() { return {}; }
  static Access SignedIn() { return {Kind::kSignedIn, {}}; }
  static Access Can(core::Action a) { return {Kind::kAction, a}; }
  std::string Describe() const;  // "public", "signed-in", "action:manage_processes"
};

// A rate limit run as the last step of a route's chain: every request that gets that far counts,
// and past the limit the route answers 429 with Retry-After and the message key (which receives
// {{seconds}}) before its handler runs. (Sign-in counts only failed attempts, so it limits in its
// handler.)
struct Limit {
  enum class By { kClientAddress, kAccount };
  core::RateLimiter* limiter = nullptr;
  By by = By::kClientAddress;
  const char* message_key = "error.too_many";
};

using RouteHandler = std::function<Result<http::Response>(http::Request&, Context&)>;
// A piece of HTML a component adds to the start page (already rendered and escaped).
using PageFragment = std::function<std::string(const http::Request&, Context&)>;
// A step of the chain: fills the context, or stops the request with an error.
using Middleware = std::function<Status(http::Request&, Context&)>;

struct SiteOptions {
  bool cookies_secure_always = false;  // set Secure even on plain HTTP (TLS terminated elsewhere)
  int sign_in_failures_per_account = 10;  // per 15 minutes
  int sign_in_attempts_per_ip = 30;       // per 5 minutes
  // Registrations (page and API) per client address per hour; past it 429. Bounds how fast
  // anyone can learn which emails have accounts (the 409 for a known email).
  int registrations_per_ip_per_hour = 50;
  // Mail asked for (password reset, verification link again) per client address per hour.
  int mail_requests_per_ip_per_hour = 20;
  // Where links in mail point: an organisation with a host gets https://<host>; the others this
  // address (the setting public_url; the listening address by default).
  std::string public_url = "http://127.0.0.1:8080";
  // A person who chose a daily digest gets their notifications in one mail this long after the
  // oldest of them (the setting digest_interval_seconds; tests make it short).
  int64_t digest_interval_seconds = 24 * 3600;
};

// A mail in words: what ComposeMail makes from the catalogue.
struct MailWords {
  std::string key;  // "<key>.subject" and "<key>.body" in the catalogue
  std::map<std::string, std::string> vars;
  outbox::Kind kind = outbox::Kind::kTransactional;
  std::string unsubscribe_url{};  // required for every kind but transactional
};

struct RouteInfo {
  std::string method, pattern;
  std::string kind;    // "page", "api" or "plain" (static files, health)
  std::string access;  // Access::Describe(), and " limited" when the route has a rate limit
};

class Site {
 public:
  // resources: the components' templates and catalogues (Manifest::resources), added to the
  // spine's own from web/.
  static Result<std::unique_ptr<Site>> Create(db::Database& db, Env& env, SiteOptions options = {},
                                              const std::vector<html::Resource>& resources = {});

  // The handler to give the HTTP server.
  http::Handler Handler();

  // A page: runs behind the page middleware (CSRF checked on POST/PUT/PATCH/DELETE).
  void Page(const std::string& method, const std::string& pattern, Access access, RouteHandler handler,
            std::optional<Limit> limit = std::nullopt);
  // A JSON API route: bearer-token authentication, no cookies, no CSRF; errors as JSON.
  void Api(const std::string& method, const std::string& pattern, Access access, RouteHandler handler,
           std::optional<Limit> limit = std::nullopt);
  // A route outside the chain (static files, health).
  void Plain(const std::string& method, const std::string& pattern, http::Handler handler);
  // Adds a section to the start page, in the order added.
  void AddHomeSection(PageFragment fragment) { home_sections_.push_back(std::move(fragment)); }
  const std::vector<PageFragment>& home_sections() const { return home_sections_; }
  std::vector<RouteInfo> Routes() const { return routes_; }

  // --- Rendering: the Renderer's (renderer.h), forwarded for handlers' convenience ---
  const Renderer& renderer() const { return renderer_; }
  std::string T(const Context& ctx, const std::string& key, const std::map<std::string, std::string>& vars = {}) const {
    return renderer_.T(ctx, key, vars);
  }
  std::string FormatMoney(const Context& ctx, const Money& money) const { return renderer_.FormatMoney(ctx, money); }
  http::Response RenderPage(const http::Request& req, Context& ctx, const std::string& name, const std::string& title_key,
                            html::Data data, int status = 200) const {
    return renderer_.Page(req, ctx, name, title_key, std::move(data), status);
  }
  http::Response RenderPageTitled(const http::Request& req, Context& ctx, const std::string& name, const std::string& title,
                                  html::Data data, int status = 200) const {
    return renderer_.PageTitled(req, ctx, name, title, std::move(data), status);
  }
  std::string RenderFragment(const Context& ctx, const std::string& name, const html::Data& data) const {
    return renderer_.Fragment(ctx, name, data);
  }
  http::Response ErrorPage(const http::Request& req, Context& ctx, int status, const std::string& title_key,
                           const std::string& message_key, const std::map<std::string, std::string>& vars = {}) const {
    return renderer_.ErrorPage(req, ctx, status, title_key, message_key, vars);
  }
  static http::Response RedirectWithFlash(Context& ctx, const std::string& location, const std::string& flash_key) {
    return Renderer::RedirectWithFlash(ctx, location, flash_key);
  }
  static http::Response Json(int status, const nlohmann::json& body) { return Renderer::Json(status, body); }

  // --- Mail (mail.cc) ---
  // The absolute address of a path on an organisation's site ("/verify-email/…" → "https://…").
  std::string Url(const core::Organisation& org, const std::string& path) const;
  // Replaces SiteOptions::public_url (the server learns its port only once it listens).
  void SetPublicUrl(std::string url) {
    std::lock_guard lock(public_url_mu_);
    options_.public_url = std::move(url);
  }
  // A message in the recipient's language from the catalogue: the subject, the plain text body
  // (paragraphs separated by blank lines; {{org}} and the vars replaced) and the same as simple
  // HTML (escaped, links made clickable), with a footer: why it came, and the unsubscribe link.
  outbox::Message ComposeMail(const core::Organisation& org, const std::string& lang, const std::string& to,
                              const MailWords& words) const;
  // Work the mail sender runs before each round (turning notifications into mail); the server
  // hands these to its outbox::Sender.
  void AddMailJob(std::function<void()> job) { mail_jobs_.push_back(std::move(job)); }
  const std::vector<std::function<void()>>& mail_jobs() const { return mail_jobs_; }
  // Called after a commit that queued mail, so the sender need not wait for its next poll.
  void SetMailWaker(std::function<void()> wake) { mail_waker_ = std::move(wake); }
  void WakeMail() const {
    if (mail_waker_) mail_waker_();
  }
  // Extra values for the layout of every page (the notifications bell), added by components.
  void AddLayoutData(std::function<void(const Context&, html::Data&)> fill) { renderer_.AddLayoutData(std::move(fill)); }

  // --- The one error path (errors.cc) ---
  // The response for an error: the HTML page (sign-in form for kUnauthenticated) or, for API
  // requests, {"error": "<message in the request's language>", "code": "<key>"} (and "field"
  // for a field of the wrong type), with the status the code calls for (StatusFor).
  http::Response ErrorResponse(const http::Request& req, Context& ctx, const Error& error);
  static int StatusFor(ErrorCode code);
  // kUnauthenticated unless signed in; kPermissionDenied unless allowed the action.
  static Status RequireUser(const Context& ctx);
  static Status RequireAction(const Context& ctx, core::Action action);

  // --- Cookies and sessions (middleware.cc) ---
  static void SetCookie(Context& ctx, const std::string& name, const std::string& value, int64_t max_age) {
    web::SetCookie(ctx, name, value, max_age);
  }
  void StartSession(const http::Request& req, Context& ctx, const core::User& user);
  void EndSession(Context& ctx);
  // OK when the default language's catalogue has every key used from C++ (TING_KEY and
  // ExpectKey, ting/base/keys.h); else an error listing the missing ones. Run at start-up, after
  // the components are mounted.
  Status CheckKeys() const;
  Status CheckKeys(const std::vector<std::string>& keys) const;
  // Drops cached sessions (after a role or a password changes).
  void ForgetSessions() { sessions_cache_.Clear(); }
  // Drops cached organisations (after their settings change).
  void ForgetOrganisations() { orgs_cache_.Clear(); }

  db::Database& db() { return db_; }
  Env& env() { return env_; }
  const SiteOptions& options() const { return options_; }
  core::Accounts& accounts() { return accounts_; }
  core::Sessions& sessions() { return sessions_; }
  const html::Catalog& catalog() const { return renderer_.catalog(); }
  const html::Templates& templates() const { return renderer_.templates(); }

 private:
  Site(db::Database& db, Env& env, SiteOptions options, html::Catalog catalog, std::unique_ptr<html::Templates> templates,
       std::string csrf_secret);
  void AddRoute(const std::string& kind, const std::string& method, const std::string& pattern, Access access,
                RouteHandler handler, std::optional<Limit> limit);
  http::Response Run(http::Request& req, bool api, const Access& access, const std::optional<Limit>& limit,
                     const RouteHandler& handler);
  static Status RateLimit(const http::Request& req, const Context& ctx, const Limit& limit);
  http::Response Finish(Context& ctx, http::Response res);
  void BuildChains();
  Result<http::Response> NotFound(http::Request& req, Context& ctx);
  http::Response Health();

  // Middleware (middleware.cc).
  Status Organisation(http::Request& req, Context& ctx);
  Status Session(http::Request& req, Context& ctx);
  Status Language(http::Request& req, Context& ctx);
  Status Visitor(http::Request& req, Context& ctx);
  Status Utf8Gate(http::Request& req, Context& ctx);
  Status CsrfCheck(http::Request& req, Context& ctx);

  struct CachedSession {
    core::User user;
    std::vector<core::Role> roles;
  };

  db::Database& db_;
  Env& env_;
  SiteOptions options_;
  Renderer renderer_;
  core::Csrf csrf_;
  core::Accounts accounts_;
  core::Sessions sessions_;
  core::Organisations organisations_;
  http::Router router_;
  std::vector<RouteInfo> routes_;
  std::vector<Middleware> page_chain_, api_chain_;
  std::vector<PageFragment> home_sections_;
  std::vector<std::function<void()>> mail_jobs_;
  mutable std::mutex public_url_mu_;  // guards options_.public_url
  std::function<void()> mail_waker_;
  // Signed-in users by token and organisations by host, for a few seconds: every request needs
  // them. Sessions are dropped whenever this server ends a session or changes a role.
  TtlCache<std::string, CachedSession> sessions_cache_;
  TtlCache<std::string, core::Organisation> orgs_cache_;
};

}  // namespace ting::web
