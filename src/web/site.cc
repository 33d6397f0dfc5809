#include "ting/web/site.h"

#include "ting/base/digest.h"
#include "ting/base/strings.h"
#include "ting/html/resources.h"
#include "ting/web/multipart.h"

namespace ting::web {

using http::Request;
using http::Response;
using json = nlohmann::json;

namespace {

constexpr const char* kSessionCookie = "ting_session";
constexpr const char* kVisitorCookie = "ting_visitor";
constexpr const char* kLangCookie = "ting_lang";
constexpr const char* kFlashCookie = "ting_flash";
constexpr int64_t kYear = 365 * 24 * 3600;

bool StateChanging(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}


// Flash keys are catalogue keys: letters, digits, dots and underscores only.
bool ValidFlashKey(const std::string& key) {
  if (key.empty() || key.size() > 64) return false;
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_')) return false;
  return true;
}

}  // namespace

bool RequestTextIsUtf8(const Request& req) {
  if (!IsValidUtf8(req.path) || !IsValidUtf8(http::UrlDecode(req.query, /*form_encoding=*/true))) return false;
  std::string_view type = req.Header("Content-Type");
  if (StartsWith(AsciiLower(type), "application/x-www-form-urlencoded")) return IsValidUtf8(http::UrlDecode(req.body, true));
  if (StartsWith(AsciiLower(type), "multipart/form-data")) {
    for (const auto& part : MultipartParts(req)) {
      if (!IsValidUtf8(part.name) || !IsValidUtf8(part.filename)) return false;
      if (part.filename.empty() && !IsValidUtf8(part.data)) return false;  // a plain field; files are bytes
    }
  }
  return true;
}

std::string SafeLocalPath(const std::string& next) {
  if (next.empty() || next[0] != '/') return "/";
  for (unsigned char c : next)
    if (c < 0x21 || c == 0x7f || c == '\\') return "/";
  if (next.size() > 1 && next[1] == '/') return "/";
  if (!IsValidUtf8(next)) return "/";
  return next;
}

const json* JsonFields::Find(const char* field) const {
  if (!body_.is_object()) return nullptr;
  auto it = body_.find(field);
  if (it == body_.end() || it->is_null()) return nullptr;
  return &*it;
}

void JsonFields::Wrong(const char* field, const char* expected) {
  if (!wrong_field_.empty()) return;
  wrong_field_ = field;
  expected_ = expected;
}

std::string JsonFields::Text(const char* field, std::string fallback) {
  const json* v = Find(field);
  if (!v) return fallback;
  if (!v->is_string()) {
    Wrong(field, "string");
    return fallback;
  }
  return v->get<std::string>();
}

std::optional<int64_t> JsonFields::Int(const char* field) {
  const json* v = Find(field);
  if (!v) return std::nullopt;
  if (auto n = JsonInt64(*v)) return n;
  Wrong(field, "integer");
  return std::nullopt;
}

std::optional<bool> JsonFields::Bool(const char* field) {
  const json* v = Find(field);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    Wrong(field, "boolean");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::string FormField(const Request& req, const std::string& name) {
  for (const auto& [k, v] : req.FormFields())
    if (k == name) return v;
  // Forms that upload files send multipart bodies; their plain fields count the same.
  for (const auto& part : MultipartParts(req))
    if (part.name == name && part.filename.empty()) return part.data;
  return {};
}

Site::Site(db::Database& db, SiteOptions options, html::Catalog catalog, std::unique_ptr<html::Templates> templates,
           std::string csrf_secret)
    : db_(db),
      options_(options),
      catalog_(std::move(catalog)),
      templates_(std::move(templates)),
      csrf_(std::move(csrf_secret)),
      accounts_(db),
      sessions_(db),
      organisations_(db),
      ip_limiter_(options.sign_in_attempts_per_ip, std::chrono::minutes(5)),
      account_limiter_(options.sign_in_failures_per_account, std::chrono::minutes(15)),
      password_limiter_(options.sign_in_failures_per_account, std::chrono::minutes(15)),
      registration_limiter_(options.registrations_per_ip_per_hour, std::chrono::hours(1)) {}

Result<std::unique_ptr<Site>> Site::Create(db::Database& db, SiteOptions options) {
  TING_ASSIGN_OR_RETURN(auto catalog, html::Catalog::LoadEmbedded());
  TING_ASSIGN_OR_RETURN(auto templates, html::Templates::LoadEmbedded(catalog));
  TING_ASSIGN_OR_RETURN(std::string secret, core::InstanceSecret(db, "csrf"));
  std::unique_ptr<Site> site(new Site(db, options, std::move(catalog), std::move(templates), std::move(secret)));
  site->AddSpineRoutes();
  return site;
}

http::Handler Site::Handler() {
  return [this](Request& req) { return router_.Dispatch(req); };
}

void Site::Page(const std::string& method, const std::string& pattern, PageHandler handler) {
  router_.Add(method, pattern, [this, handler = std::move(handler)](Request& req) {
    Context ctx;
    if (auto early = PrepareContext(req, ctx, /*api=*/false)) return Finish(req, ctx, std::move(*early));
    try {
      return Finish(req, ctx, handler(req, ctx));
    } catch (const json::exception&) {
      // A JSON value of an unexpected type reached a handler that did not check it: the request
      // was wrong, not the server (fields are read with JsonFields; this is the net under it).
      return Finish(req, ctx, ErrorPage(req, ctx, 422, "form.errors_title", "error.bad_request"));
    }
  });
}

void Site::Api(const std::string& method, const std::string& pattern, ApiHandler handler) {
  router_.Add(method, pattern, [this, handler = std::move(handler)](Request& req) {
    Context ctx;
    if (auto early = PrepareContext(req, ctx, /*api=*/true)) return std::move(*early);
    Response res;
    try {
      res = handler(req, ctx);
    } catch (const json::exception&) {
      res = Json(422, {{"error", T(ctx, "api.wrong_type_somewhere")}, {"code", "api.wrong_type"}});
    }
    res.Set("Cache-Control", "no-store");
    return res;
  });
}

Result<core::Organisation> Site::OrgFor(const std::string& host) {
  int64_t now = core::NowSeconds();
  {
    std::lock_guard lock(org_mu_);
    auto it = org_cache_.find(host);
    if (it != org_cache_.end() && it->second.second > now) return it->second.first;
  }
  TING_ASSIGN_OR_RETURN(auto org, organisations_.ForHost(host));
  std::lock_guard lock(org_mu_);
  if (org_cache_.size() > 1000) org_cache_.clear();  // hosts are few; a flood of made-up ones is not
  org_cache_[host] = {org, now + 10};
  return org;
}

std::optional<Response> Site::PrepareContext(Request& req, Context& ctx, bool api) {
  auto org = OrgFor(req.Host());
  if (!org.ok()) return Response::Text(503, org.error().message);
  ctx.org = *org;
  ctx.secure = req.secure || options_.cookies_secure_always;

  std::string token;
  if (api) {
    // RFC 6750: the scheme is case-insensitive, then one or more spaces, then the token.
    std::string_view auth = Trim(req.Header("Authorization"));
    if (AsciiLower(auth.substr(0, 7)) == "bearer ") token = std::string(Trim(auth.substr(7)));
    ctx.api_token = token;
  } else {
    token = req.Cookie(kSessionCookie).value_or("");
  }
  if (!token.empty()) {
    std::string key = std::string(api ? "api:" : "web:") + std::to_string(ctx.org.id) + ":" + token;
    if (auto cached = CachedUser(key)) {
      ctx.user = cached->user;
      ctx.roles = cached->roles;
      if (!api) ctx.session_token = token;
    } else {
      auto session = sessions_.Lookup(token, api ? core::SessionKind::kApi : core::SessionKind::kWeb);
      if (!session.ok()) return Response::Text(500, "session lookup failed");
      if (*session) {
        auto user = accounts_.FindById((*session)->user_id);
        auto roles = accounts_.RolesOf(ctx.org.id, (*session)->user_id);
        if (user.ok() && *user && roles.ok()) {
          ctx.user = **user;
          ctx.roles = *roles;
          if (!api) ctx.session_token = token;
          std::lock_guard lock(session_mu_);
          if (session_cache_.size() > 100000) session_cache_.clear();
          session_cache_[key] = {**user, *roles, std::chrono::steady_clock::now() + std::chrono::seconds(5)};
        }
      } else if (!api) {
        ctx.set_cookies.push_back(Cookie(ctx, kSessionCookie, "", 0));  // stale cookie: drop it
      }
    }
  }

  if (api) {
    ctx.lang = catalog_.Negotiate("", req.Header("Accept-Language"));
    if (!RequestTextIsUtf8(req)) return Json(400, {{"error", T(ctx, "api.bad_utf8")}, {"code", "api.bad_utf8"}});
    return std::nullopt;
  }

  std::string chosen = req.Cookie(kLangCookie).value_or(ctx.user ? ctx.user->lang : "");
  ctx.lang = catalog_.Negotiate(chosen, req.Header("Accept-Language"));
  ctx.visitor_id = req.Cookie(kVisitorCookie).value_or("");
  if (ctx.visitor_id.size() < 20 || ctx.visitor_id.size() > 64) {
    if (StateChanging(req.method)) {
      // No visitor cookie on a form post: the form cannot have come from our page.
      return ErrorPage(req, ctx, 403, "error.csrf_title", "error.csrf");
    }
    ctx.visitor_id = core::RandomToken(24);
    ctx.set_cookies.push_back(Cookie(ctx, kVisitorCookie, ctx.visitor_id, kYear));
  }
  const std::string& binding = ctx.session_token.empty() ? ctx.visitor_id : ctx.session_token;
  ctx.csrf = csrf_.Token(binding);
  if (auto flash = req.Cookie(kFlashCookie); flash && ValidFlashKey(*flash)) ctx.flash = *flash;

  if (!RequestTextIsUtf8(req)) return ErrorPage(req, ctx, 400, "error.bad_text_title", "error.bad_text");
  if (StateChanging(req.method)) {
    std::string sent = FormField(req, "csrf");
    if (sent.empty()) sent = std::string(req.Header("X-CSRF-Token"));
    if (!csrf_.Verify(binding, sent)) return ErrorPage(req, ctx, 403, "error.csrf_title", "error.csrf");
  }
  return std::nullopt;
}

std::optional<Site::CachedSession> Site::CachedUser(const std::string& key) {
  std::lock_guard lock(session_mu_);
  auto it = session_cache_.find(key);
  if (it == session_cache_.end()) return std::nullopt;
  if (it->second.expires < std::chrono::steady_clock::now()) {
    session_cache_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void Site::ForgetSessions() {
  std::lock_guard lock(session_mu_);
  session_cache_.clear();
}

std::string Site::Cookie(const Context& ctx, const std::string& name, const std::string& value, int64_t max_age) {
  std::string c = name + "=" + value + "; Path=/; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Lax";
  if (ctx.secure) c += "; Secure";
  return c;
}

Response Site::Finish(const Request& req, Context& ctx, Response res) {
  for (const auto& c : ctx.set_cookies) res.Add("Set-Cookie", c);
  if (!res.headers.count("Cache-Control")) res.Set("Cache-Control", ctx.user ? "private, no-store" : "no-cache");
  res.Set("Vary", "Cookie, Accept-Language");
  return res;
}

std::string Site::T(const Context& ctx, const std::string& key, const std::map<std::string, std::string>& vars) const {
  return catalog_.Format(ctx.lang, key, vars);
}

Response Site::RenderPage(const Request& req, Context& ctx, const std::string& name, const std::string& title_key,
                          html::Data data, int status) {
  return RenderPageTitled(req, ctx, name, T(ctx, title_key), std::move(data), status);
}

Response Site::RenderPageTitled(const Request& req, Context& ctx, const std::string& name, const std::string& title,
                                html::Data data, int status) {
  const auto& lang = catalog_.Lang(ctx.lang);
  data.set("lang", lang.code);
  data.set("dir", lang.dir);
  data.set("title", title);
  data.set("org_name", ctx.org.name);
  data.set("csrf", ctx.csrf);
  data.set("path", req.target);
  html::List languages;
  for (const auto& l : catalog_.languages()) {
    html::Object o{{"code", l.code}, {"name", l.name}};
    o["current"] = html::Data(l.code == lang.code ? html::Data::type::bool_true : html::Data::type::bool_false);
    languages.push_back(o);
  }
  data.set("languages", languages);
  if (ctx.user) {
    html::Object u{{"name", ctx.user->name}};
    u["is_staff"] = html::Data(ctx.Can(core::Action::kViewAdmin) ? html::Data::type::bool_true : html::Data::type::bool_false);
    data.set("user", u);
  } else {
    data.set("user", html::Data(html::Data::type::bool_false));
  }
  if (!ctx.flash.empty()) {
    data.set("flash", T(ctx, ctx.flash));
    ctx.set_cookies.push_back(Cookie(ctx, kFlashCookie, "", 0));
  }
  auto content = templates_->Render(name, lang.code, data);
  if (!content.ok()) return Response::Text(500, content.error().message);
  data.set("content", *content);
  auto page = templates_->Render("layout", lang.code, data);
  if (!page.ok()) return Response::Text(500, page.error().message);
  return Response::Html(status, std::move(*page));
}

std::string Site::RenderFragment(const Context& ctx, const std::string& name, const html::Data& data) const {
  auto out = templates_->Render(name, ctx.lang, data);
  return out.ok() ? *out : std::string();
}

Response Site::ErrorPage(const Request& req, Context& ctx, int status, const std::string& title_key,
                         const std::string& message_key) {
  html::Data d;
  d.set("heading", T(ctx, title_key));
  d.set("message", T(ctx, message_key));
  return RenderPage(req, ctx, "error", title_key, d, status);
}

Response Site::RedirectWithFlash(Context& ctx, const std::string& location, const std::string& flash_key) {
  ctx.set_cookies.push_back(Cookie(ctx, kFlashCookie, flash_key, 60));
  return Response::Redirect(location);
}

std::optional<Response> Site::Require(const Request& req, Context& ctx, std::optional<core::Action> action) {
  if (!ctx.user) {
    ctx.flash = "auth.sign_in_required";
    html::Data d;
    d.set("next", req.target);
    d.set("form_email", "");
    d.set("has_errors", false);
    return RenderPage(req, ctx, "sign_in", "sign_in.title", d, 401);
  }
  if (action && !ctx.Can(*action)) return ErrorPage(req, ctx, 403, "error.forbidden_title", "error.forbidden");
  return std::nullopt;
}

Response Site::Json(int status, const json& body) { return Response::Json(status, body.dump()); }

Response Site::JsonError(const Context& ctx, int status, const std::string& message_key,
                         const std::map<std::string, std::string>& vars) {
  return Json(status, {{"error", T(ctx, message_key, vars)}});
}

std::optional<Response> Site::RequireApiUser(const Context& ctx, std::optional<core::Action> action) {
  if (!ctx.user) {
    Response r = Json(401, {{"error", T(ctx, "api.unauthenticated")}});
    r.Set("WWW-Authenticate", "Bearer");
    return r;
  }
  if (action && !ctx.Can(*action)) return Json(403, {{"error", T(ctx, "error.forbidden")}});
  return std::nullopt;
}

std::optional<Response> Site::WrongType(const Context& ctx, const JsonFields& fields) {
  if (fields.wrong_field().empty()) return std::nullopt;
  return Json(422, {{"error", T(ctx, "api.wrong_type", {{"field", fields.wrong_field()}, {"expected", fields.expected()}})},
                    {"code", "api.wrong_type"},
                    {"field", fields.wrong_field()}});
}

std::variant<json, Response> Site::ParseJsonBody(const Request& req, const Context& ctx) {
  auto body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    // nlohmann's parser refuses ill-formed UTF-8 in strings; say so when that was the problem.
    if (!IsValidUtf8(req.body)) return Json(400, {{"error", T(ctx, "api.bad_utf8")}, {"code", "api.bad_utf8"}});
    return JsonError(ctx, 400, "api.bad_json");
  }
  return body;
}

void Site::StartSession(const Request& req, Context& ctx, const core::User& user) {
  auto token = sessions_.Create(user.id, core::SessionKind::kWeb);
  if (!token.ok()) return;
  if (!ctx.session_token.empty()) (void)sessions_.Destroy(ctx.session_token);
  ForgetSessions();
  ctx.session_token = *token;
  ctx.set_cookies.push_back(Cookie(ctx, kSessionCookie, *token, core::Sessions::kWebLifetimeSeconds));
}

std::optional<int64_t> Site::SignInBlocked(const std::string& ip, const std::string& email) {
  if (auto wait = ip_limiter_.Blocked("ip:" + ip)) return wait;
  return account_limiter_.Blocked("acct:" + AsciiLower(Trim(email)));
}

std::optional<int64_t> Site::RegistrationBlocked(const std::string& ip) {
  if (auto wait = registration_limiter_.Blocked("reg:" + ip)) return wait;
  registration_limiter_.Record("reg:" + ip);
  return std::nullopt;
}

void Site::SignInFailed(const std::string& ip, const std::string& email) {
  ip_limiter_.Record("ip:" + ip);
  account_limiter_.Record("acct:" + AsciiLower(Trim(email)));
}

void Site::AddSpineRoutes() {
  auto page = [this](auto method) {
    return [this, method](Request& req, Context& ctx) { return (this->*method)(req, ctx); };
  };
  Page("GET", "/", page(&Site::Home));
  Page("GET", "/register", page(&Site::RegisterForm));
  Page("POST", "/register", page(&Site::RegisterSubmit));
  Page("GET", "/sign-in", page(&Site::SignInForm));
  Page("POST", "/sign-in", page(&Site::SignInSubmit));
  Page("POST", "/sign-out", page(&Site::SignOut));
  Page("GET", "/account", page(&Site::AccountPage));
  Page("POST", "/account/password", page(&Site::ChangePassword));
  Page("POST", "/language", page(&Site::ChangeLanguage));
  Page("GET", "/admin", [this](Request& req, Context& ctx) { return AdminPage(req, ctx); });
  Page("POST", "/admin/roles", page(&Site::GrantRole));
  router_.Add("GET", "/healthz", [this](Request& req) { return Health(req); });
  router_.Add("GET", "/static/{path...}", [this](Request& req) { return Static(req); });
  Api("POST", "/api/v1/session", page(&Site::ApiCreateSession));
  Api("DELETE", "/api/v1/session", page(&Site::ApiDeleteSession));
  Api("GET", "/api/v1/me", page(&Site::ApiMe));
  Api("POST", "/api/v1/users", page(&Site::ApiCreateUser));
  router_.SetNotFound([this](Request& req) {
    if (StartsWith(req.path, "/api/")) return Json(404, {{"error", "no such API endpoint: " + req.method + " " + req.path}});
    Context ctx;
    if (auto early = PrepareContext(req, ctx, false)) return Finish(req, ctx, std::move(*early));
    return Finish(req, ctx, ErrorPage(req, ctx, 404, "error.not_found_title", "error.not_found"));
  });
}

Response Site::Health(Request&) {
  Status st = db_.Read([](db::Connection& c) -> Status {
    auto r = c.Query("SELECT 1");
    return r.ok() ? Status() : Status(r.error());
  });
  if (!st.ok()) return Json(503, {{"status", "unavailable"}, {"error", st.error().message}});
  Response r = Json(200, {{"status", "ok"}});
  r.Set("Cache-Control", "no-store");
  return r;
}

Response Site::Static(Request& req) {
  // Embedded assets, with a content hash as ETag (computed once per file).
  static const auto* etags = [] {
    auto* m = new std::map<std::string, std::string, std::less<>>;
    for (const auto& r : html::Resources())
      if (StartsWith(r.path, "static/")) (*m)[std::string(r.path.substr(7))] = "\"" + Sha256Hex(r.content).substr(0, 20) + "\"";
    return m;
  }();
  std::string name = req.Param("path");
  auto etag = etags->find(name);
  auto content = html::FindResource("static/" + name);
  if (etag == etags->end() || !content) return Response::Text(404, "not found");
  Response r;
  r.Set("ETag", etag->second);
  r.Set("Cache-Control", "public, max-age=3600");
  if (req.Header("If-None-Match") == etag->second) {
    r.status = 304;
    return r;
  }
  static const std::map<std::string, std::string> kTypes = {
      {".css", "text/css; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"}, {".svg", "image/svg+xml"},
      {".png", "image/png"}, {".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"}};
  std::string type = "application/octet-stream";
  for (const auto& [ext, t] : kTypes)
    if (EndsWith(name, ext)) type = t;
  r.Set("Content-Type", type);
  r.body = std::string(*content);
  return r;
}

}  // namespace ting::web
