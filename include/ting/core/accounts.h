#pragma once
// Organisations (tenants), accounts, roles, sessions. Errors that a person must act on carry a
// catalogue key as their message ("auth.email_taken"), which the web layer translates.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ting/base/env.h"
#include "ting/base/result.h"
#include "ting/db/database.h"

namespace ting::core {

// Schema of this library; apps apply it with db::Migrate together with the components'.
std::vector<db::Migration> CoreMigrations();

enum class Role { kAdmin, kManager, kReviewer, kModerator, kStaff };
const char* RoleName(Role role);  // "admin", ...
std::optional<Role> ParseRole(std::string_view name);
const std::vector<Role>& AllRoles();

// What a role may do. Every server-side action names its Action and asks Allowed().
enum class Action {
  kViewAdmin,          // the admin area
  kManageRoles,        // grant and revoke roles
  kManageProcesses,    // create processes, budgets, phases; count; publish
  kReviewProposals,    // feasibility, cost, merge
  kModerate,           // hide comments
  kEnterPaperBallots,  // staff at meetings
  kManageRegister,     // import, view and delete the register of residents (personal data: admins)
  kSendMail,           // the outbox (who gets mail), newsletters
};
bool Allowed(const std::vector<Role>& roles, Action action);
const char* ActionName(Action action);  // "manage_processes", ...

struct Organisation {
  int64_t id = 0;
  std::string slug, name, host;
  std::string time_zone = kDefaultTimeZone;  // IANA name; dates (phases) are local to it
  // Languages its content is written in, the default first ("sv,en" stored as text).
  std::vector<std::string> languages = {"sv", "en"};
  const std::string& default_language() const { return languages.front(); }
};

// An organisation's content languages as stored ("sv,ar,en"), the default first; {"sv"} when none.
std::vector<std::string> ParseLanguages(std::string_view stored);

struct User {
  int64_t id = 0;
  std::string email, name, lang;
  bool email_verified = false;     // the owner followed a link mailed to the address
  bool identity_verified = false;  // signed in with eID: the person is known, not only an address
  // Known to be a real person's account: processes may let only these take part.
  bool verified() const { return email_verified || identity_verified; }
};

// Code run in the transaction that creates an account (to queue its verification mail).
using UserHook = std::function<Status(db::Connection&, const User&)>;

// What a mailed link lets its holder do.
enum class TokenPurpose { kVerifyEmail, kPasswordReset };
inline constexpr int64_t kVerifyEmailLifetimeSeconds = 7 * 24 * 3600;
inline constexpr int64_t kPasswordResetLifetimeSeconds = 3600;

struct PasswordPolicy {
  static constexpr size_t kMinLength = 10;
  static constexpr size_t kMaxLength = 1024;
};

// Returns the catalogue key of the first problem with the password, or nullopt when it is fine.
std::optional<std::string> CheckPassword(std::string_view password, std::string_view email,
                                         std::string_view name);
// Normalises (trims, lower-cases) and checks an email address; nullopt when invalid.
std::optional<std::string> NormaliseEmail(std::string_view email);

// Argon2id (libsodium crypto_pwhash_str, interactive limits).
Result<std::string> HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);

class Accounts {
 public:
  explicit Accounts(db::Database& db, Env& env = Env::Default()) : db_(db), env_(env) {}

  // Errors: kInvalidArgument with the key of the first problem; kAlreadyExists "auth.email_taken".
  // also: runs in the same transaction as the insert (its error undoes the registration).
  Result<User> Register(std::string_view email, std::string_view password, std::string_view name,
                        std::string_view lang, const UserHook& also = nullptr);
  // For bulk seeding (demo data, benchmarks): an account with an already computed Argon2id
  // hash, so thousands of accounts do not cost thousands of hash computations.
  Result<User> RegisterHashed(std::string_view email, std::string_view name, std::string_view lang,
                              const std::string& password_hash, const UserHook& also = nullptr);

