// The account pages: register, sign in/out, account (password, language), admin shell.

#include "accounts_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"

namespace ting::components {

using web::FormField;
using web::SafeLocalPath;

namespace {

std::string Seconds(int64_t s) { return std::to_string(s); }

}  // namespace

Result<Response> AccountsComponent::RegisterForm(Request& req, Context& ctx) {
  if (ctx.user) return Response::Redirect("/account");
  html::Data d = FormData({});
  d.set("form_name", "");
  d.set("form_email", "");
  return site_.RenderPage(req, ctx, "accounts/register", TING_KEY("register.title"), d);
}

Result<Response> AccountsComponent::RegisterSubmit(Request& req, Context& ctx) {
  std::string name = FormField(req, "name"), email = FormField(req, "email"), password = FormField(req, "password");
  auto form = [&](const std::string& message, int status) {
    html::Data d = FormData({message});
    d.set("form_name", name);
    d.set("form_email", email);
    return site_.RenderPage(req, ctx, "accounts/register", TING_KEY("register.title"), d, status);
  };
  auto user = site_.accounts().Register(email, password, name, ctx.lang, QueueVerification(ctx));
  if (!user.ok()) {
    const Error& e = user.error();
    if (e.code != ErrorCode::kInvalidArgument && e.code != ErrorCode::kAlreadyExists) return e;
    return form(site_.T(ctx, e.key, e.args), web::Site::StatusFor(e.code));
  }
  site_.WakeMail();
  site_.StartSession(req, ctx, *user);
  return site_.RedirectWithFlash(ctx, "/", TING_KEY("auth.registered_verify"));
}

Result<Response> AccountsComponent::SignInForm(Request& req, Context& ctx) {
  html::Data d = FormData({});
  d.set("next", SafeLocalPath(req.QueryParam("next").value_or("/")));
  d.set("form_email", "");
  return site_.RenderPage(req, ctx, "sign_in", TING_KEY("sign_in.title"), d);
}

Result<Response> AccountsComponent::SignInSubmit(Request& req, Context& ctx) {
  std::string email = FormField(req, "email"), password = FormField(req, "password");
  std::string next = SafeLocalPath(FormField(req, "next"));
  auto form = [&](const std::string& message, int status) {
    html::Data d = FormData({message});
    d.set("next", next);
    d.set("form_email", email);
    return site_.RenderPage(req, ctx, "sign_in", TING_KEY("sign_in.title"), d, status);
  };
  if (auto wait = SignInBlocked(req.remote_ip, email)) {
    Response r = form(site_.T(ctx, TING_KEY("auth.rate_limited"), {{"seconds", Seconds(*wait)}}), 429);
    r.Set("Retry-After", Seconds(*wait));
    return r;
  }
  auto user = site_.accounts().Authenticate(email, password);
  if (!user.ok()) {
    if (user.error().code != ErrorCode::kUnauthenticated) return user.error();
    SignInFailed(req.remote_ip, email);
    return form(site_.T(ctx, TING_KEY("auth.wrong_credentials")), 401);
  }
  site_.StartSession(req, ctx, *user);
  return site_.RedirectWithFlash(ctx, next, TING_KEY("auth.signed_in"));
}

Result<Response> AccountsComponent::SignOut(Request&, Context& ctx) {
  site_.EndSession(ctx);
  return site_.RedirectWithFlash(ctx, "/", TING_KEY("auth.signed_out"));
}

Result<Response> AccountsComponent::AccountPage(Request& req, Context& ctx) {
  html::Data d = FormData({});
  d.set("account_name", ctx.user->name);
  d.set("account_email", ctx.user->email);
  d.set("email_verified", ctx.user->email_verified);
  d.set("eid_account", EndsWith(ctx.user->email, ".invalid"));
  html::List roles;
  for (auto r : ctx.roles) roles.push_back(html::Data(site_.T(ctx, std::string("role.") + core::RoleName(r))));
  d.set("roles", roles);
  return site_.RenderPage(req, ctx, "accounts/account", TING_KEY("account.title"), d);
}

Result<Response> AccountsComponent::ChangePassword(Request& req, Context& ctx) {
  auto form = [&](const std::string& message, int status) {
    html::Data d = FormData({message});
    d.set("account_name", ctx.user->name);
    d.set("account_email", ctx.user->email);
    d.set("email_verified", ctx.user->email_verified);
  d.set("eid_account", EndsWith(ctx.user->email, ".invalid"));
    d.set("roles", html::List{});
    return site_.RenderPage(req, ctx, "accounts/account", TING_KEY("account.title"), d, status);
  };
  // Guessing the current password through this form is limited like signing in: failures per
  // account, and the client address's sign-in attempts.
  const std::string account_key = "pw:" + std::to_string(ctx.user->id);
  std::optional<int64_t> wait = password_limiter_.Blocked(account_key);
  if (!wait) wait = ip_limiter_.Blocked("ip:" + req.remote_ip);
  if (wait) {
    Response r = form(site_.T(ctx, TING_KEY("auth.rate_limited"), {{"seconds", Seconds(*wait)}}), 429);
    r.Set("Retry-After", Seconds(*wait));
    return r;
  }
  Status st = site_.accounts().ChangePassword(ctx.user->id, FormField(req, "current"), FormField(req, "new"));
  if (!st.ok()) {
    const Error& e = st.error();
    if (e.code == ErrorCode::kUnauthenticated) {  // the current password was wrong
      password_limiter_.Record(account_key);
      ip_limiter_.Record("ip:" + req.remote_ip);
    } else if (e.code != ErrorCode::kInvalidArgument) {
      return e;
    }
    return form(site_.T(ctx, e.key, e.args), 422);
  }
  // A changed password signs out every other browser and API client of this account.
  (void)site_.sessions().DestroyAllFor(ctx.user->id);
  site_.ForgetSessions();
  ctx.session_token.clear();
  site_.StartSession(req, ctx, *ctx.user);
  return site_.RedirectWithFlash(ctx, "/account", TING_KEY("auth.password_changed"));
}

Result<Response> AccountsComponent::ChangeLanguage(Request& req, Context& ctx) {
  std::string lang = FormField(req, "lang");
  std::string next = SafeLocalPath(FormField(req, "next"));
  if (!site_.catalog().Has(lang)) return Response::Redirect(next);
  web::Site::SetCookie(ctx, "ting_lang", lang, 365 * 24 * 3600);
  if (ctx.user) (void)site_.accounts().SetLanguage(ctx.user->id, lang);
  return site_.RedirectWithFlash(ctx, next, TING_KEY("language.changed"));
}

Result<Response> AccountsComponent::AdminPage(Request& req, Context& ctx, std::vector<std::string> errors, int status) {
  TING_ASSIGN_OR_RETURN(auto members, site_.accounts().Members(ctx.org.id));
  html::Data d = FormData(std::move(errors));
  html::List rows;
  for (const auto& m : members) {
    std::vector<std::string> names;
    for (auto r : m.roles) names.push_back(site_.T(ctx, std::string("role.") + core::RoleName(r)));
    rows.push_back(html::Object{{"name", m.user.name}, {"email", m.user.email}, {"roles", Join(names, ", ")}});
  }
  d.set("members", rows);
  d.set("can_manage_roles", ctx.Can(core::Action::kManageRoles));
  d.set("can_send_mail", ctx.Can(core::Action::kSendMail));
  d.set("can_manage_processes", ctx.Can(core::Action::kManageProcesses));
  html::List options;
  for (auto r : core::AllRoles())
    options.push_back(html::Object{{"value", core::RoleName(r)}, {"label", site_.T(ctx, std::string("role.") + core::RoleName(r))}});
  d.set("role_options", options);
  html::List languages;
  for (const auto& l : site_.catalog().languages()) {
    const auto& on = ctx.org.languages;
    languages.push_back(html::Object{{"code", l.code}, {"name", l.name}, {"dir", l.dir},
                                     {"enabled", html::Data(std::find(on.begin(), on.end(), l.code) != on.end())},
                                     {"default", html::Data(l.code == ctx.org.default_language())}});
  }
  d.set("org_languages", languages);
  return site_.RenderPage(req, ctx, "accounts/admin", TING_KEY("admin.title"), d, status);
}

Result<Response> AccountsComponent::GrantRole(Request& req, Context& ctx) {
  std::string email = FormField(req, "email");
  auto role = core::ParseRole(FormField(req, "role"));
  if (!role) return AdminPage(req, ctx, {site_.T(ctx, TING_KEY("admin.role_invalid"))}, 422);
  TING_ASSIGN_OR_RETURN(auto user, site_.accounts().FindByEmail(email));
  if (!user) return AdminPage(req, ctx, {site_.T(ctx, TING_KEY("admin.user_not_found"), {{"email", email}})}, 422);
  TING_RETURN_IF_ERROR(site_.accounts().Grant(ctx.org.id, user->id, *role));
  site_.ForgetSessions();  // the new role applies to the next request
  return site_.RedirectWithFlash(ctx, "/admin", TING_KEY("admin.role_granted_short"));
}

}  // namespace ting::components
