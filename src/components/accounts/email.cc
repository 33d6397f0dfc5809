// Mailed links: the address verification sent at registration (and again on request), and
// "forgot password": a link valid for an hour, used once, that sets a new password and ends
// every session of the account. Asking for a reset answers the same, after the same work,
// whether or not the address has an account.

#include "accounts_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"

namespace ting::components {

using web::FormField;

namespace {

constexpr int64_t kResetsPerAddressPerHour = 5;

}  // namespace

Status AccountsComponent::QueueVerificationIn(db::Connection& c, const core::Organisation& org, const core::User& user) {
  TING_ASSIGN_OR_RETURN(std::string token, core::Accounts::IssueToken(c, site_.env(), user.id, core::TokenPurpose::kVerifyEmail));
  web::MailWords words{.key = TING_MAIL_KEY("mail.verify"), .vars = {{"name", user.name}, {"link", site_.Url(org, "/verify-email/" + token)}}};
  return StatusOf(outbox::Enqueue(c, site_.env(), site_.ComposeMail(org, user.lang, user.email, words)));
}

core::UserHook AccountsComponent::QueueVerification(const Context& ctx) {
  core::Organisation org = ctx.org;
  return [this, org](db::Connection& c, const core::User& user) { return QueueVerificationIn(c, org, user); };
}

Result<Response> AccountsComponent::VerifyEmailPage(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(core::User user, site_.accounts().VerifyEmail(req.params["token"]));
  site_.ForgetSessions();  // the signed-in account now shows as verified
  html::Data d;
  d.set("signed_in", ctx.user.has_value());
  d.set("email", user.email);
  return site_.RenderPage(req, ctx, "accounts/verified", TING_KEY("verify_email.title"), d);
}

Result<Response> AccountsComponent::ResendVerification(Request&, Context& ctx) {
  if (ctx.user->email_verified) return site_.RedirectWithFlash(ctx, "/account", TING_KEY("verify_email.already"));
  const core::User user = *ctx.user;
  TING_RETURN_IF_ERROR(site_.db().Write([&](db::Connection& c) { return QueueVerificationIn(c, ctx.org, user); }));
  site_.WakeMail();
  return site_.RedirectWithFlash(ctx, "/account", TING_KEY("verify_email.sent"));
}

Status AccountsComponent::RequestReset(const Context& ctx, const std::string& email_in) {
  auto email = core::NormaliseEmail(email_in);
  if (!email) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("auth.email_invalid"));
  Status st = site_.db().Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(int64_t asked, core::Accounts::RecordResetRequest(c, site_.env(), *email));
    if (asked > kResetsPerAddressPerHour) return Error::Say(ErrorCode::kResourceExhausted, TING_KEY("auth.reset_limited"));
    TING_ASSIGN_OR_RETURN(auto user, core::FindUserByEmailIn(c, *email));
    if (user && EndsWith(user->email, ".invalid")) user.reset();  // an eID account: no mailbox, no password
    // The mail is composed either way; only an existing account's is queued (with its token).
    std::string token = user ? "" : core::RandomToken();
    if (user) {
      TING_ASSIGN_OR_RETURN(token, core::Accounts::IssueToken(c, site_.env(), user->id, core::TokenPurpose::kPasswordReset));
    }
    web::MailWords words{.key = TING_MAIL_KEY("mail.password_reset"),
                         .vars = {{"name", user ? user->name : ""},
                                  {"link", site_.Url(ctx.org, "/password-reset/" + token)},
                                  {"minutes", std::to_string(core::kPasswordResetLifetimeSeconds / 60)}}};
    outbox::Message message = site_.ComposeMail(ctx.org, user ? user->lang : ctx.lang, *email, words);
    if (user) return StatusOf(outbox::Enqueue(c, site_.env(), message));
    return {};
  });
  if (st.ok()) site_.WakeMail();
  return st;
}

Result<Response> AccountsComponent::ForgotForm(Request& req, Context& ctx) {
  html::Data d = FormData({});
  d.set("form_email", "");
  return site_.RenderPage(req, ctx, "accounts/forgot", TING_KEY("forgot.title"), d);
}

Result<Response> AccountsComponent::ForgotSubmit(Request& req, Context& ctx) {
  std::string email = FormField(req, "email");
  Status st = RequestReset(ctx, email);
  if (!st.ok()) {
    const Error& e = st.error();
    if (e.code != ErrorCode::kInvalidArgument && e.code != ErrorCode::kResourceExhausted) return e;
    html::Data d = FormData({site_.T(ctx, e.key, e.args)});
    d.set("form_email", email);
    return site_.RenderPage(req, ctx, "accounts/forgot", TING_KEY("forgot.title"), d, web::Site::StatusFor(e.code));
  }
  html::Data d;
  d.set("email", std::string(Trim(email)));
  d.set("minutes", std::to_string(core::kPasswordResetLifetimeSeconds / 60));
  return site_.RenderPage(req, ctx, "accounts/forgot_sent", TING_KEY("forgot.sent_title"), d);
}

Result<Response> AccountsComponent::ResetForm(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(core::User user, site_.accounts().PasswordResetFor(req.params["token"]));
  html::Data d = FormData({});
  d.set("token", req.params["token"]);
  d.set("email", user.email);
  return site_.RenderPage(req, ctx, "accounts/reset", TING_KEY("reset.title"), d);
}

Result<Response> AccountsComponent::ResetSubmit(Request& req, Context& ctx) {
  const std::string token = req.params["token"];
  auto user = site_.accounts().ResetPassword(token, FormField(req, "password"));
  if (!user.ok()) {
    const Error& e = user.error();
    if (e.code != ErrorCode::kInvalidArgument) return e;
    TING_ASSIGN_OR_RETURN(core::User found, site_.accounts().PasswordResetFor(token));
    html::Data d = FormData({site_.T(ctx, e.key, e.args)});
    d.set("token", token);
    d.set("email", found.email);
    return site_.RenderPage(req, ctx, "accounts/reset", TING_KEY("reset.title"), d, 422);
  }
  // Every session of the account ended, this browser's too: sign in with the new password.
  site_.ForgetSessions();
  if (!ctx.session_token.empty()) site_.EndSession(ctx);
  return site_.RedirectWithFlash(ctx, "/sign-in", TING_KEY("reset.done"));
}

Result<Response> AccountsComponent::ApiRequestReset(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields fields(body);
  TING_ASSIGN_OR_RETURN(std::string email, fields.Required("email"));
  TING_RETURN_IF_ERROR(fields.Check());
  TING_RETURN_IF_ERROR(RequestReset(ctx, email));
  return Site::Json(202, {{"status", "accepted"}, {"message", site_.T(ctx, TING_KEY("forgot.sent_api"))}});
}

Result<Response> AccountsComponent::ApiReset(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields fields(body);
  TING_ASSIGN_OR_RETURN(std::string password, fields.Required("password"));
  TING_RETURN_IF_ERROR(fields.Check());
  TING_ASSIGN_OR_RETURN(core::User user, site_.accounts().ResetPassword(req.params["token"], password));
  site_.ForgetSessions();
  return Site::Json(200, {{"status", "password_changed"}, {"email", user.email}});
}

}  // namespace ting::components
