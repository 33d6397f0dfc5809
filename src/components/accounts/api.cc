// The accounts API: sessions (bearer tokens), the signed-in user, registration.

#include "accounts_internal.h"
#include "ting/base/keys.h"

namespace ting::components {


namespace {

json UserJson(const core::User& u, const std::vector<core::Role>& roles) {
  json names = json::array();
  for (auto r : roles) names.push_back(core::RoleName(r));
  return {{"id", u.id}, {"email", u.email}, {"email_verified", u.email_verified}, {"name", u.name}, {"lang", u.lang}, {"roles", names}};
}

}  // namespace

Result<Response> AccountsComponent::ApiCreateSession(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields fields(body);
  TING_ASSIGN_OR_RETURN(std::string email, fields.Required("email"));
  TING_ASSIGN_OR_RETURN(std::string password, fields.Required("password"));
  if (auto wait = SignInBlocked(req.remote_ip, email))
    return Error::Say(ErrorCode::kResourceExhausted, TING_KEY("auth.rate_limited"), {{"seconds", std::to_string(*wait)}});
  auto user = site_.accounts().Authenticate(email, password);
  if (!user.ok()) {
    if (user.error().code == ErrorCode::kUnauthenticated) SignInFailed(req.remote_ip, email);
    return user.error();
  }
  TING_ASSIGN_OR_RETURN(std::string token, site_.sessions().Create(user->id, core::SessionKind::kApi));
  TING_ASSIGN_OR_RETURN(auto roles, site_.accounts().RolesOf(ctx.org.id, user->id));
  return Site::Json(200, {{"token", token}, {"user", UserJson(*user, roles)}});
}

Result<Response> AccountsComponent::ApiDeleteSession(Request&, Context& ctx) {
  TING_RETURN_IF_ERROR(site_.sessions().Destroy(ctx.api_token));
  site_.ForgetSessions();
  return Response{204, {}, {}};
}

Result<Response> AccountsComponent::ApiMe(Request&, Context& ctx) { return Site::Json(200, UserJson(*ctx.user, ctx.roles)); }

Result<Response> AccountsComponent::ApiCreateUser(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields fields(body);
  TING_ASSIGN_OR_RETURN(std::string email, fields.Required("email"));
  TING_ASSIGN_OR_RETURN(std::string password, fields.Required("password"));
  TING_ASSIGN_OR_RETURN(std::string name, fields.Required("name"));
  std::string lang = fields.Text("lang", ctx.lang);
  TING_RETURN_IF_ERROR(fields.Check());
  if (!site_.catalog().Has(lang)) lang = ctx.lang;
  TING_ASSIGN_OR_RETURN(auto user, site_.accounts().Register(email, password, name, lang, QueueVerification(ctx)));
  site_.WakeMail();
  return Site::Json(201, UserJson(user, {}));
}

}  // namespace ting::components
