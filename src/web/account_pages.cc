// The spine's pages: home, register, sign in/out, account, language, admin shell.

#include "ting/base/strings.h"
#include "ting/web/site.h"

namespace ting::web {

using http::Request;
using http::Response;

namespace {


html::Data FormData(std::vector<std::string> errors) {
  html::Data d;
  html::List list;
  for (auto& e : errors) list.push_back(html::Data(e));
  d.set("has_errors", !errors.empty());
  d.set("errors", list);
  return d;
}

}  // namespace

Response Site::Home(Request& req, Context& ctx) {
  html::Data d;
  std::string sections;
  for (const auto& section : home_sections_) sections += section(req, ctx);
  d.set("sections", sections);
  return RenderPage(req, ctx, "home", "home.title", d);
}

Response Site::RegisterForm(Request& req, Context& ctx) {
  if (ctx.user) return Response::Redirect("/account");
  html::Data d = FormData({});
  d.set("form_name", "");
  d.set("form_email", "");
  return RenderPage(req, ctx, "register", "register.title", d);
}

Response Site::RegisterSubmit(Request& req, Context& ctx) {
  std::string name = FormField(req, "name"), email = FormField(req, "email"), password = FormField(req, "password");
  if (auto wait = RegistrationBlocked(req.remote_ip)) {
    html::Data d = FormData({T(ctx, "auth.registrations_limited", {{"seconds", std::to_string(*wait)}})});
    d.set("form_name", name);
    d.set("form_email", email);
    Response r = RenderPage(req, ctx, "register", "register.title", d, 429);
    r.Set("Retry-After", std::to_string(*wait));
    return r;
  }
  auto user = accounts_.Register(email, password, name, ctx.lang);
  if (!user.ok()) {
    const Error& e = user.error();
    if (e.code != ErrorCode::kInvalidArgument && e.code != ErrorCode::kAlreadyExists)
      return ErrorPage(req, ctx, 500, "error.server_title", "error.server");
    html::Data d = FormData({T(ctx, e.message, {{"min", std::to_string(core::PasswordPolicy::kMinLength)},
                                                {"max", std::to_string(core::PasswordPolicy::kMaxLength)}})});
    d.set("form_name", name);
    d.set("form_email", email);
    return RenderPage(req, ctx, "register", "register.title", d, e.code == ErrorCode::kAlreadyExists ? 409 : 422);
  }
  StartSession(req, ctx, *user);
  return RedirectWithFlash(ctx, "/", "auth.registered");
}

Response Site::SignInForm(Request& req, Context& ctx) {
  html::Data d = FormData({});
  d.set("next", SafeLocalPath(req.QueryParam("next").value_or("/")));
  d.set("form_email", "");
  return RenderPage(req, ctx, "sign_in", "sign_in.title", d);
}

Response Site::SignInSubmit(Request& req, Context& ctx) {
  std::string email = FormField(req, "email"), password = FormField(req, "password");
  std::string next = SafeLocalPath(FormField(req, "next"));
  auto render_error = [&](const std::string& message, int status) {
    html::Data d = FormData({message});
    d.set("next", next);
    d.set("form_email", email);
    return RenderPage(req, ctx, "sign_in", "sign_in.title", d, status);
  };
  if (auto wait = SignInBlocked(req.remote_ip, email)) {
    Response r = render_error(T(ctx, "auth.rate_limited", {{"seconds", std::to_string(*wait)}}), 429);
    r.Set("Retry-After", std::to_string(*wait));
    return r;
  }
  auto user = accounts_.Authenticate(email, password);
  if (!user.ok()) {
    if (user.error().code != ErrorCode::kUnauthenticated)
      return ErrorPage(req, ctx, 500, "error.server_title", "error.server");
    SignInFailed(req.remote_ip, email);
    return render_error(T(ctx, "auth.wrong_credentials"), 401);
  }
  StartSession(req, ctx, *user);
  return RedirectWithFlash(ctx, next, "auth.signed_in");
}

Response Site::SignOut(Request& req, Context& ctx) {
  if (!ctx.session_token.empty()) (void)sessions_.Destroy(ctx.session_token);
  ForgetSessions();
  ctx.set_cookies.push_back(Cookie(ctx, "ting_session", "", 0));
  return RedirectWithFlash(ctx, "/", "auth.signed_out");
}

Response Site::AccountPage(Request& req, Context& ctx) {
  if (auto deny = Require(req, ctx, std::nullopt)) return std::move(*deny);
  html::Data d = FormData({});
  d.set("account_name", ctx.user->name);
  d.set("account_email", ctx.user->email);
  html::List roles;
  for (auto r : ctx.roles) roles.push_back(html::Data(T(ctx, std::string("role.") + core::RoleName(r))));
  d.set("roles", roles);
  return RenderPage(req, ctx, "account", "account.title", d);
}

Response Site::ChangePassword(Request& req, Context& ctx) {
  if (auto deny = Require(req, ctx, std::nullopt)) return std::move(*deny);
  auto render_error = [&](const std::string& message, int status) {
    html::Data d = FormData({message});
    d.set("account_name", ctx.user->name);
    d.set("account_email", ctx.user->email);
    d.set("roles", html::List{});
    return RenderPage(req, ctx, "account", "account.title", d, status);
  };
  // Guessing the current password through this form is limited like signing in: failures per
  // account, and the client address's sign-in attempts.
  const std::string account_key = "pw:" + std::to_string(ctx.user->id);
  std::optional<int64_t> wait = password_limiter_.Blocked(account_key);
  if (!wait) wait = ip_limiter_.Blocked("ip:" + req.remote_ip);
  if (wait) {
    Response r = render_error(T(ctx, "auth.rate_limited", {{"seconds", std::to_string(*wait)}}), 429);
    r.Set("Retry-After", std::to_string(*wait));
    return r;
  }
  Status st = accounts_.ChangePassword(ctx.user->id, FormField(req, "current"), FormField(req, "new"));
  if (!st.ok()) {
    if (st.error().code != ErrorCode::kInvalidArgument) return ErrorPage(req, ctx, 500, "error.server_title", "error.server");
    if (st.error().message == core::Accounts::kWrongCurrentPasswordKey) {
      password_limiter_.Record(account_key);
      ip_limiter_.Record("ip:" + req.remote_ip);
    }
    return render_error(T(ctx, st.error().message, {{"min", std::to_string(core::PasswordPolicy::kMinLength)},
                                                   {"max", std::to_string(core::PasswordPolicy::kMaxLength)}}),
                        422);
  }
  // A changed password signs out every other browser and API client of this account.
  (void)sessions_.DestroyAllFor(ctx.user->id);
  ForgetSessions();
  ctx.session_token.clear();
  StartSession(req, ctx, *ctx.user);
  return RedirectWithFlash(ctx, "/account", "auth.password_changed");
}

Response Site::ChangeLanguage(Request& req, Context& ctx) {
  std::string lang = FormField(req, "lang");
  std::string next = SafeLocalPath(FormField(req, "next"));
  if (!catalog_.Has(lang)) return Response::Redirect(next);
  ctx.set_cookies.push_back(Cookie(ctx, "ting_lang", lang, 365 * 24 * 3600));
  if (ctx.user) (void)accounts_.SetLanguage(ctx.user->id, lang);
  return RedirectWithFlash(ctx, next, "language.changed");
}

Response Site::AdminPage(Request& req, Context& ctx, std::vector<std::string> errors, int status) {
  if (auto deny = Require(req, ctx, core::Action::kViewAdmin)) return std::move(*deny);
  auto members = accounts_.Members(ctx.org.id);
  if (!members.ok()) return ErrorPage(req, ctx, 500, "error.server_title", "error.server");
  html::Data d = FormData(std::move(errors));
  html::List rows;
  for (const auto& m : *members) {
    std::vector<std::string> names;
    for (auto r : m.roles) names.push_back(T(ctx, std::string("role.") + core::RoleName(r)));
    rows.push_back(html::Object{{"name", m.user.name}, {"email", m.user.email}, {"roles", Join(names, ", ")}});
  }
  d.set("members", rows);
  d.set("can_manage_roles", ctx.Can(core::Action::kManageRoles));
  html::List options;
  for (auto r : core::AllRoles())
    options.push_back(html::Object{{"value", core::RoleName(r)}, {"label", T(ctx, std::string("role.") + core::RoleName(r))}});
  d.set("role_options", options);
  return RenderPage(req, ctx, "admin", "admin.title", d, status);
}

Response Site::GrantRole(Request& req, Context& ctx) {
  if (auto deny = Require(req, ctx, core::Action::kManageRoles)) return std::move(*deny);
  std::string email = FormField(req, "email");
  auto role = core::ParseRole(FormField(req, "role"));
  if (!role) return AdminPage(req, ctx, {T(ctx, "admin.role_invalid")}, 422);
  auto user = accounts_.FindByEmail(email);
  if (!user.ok()) return ErrorPage(req, ctx, 500, "error.server_title", "error.server");
  if (!*user) return AdminPage(req, ctx, {T(ctx, "admin.user_not_found", {{"email", email}})}, 422);
  if (!accounts_.Grant(ctx.org.id, (*user)->id, *role).ok()) return ErrorPage(req, ctx, 500, "error.server_title", "error.server");
  ForgetSessions();  // the new role applies to the next request
  return RedirectWithFlash(ctx, "/admin", "admin.role_granted_short");
}

}  // namespace ting::web
