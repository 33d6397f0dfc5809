#pragma once
// The accounts component's handlers, shared by pages.cc and api.cc.

#include <optional>
#include <string>
#include <vector>

#include "ting/components/accounts.h"
#include "ting/core/security.h"

namespace ting::components {

// A form page's data with its list of problems ("has_errors", "errors").
inline html::Data FormData(std::vector<std::string> errors) {
  html::Data d;
  html::List list;
  for (auto& e : errors) list.push_back(html::Data(e));
  d.set("has_errors", !errors.empty());
  d.set("errors", list);
  return d;
}

// The demo's organisation, staff and residents (seed.cc).
Status SeedAccounts(web::Demo& demo);

class AccountsComponent final : public web::Component {
 public:
  explicit AccountsComponent(web::Site& site);

 private:
  // Pages (pages.cc).
  Result<Response> RegisterForm(Request& req, Context& ctx);
  Result<Response> RegisterSubmit(Request& req, Context& ctx);
  Result<Response> SignInForm(Request& req, Context& ctx);
  Result<Response> SignInSubmit(Request& req, Context& ctx);
  Result<Response> SignOut(Request& req, Context& ctx);
  Result<Response> AccountPage(Request& req, Context& ctx);
  Result<Response> ChangePassword(Request& req, Context& ctx);
  Result<Response> ChangeLanguage(Request& req, Context& ctx);
  Result<Response> AdminPage(Request& req, Context& ctx, std::vector<std::string> errors = {}, int status = 200);
  Result<Response> GrantRole(Request& req, Context& ctx);
  // The organisation's languages (languages.cc): which the pages are offered in and content is
  // written in, the default first.
  Status SetLanguages(Context& ctx, const std::vector<std::string>& languages);
  Result<Response> LanguagesForm(Request& req, Context& ctx);
  Result<Response> ApiOrganisation(Request& req, Context& ctx);
  Result<Response> ApiSetLanguages(Request& req, Context& ctx);
  // API (api.cc).
  Result<Response> ApiCreateSession(Request& req, Context& ctx);
  Result<Response> ApiDeleteSession(Request& req, Context& ctx);
  Result<Response> ApiMe(Request& req, Context& ctx);
  Result<Response> ApiCreateUser(Request& req, Context& ctx);
  // Mailed links (email.cc): verification, password reset.
  Result<Response> VerifyEmailPage(Request& req, Context& ctx);
  Result<Response> ResendVerification(Request& req, Context& ctx);
  Result<Response> ForgotForm(Request& req, Context& ctx);
  Result<Response> ForgotSubmit(Request& req, Context& ctx);
  Result<Response> ResetForm(Request& req, Context& ctx);
  Result<Response> ResetSubmit(Request& req, Context& ctx);
  Result<Response> ApiRequestReset(Request& req, Context& ctx);
  Result<Response> ApiReset(Request& req, Context& ctx);
  // The hook that queues an account's verification mail in the transaction that creates it.
  core::UserHook QueueVerification(const Context& ctx);
  Status QueueVerificationIn(db::Connection& c, const core::Organisation& org, const core::User& user);
  // Records a reset request and, when the address has an account, queues its mail: the same
  // work either way (the answer never tells whether the address exists).
  Status RequestReset(const Context& ctx, const std::string& email);

  // Sign-in limits count failed attempts only: nullopt when allowed, else seconds to wait.
  std::optional<int64_t> SignInBlocked(const std::string& ip, const std::string& email);
  void SignInFailed(const std::string& ip, const std::string& email);

  web::Site& site_;
  core::RateLimiter ip_limiter_, account_limiter_;
  core::RateLimiter password_limiter_;      // failed current-password checks per account
  core::RateLimiter registration_limiter_;  // registrations per client address (a route Limit)
  core::RateLimiter mail_limiter_;          // password-reset and verification mail asked for, per address / account
};

}  // namespace ting::components