  // A single-use token for a link in a mail, written in the caller's transaction (with the mail
  // that carries it). Only its SHA-256 is stored. A new password-reset token replaces the
  // account's earlier ones.
  static Result<std::string> IssueToken(db::Connection& c, const Env& env, int64_t user_id, TokenPurpose purpose);
  // Follows a verification link: the account's address is verified. kGone
  // "auth.link_gone" when the token is unknown, used or expired.
  Result<User> VerifyEmail(std::string_view token);
  // The account a password-reset token is for, without using it (the form's page); kGone as above.
  Result<User> PasswordResetFor(std::string_view token);
  // Sets a new password with a reset token (policy-checked, kInvalidArgument), uses the token,
  // verifies the address (the mail reached its owner) and ends every session of the account.
  Result<User> ResetPassword(std::string_view token, std::string_view password);
  // Records a password-reset request for an address, existing or not, in the caller's
  // transaction, and returns how many were recorded for it in the last hour (with this one):
  // the limit applies alike to addresses with and without an account.
  static Result<int64_t> RecordResetRequest(db::Connection& c, const Env& env, std::string_view email);
  // kUnauthenticated "auth.wrong_credentials" for an unknown email or a wrong password alike.
  Result<User> Authenticate(std::string_view email, std::string_view password);
  // The error message (catalogue key) when the current password given is wrong.
  // A wrong current password is kUnauthenticated ("auth.current_wrong"); a new password that
  // breaks the policy kInvalidArgument.
  Status ChangePassword(int64_t user_id, std::string_view current, std::string_view next);
  Status SetPassword(int64_t user_id, std::string_view password);  // admin/CLI, policy-checked
  Status SetLanguage(int64_t user_id, std::string_view lang);
  Result<std::optional<User>> FindById(int64_t id);
  Result<std::optional<User>> FindByEmail(std::string_view email);

  Status Grant(int64_t org_id, int64_t user_id, Role role);
  Result<std::vector<Role>> RolesOf(int64_t org_id, int64_t user_id);
  struct Member {
    User user;
    std::vector<Role> roles;
  };
  Result<std::vector<Member>> Members(int64_t org_id);

 private:
  db::Database& db_;
  Env& env_;
};

enum class SessionKind { kWeb, kApi };

struct Session {
  int64_t user_id = 0;
  SessionKind kind = SessionKind::kWeb;
};

class Sessions {
 public:
  static constexpr int64_t kWebLifetimeSeconds = 30 * 24 * 3600;
  static constexpr int64_t kApiLifetimeSeconds = 90 * 24 * 3600;
  explicit Sessions(db::Database& db, Env& env = Env::Default()) : db_(db), env_(env) {}

  // A new random token (only its SHA-256 is stored).
  Result<std::string> Create(int64_t user_id, SessionKind kind);
  Result<std::optional<Session>> Lookup(std::string_view token, SessionKind kind);
  Status Destroy(std::string_view token);
  Status DestroyAllFor(int64_t user_id);  // after a password change

 private:
  db::Database& db_;
  Env& env_;
};

class Organisations {
 public:
  explicit Organisations(db::Database& db, Env& env = Env::Default()) : db_(db), env_(env) {}
  // The organisation whose host matches, or the default one (lowest id).
  // kNotFound when there is no organisation at all.
  Result<Organisation> ForHost(std::string_view host);
  // languages: its languages, the default first (a new organisation gets every language Ting has
  // a catalogue for: html::CatalogueLanguages()); empty keeps the table's default, "sv,en".
  Result<Organisation> Create(std::string_view slug, std::string_view name, std::string_view host,
                              const std::vector<std::string>& languages = {});
  Result<std::vector<Organisation>> All();
  // Sets the time zone (must be known to the system's tzdata) and the content languages
  // (two-to-eight-letter codes, the default first).
  Status Configure(int64_t org_id, std::string_view time_zone, const std::vector<std::string>& languages);

 private:
  db::Database& db_;
  Env& env_;
};

// A random secret kept in the settings table (created on first use): CSRF keys, etc.
Result<std::string> InstanceSecret(db::Database& db, std::string_view name);

std::string RandomToken(size_t bytes = 32);  // URL-safe base64, no padding

// The account with that (normalised) address, read in the caller's transaction.
Result<std::optional<User>> FindUserByEmailIn(db::Connection& c, std::string_view email);

}  // namespace ting::core
