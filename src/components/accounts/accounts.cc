#include "accounts_internal.h"

#include "ting/base/keys.h"
#include "ting/base/strings.h"

namespace ting::components {

namespace accounts {
const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
}

using web::Access;

AccountsComponent::AccountsComponent(web::Site& site)
    : site_(site),
      ip_limiter_(site.env(), site.options().sign_in_attempts_per_ip, std::chrono::minutes(5)),
      account_limiter_(site.env(), site.options().sign_in_failures_per_account, std::chrono::minutes(15)),
      password_limiter_(site.env(), site.options().sign_in_failures_per_account, std::chrono::minutes(15)),
      registration_limiter_(site.env(), site.options().registrations_per_ip_per_hour, std::chrono::hours(1)),
      mail_limiter_(site.env(), site.options().mail_requests_per_ip_per_hour, std::chrono::hours(1)) {
  auto bind = [this](auto method) {
    return [this, method](Request& req, Context& ctx) { return (this->*method)(req, ctx); };
  };
  site.Page("GET", "/register", Access::Public(), bind(&AccountsComponent::RegisterForm));
  // Registrations count every attempt, per client address: bounds how fast anyone can learn which
  // emails have accounts (the 409 for a known one).
  const web::Limit registrations{&registration_limiter_, web::Limit::By::kClientAddress, TING_KEY("auth.registrations_limited")};
  site.Page("POST", "/register", Access::Public(), bind(&AccountsComponent::RegisterSubmit), registrations);
  site.Page("GET", "/sign-in", Access::Public(), bind(&AccountsComponent::SignInForm));
  site.Page("POST", "/sign-in", Access::Public(), bind(&AccountsComponent::SignInSubmit));
  site.Page("POST", "/sign-out", Access::Public(), bind(&AccountsComponent::SignOut));
  site.Page("GET", "/account", Access::SignedIn(), bind(&AccountsComponent::AccountPage));
  site.Page("POST", "/account/password", Access::SignedIn(), bind(&AccountsComponent::ChangePassword));
  site.Page("POST", "/language", Access::Public(), bind(&AccountsComponent::ChangeLanguage));
  site.Page("GET", "/admin", Access::Can(core::Action::kViewAdmin),
            [this](Request& req, Context& ctx) { return AdminPage(req, ctx); });
  site.Page("POST", "/admin/roles", Access::Can(core::Action::kManageRoles), bind(&AccountsComponent::GrantRole));
  site.Page("POST", "/admin/languages", Access::Can(core::Action::kManageRoles), bind(&AccountsComponent::LanguagesForm));
  site.Api("GET", "/api/v1/organisation", Access::Can(core::Action::kViewAdmin), bind(&AccountsComponent::ApiOrganisation));
  site.Api("PUT", "/api/v1/organisation/languages", Access::Can(core::Action::kManageRoles), bind(&AccountsComponent::ApiSetLanguages));
  site.Api("POST", "/api/v1/session", Access::Public(), bind(&AccountsComponent::ApiCreateSession));
  site.Api("DELETE", "/api/v1/session", Access::SignedIn(), bind(&AccountsComponent::ApiDeleteSession));
  site.Api("GET", "/api/v1/me", Access::SignedIn(), bind(&AccountsComponent::ApiMe));
  site.Api("POST", "/api/v1/users", Access::Public(), bind(&AccountsComponent::ApiCreateUser), registrations);
  // Mailed links. Asking for mail is limited per client address (and the reset per address
  // asked for, in RequestReset); following a link needs its 256-bit token.
  const web::Limit mail_requests{&mail_limiter_, web::Limit::By::kClientAddress, TING_KEY("auth.mail_limited")};
  const web::Limit mail_per_account{&mail_limiter_, web::Limit::By::kAccount, TING_KEY("auth.mail_limited")};
  site.Page("GET", "/verify-email/{token}", Access::Public(), bind(&AccountsComponent::VerifyEmailPage));
  site.Page("POST", "/account/verify-email", Access::SignedIn(), bind(&AccountsComponent::ResendVerification), mail_per_account);
  site.Page("GET", "/password-reset", Access::Public(), bind(&AccountsComponent::ForgotForm));
  site.Page("POST", "/password-reset", Access::Public(), bind(&AccountsComponent::ForgotSubmit), mail_requests);
  site.Page("GET", "/password-reset/{token}", Access::Public(), bind(&AccountsComponent::ResetForm));
  site.Page("POST", "/password-reset/{token}", Access::Public(), bind(&AccountsComponent::ResetSubmit));
  site.Api("POST", "/api/v1/password-reset", Access::Public(), bind(&AccountsComponent::ApiRequestReset), mail_requests);
  site.Api("POST", "/api/v1/password-reset/{token}", Access::Public(), bind(&AccountsComponent::ApiReset));
}

std::optional<int64_t> AccountsComponent::SignInBlocked(const std::string& ip, const std::string& email) {
  if (auto wait = ip_limiter_.Blocked("ip:" + ip)) return wait;
  return account_limiter_.Blocked("acct:" + AsciiLower(Trim(email)));
}

void AccountsComponent::SignInFailed(const std::string& ip, const std::string& email) {
  ip_limiter_.Record("ip:" + ip);
  account_limiter_.Record("acct:" + AsciiLower(Trim(email)));
}

web::Manifest AccountsManifest() {
  // No migrations: the tables are core's (ting/core/accounts.h).
  return web::ManifestOf<AccountsComponent>("accounts", "/account, /admin, /register, /sign-in, /verify-email, /password-reset, /api/v1/session",
                                            [] { return std::vector<db::Migration>{}; }, accounts::Resources, SeedAccounts);
}

}  // namespace ting::components
