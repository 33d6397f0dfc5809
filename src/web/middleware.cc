// The middleware chain: each step fills part of the request's Context or stops the request
// with an Error (which the one error path turns into a page or JSON). Pages run
//   Organisation → Session → Language → Visitor (CSRF binding, flash) → Utf8Gate → CsrfCheck
// and the API
//   Organisation → Session (bearer token) → Language (Accept-Language) → Utf8Gate.

#include "ting/base/strings.h"
#include "ting/base/keys.h"
#include "ting/web/site.h"

namespace ting::web {

using http::Request;

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

void SetCookie(Context& ctx, const std::string& name, const std::string& value, int64_t max_age) {
  std::string c = name + "=" + value + "; Path=/; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Lax";
  if (ctx.secure) c += "; Secure";
  ctx.set_cookies.push_back(std::move(c));
}

Status Site::Organisation(Request& req, Context& ctx) {
  std::string host = req.Host();
  if (auto cached = orgs_cache_.Get(host)) {
    ctx.org = *cached;
  } else {
    auto org = organisations_.ForHost(host);
    if (!org.ok()) return Error::Io("no organisation for host \"" + host + "\": " + org.error().message);
    ctx.org = *orgs_cache_.Put(host, std::move(*org));
  }
  ctx.secure = req.secure || options_.cookies_secure_always;
  return {};
}

Status Site::Session(Request& req, Context& ctx) {
  std::string token;
  if (ctx.api) {
    // RFC 6750: the scheme is case-insensitive, then one or more spaces, then the token.
    std::string_view auth = Trim(req.Header("Authorization"));
    if (AsciiLower(auth.substr(0, 7)) == "bearer ") token = std::string(Trim(auth.substr(7)));
    ctx.api_token = token;
  } else {
    token = req.Cookie(kSessionCookie).value_or("");
  }
  if (token.empty()) return {};
  std::string key = std::string(ctx.api ? "api:" : "web:") + std::to_string(ctx.org.id) + ":" + token;
  auto cached = sessions_cache_.Get(key);
  if (!cached) {
    TING_ASSIGN_OR_RETURN(auto session, sessions_.Lookup(token, ctx.api ? core::SessionKind::kApi : core::SessionKind::kWeb));
    if (!session) {
      if (!ctx.api) SetCookie(ctx, kSessionCookie, "", 0);  // stale cookie: drop it
      return {};
    }
    TING_ASSIGN_OR_RETURN(auto user, accounts_.FindById(session->user_id));
    TING_ASSIGN_OR_RETURN(auto roles, accounts_.RolesOf(ctx.org.id, session->user_id));
    if (!user) return {};
    cached = sessions_cache_.Put(key, CachedSession{*user, roles});
  }
  ctx.user = cached->user;
  ctx.roles = cached->roles;
  if (!ctx.api) ctx.session_token = token;
  return {};
}

Status Site::Language(Request& req, Context& ctx) {
  std::string chosen = ctx.api ? "" : req.Cookie(kLangCookie).value_or(ctx.user ? ctx.user->lang : "");
  ctx.lang = catalog().Negotiate(chosen, req.Header("Accept-Language"), ctx.org.languages);
  return {};
}

Status Site::Visitor(Request& req, Context& ctx) {
  ctx.visitor_id = req.Cookie(kVisitorCookie).value_or("");
  if (ctx.visitor_id.size() < 20 || ctx.visitor_id.size() > 64) {
    // No visitor cookie on a form post: the form cannot have come from our page.
    if (StateChanging(req.method)) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("error.csrf"));
    ctx.visitor_id = core::RandomToken(24);
    SetCookie(ctx, kVisitorCookie, ctx.visitor_id, kYear);
  }
  ctx.csrf = csrf_.Token(ctx.session_token.empty() ? ctx.visitor_id : ctx.session_token);
  if (auto flash = req.Cookie(kFlashCookie); flash && ValidFlashKey(*flash)) ctx.flash = *flash;
  return {};
}

Status Site::Utf8Gate(Request& req, Context& ctx) {
  if (RequestTextIsUtf8(req)) return {};
  return Error::Say(ErrorCode::kMalformed, ctx.api ? TING_KEY("api.bad_utf8") : TING_KEY("error.bad_text"));
}

Status Site::CsrfCheck(Request& req, Context& ctx) {
  if (!StateChanging(req.method)) return {};
  std::string sent = FormField(req, "csrf");
  if (sent.empty()) sent = std::string(req.Header("X-CSRF-Token"));
  if (!csrf_.Verify(ctx.session_token.empty() ? ctx.visitor_id : ctx.session_token, sent))
    return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("error.csrf"));
  return {};
}

void Site::StartSession(const Request&, Context& ctx, const core::User& user) {
  auto token = sessions_.Create(user.id, core::SessionKind::kWeb);
  if (!token.ok()) return;
  if (!ctx.session_token.empty()) (void)sessions_.Destroy(ctx.session_token);
  ForgetSessions();
  ctx.session_token = *token;
  SetCookie(ctx, kSessionCookie, *token, core::Sessions::kWebLifetimeSeconds);
}

void Site::EndSession(Context& ctx) {
  if (!ctx.session_token.empty()) (void)sessions_.Destroy(ctx.session_token);
  ForgetSessions();
  ctx.session_token.clear();
  SetCookie(ctx, kSessionCookie, "", 0);
}

}  // namespace ting::web
