// JSON API of the spine: sessions (bearer tokens), the signed-in user, registration.

#include "ting/web/site.h"

namespace ting::web {

using http::Request;
using http::Response;
using json = nlohmann::json;

namespace {

json RolesJson(const std::vector<core::Role>& roles) {
  json out = json::array();
  for (auto r : roles) out.push_back(core::RoleName(r));
  return out;
}

json UserJson(const core::User& u, const std::vector<core::Role>& roles) {
  return {{"id", u.id}, {"email", u.email}, {"name", u.name}, {"lang", u.lang}, {"roles", RolesJson(roles)}};
}

// A string field of a JSON object, or nullopt when absent or not a string.
std::optional<std::string> StringField(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

Response Site::ApiCreateSession(Request& req, Context& ctx) {
  auto parsed = ParseJsonBody(req, ctx);
  if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
  const json& body = std::get<json>(parsed);
  auto email = StringField(body, "email");
  auto password = StringField(body, "password");
  if (!email) return JsonError(ctx, 400, "api.missing_field", {{"field", "email"}});
  if (!password) return JsonError(ctx, 400, "api.missing_field", {{"field", "password"}});
  if (auto wait = SignInBlocked(req.remote_ip, *email)) {
    Response r = JsonError(ctx, 429, "auth.rate_limited", {{"seconds", std::to_string(*wait)}});
    r.Set("Retry-After", std::to_string(*wait));
    return r;
  }
  auto user = accounts_.Authenticate(*email, *password);
  if (!user.ok()) {
    if (user.error().code != ErrorCode::kUnauthenticated) return JsonError(ctx, 500, "error.server");
    SignInFailed(req.remote_ip, *email);
    return JsonError(ctx, 401, "auth.wrong_credentials");
  }
  auto token = sessions_.Create(user->id, core::SessionKind::kApi);
  auto roles = accounts_.RolesOf(ctx.org.id, user->id);
  if (!token.ok() || !roles.ok()) return JsonError(ctx, 500, "error.server");
  return Json(200, {{"token", *token}, {"user", UserJson(*user, *roles)}});
}

Response Site::ApiDeleteSession(Request& req, Context& ctx) {
  if (auto deny = RequireApiUser(ctx)) return std::move(*deny);
  if (!sessions_.Destroy(ctx.api_token).ok()) return JsonError(ctx, 500, "error.server");
  ForgetSessions();
  return Response{204, {}, {}};
}

Response Site::ApiMe(Request&, Context& ctx) {
  if (auto deny = RequireApiUser(ctx)) return std::move(*deny);
  return Json(200, UserJson(*ctx.user, ctx.roles));
}

Response Site::ApiCreateUser(Request& req, Context& ctx) {
  auto parsed = ParseJsonBody(req, ctx);
  if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
  const json& body = std::get<json>(parsed);
  for (const char* field : {"email", "password", "name"})
    if (!StringField(body, field)) return JsonError(ctx, 400, "api.missing_field", {{"field", field}});
  if (auto wait = RegistrationBlocked(req.remote_ip)) {
    Response r = JsonError(ctx, 429, "auth.registrations_limited", {{"seconds", std::to_string(*wait)}});
    r.Set("Retry-After", std::to_string(*wait));
    return r;
  }
  std::string lang = StringField(body, "lang").value_or(ctx.lang);
  if (!catalog_.Has(lang)) lang = ctx.lang;
  auto user = accounts_.Register(*StringField(body, "email"), *StringField(body, "password"), *StringField(body, "name"), lang);
  if (!user.ok()) {
    const Error& e = user.error();
    int status = e.code == ErrorCode::kAlreadyExists ? 409 : e.code == ErrorCode::kInvalidArgument ? 422 : 500;
    if (status == 500) return JsonError(ctx, 500, "error.server");
    return Json(status, {{"error", T(ctx, e.message, {{"min", std::to_string(core::PasswordPolicy::kMinLength)},
                                                      {"max", std::to_string(core::PasswordPolicy::kMaxLength)}})},
                         {"code", e.message}});
  }
  return Json(201, UserJson(*user, {}));
}

}  // namespace ting::web
