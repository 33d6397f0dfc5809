#pragma once
// Inside the eid component: an organisation's provider settings, sign-in attempts and identities
// (eid_store.cc), the providers kept in memory (providers.cc) and the component's class, whose
// admin API is in eid_component.cc and whose sign-in pages are in sign_in.cc.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ting/base/ttl_cache.h"
#include "ting/components/eid.h"
#include "ting/components/residents.h"
#include "ting/core/security.h"
#include "ting/oidc/oidc.h"

namespace ting::components {

// An organisation's OpenID provider, as its admins set it.
struct EidConfig {
  std::string issuer, client_id, client_secret;
  std::string scopes = "openid";
  std::string ssn_claim = "ssn";   // the claim holding the personal identity number
  std::string name_claim = "name";
  std::string label = "BankID";    // on the sign-in button: "Logga in med BankID"
  std::string acr_values;          // sent when not "" (which eID the broker shows)
};

// Whether an issuer may be used: https, or http to a loopback host (the test provider). No
// query, fragment, user or control characters.
bool AllowedIssuer(std::string_view issuer);
// OK, or kInvalidArgument with the key (eid.invalid.*) and "field" of the first problem.
Status CheckConfig(const EidConfig& config);

// A sign-in on its way to the provider and back.
struct EidAttempt {
  int64_t organisation_id = 0;
  std::string nonce, code_verifier;
  std::string next;  // a local path (web::SafeLocalPath)
};
// An attempt is good once, for ten minutes: time to open the BankID app and come back.
inline constexpr int64_t kAttemptSeconds = 10 * 60;

std::vector<db::Migration> EidMigrations();

// The component's SQL. Thread-safe.
class EidStore {
 public:
  EidStore(db::Database& db, Env& env) : db_(db), env_(env) {}

  Result<std::optional<EidConfig>> Config(int64_t organisation_id);
  Status SaveConfig(int64_t organisation_id, const EidConfig& config);
  // Removes the settings and the organisation's pending attempts; false when there were none.
  Result<bool> DeleteConfig(int64_t organisation_id);

  // Records an attempt under a hash of its state (dropping expired attempts on the way).
  Status StartAttempt(std::string_view state, const EidAttempt& attempt);
  // The attempt of a state, deleted as it is read: nullopt when unknown, used or expired.
  Result<std::optional<EidAttempt>> TakeAttempt(std::string_view state);

  // What an identity is stored as: HMAC-SHA256, under the instance's "eid_identity" secret, of
  // the number in the register's normal form (NormalisePersonId).
  Result<std::string> IdentityKey(std::string_view person_number);
  // The account of an identity, 0 when it has none yet.
  Result<int64_t> AccountOf(const std::string& identity_key);
  // Records an identity in the caller's transaction (the one creating its account).
  // kAlreadyExists when the identity has an account already.
  Status RecordIdentityIn(db::Connection& c, const std::string& identity_key, int64_t user_id, int64_t organisation_id);

 private:
  db::Database& db_;
  Env& env_;
  std::mutex mu_;
  std::string secret_;  // guarded by mu_
};

// The organisations' providers in memory. Settings are kept for a few seconds (every page asks
// for the button's label) and dropped at once by Forget; one oidc::Provider per organisation
// keeps the discovery document and keys it fetched, and is replaced when the settings change.
// Thread-safe.
class EidProviders {
 public:
  EidProviders(EidStore& store, Env& env);

  // The organisation's settings; the pointee is nullopt when it has none.
  Result<std::shared_ptr<const std::optional<EidConfig>>> Config(int64_t organisation_id);
  std::shared_ptr<oidc::Provider> Provider(int64_t organisation_id, const EidConfig& config);
  // After the settings changed on this server.
  void Forget(int64_t organisation_id);

 private:
  EidStore& store_;
  std::unique_ptr<oidc::HttpClient> http_;  // shared by the providers; declared before them
  TtlCache<int64_t, std::optional<EidConfig>> configs_;
  std::mutex mu_;
  std::map<int64_t, std::shared_ptr<oidc::Provider>> providers_;  // guarded by mu_
};

class EidComponent final : public web::Component {
 public:
  explicit EidComponent(web::Site& site);

 private:
  // Admin API (eid_component.cc).
  Result<Response> ApiGet(Request& req, Context& ctx);
  Result<Response> ApiPut(Request& req, Context& ctx);
  Result<Response> ApiDelete(Request& req, Context& ctx);
  json ConfigJson(const Context& ctx, const std::optional<EidConfig>& config) const;
  // The sign-in button's label and text on every page (the sign-in page shows them).
  void FillLayout(const Context& ctx, html::Data& data);

  // Sign-in (sign_in.cc).
  enum class Link { kVerified, kNotInRegister, kLinkedElsewhere };
  Result<Response> Start(Request& req, Context& ctx);
  Result<Response> Callback(Request& req, Context& ctx);
  Result<json> Confirm(const Request& req, const Context& ctx, oidc::Provider& provider, const EidAttempt& attempt);
  Result<Response> SignIn(const Request& req, Context& ctx, const EidConfig& config, const json& claims, const std::string& next);
  Result<core::User> AccountFor(const Context& ctx, const std::string& identity_key, const std::string& name);
  Result<core::User> CreateAccount(const Context& ctx, const std::string& identity_key, const std::string& name);
  Result<Link> LinkToRegister(const Context& ctx, const std::string& number, int64_t user_id);
  std::string RedirectUri(const Context& ctx) const;  // as registered at the provider
  // The page telling what went wrong and what to do, with a button to start again.
  Response Problem(const Request& req, Context& ctx, int status, const char* message_key, const std::string& next);
  // The page for a sign-in the provider's answer did not confirm (401), or the provider out of
  // reach (503).
  Result<Response> Refused(const Request& req, Context& ctx, const Error& error, const std::string& next);

  web::Site& site_;
  EidStore store_;
  EidProviders providers_;
  RegisterStore register_;
  VoterDirectory voters_;
  core::RateLimiter starts_;  // sign-ins started per client address (each stores an attempt)
};

}  // namespace ting::components
