#include "ting/core/accounts.h"
#include "ting/base/keys.h"

#include <algorithm>
#include <chrono>

#include "ting/base/digest.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"

namespace ting::core {


namespace {

constexpr const char* kUserColumns = "id, email, name, lang, email_verified_at, identity_verified_at";
User UserFromRow(const db::Row& r) { return User{r.Int(0), r.Str(1), r.Str(2), r.Str(3), r.Int(4) != 0, r.Int(5) != 0}; }

const char* PurposeName(TokenPurpose purpose) {
  return purpose == TokenPurpose::kVerifyEmail ? "verify_email" : "password_reset";
}

}  // namespace

const char* ActionName(Action action) {
  switch (action) {
    case Action::kViewAdmin: return "view_admin";
    case Action::kManageRoles: return "manage_roles";
    case Action::kManageProcesses: return "manage_processes";
    case Action::kReviewProposals: return "review_proposals";
    case Action::kModerate: return "moderate";
    case Action::kEnterPaperBallots: return "enter_paper_ballots";
    case Action::kManageRegister: return "manage_register";
    case Action::kSendMail: return "send_mail";
  }
  return "unknown";
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAdmin: return "admin";
    case Role::kManager: return "manager";
    case Role::kReviewer: return "reviewer";
    case Role::kModerator: return "moderator";
    case Role::kStaff: return "staff";
  }
  return "staff";
}

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> kAll = {Role::kAdmin, Role::kManager, Role::kReviewer, Role::kModerator,
                                         Role::kStaff};
  return kAll;
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : AllRoles())
    if (name == RoleName(r)) return r;
  return std::nullopt;
}

bool Allowed(const std::vector<Role>& roles, Action action) {
  auto has = [&](Role r) { return std::find(roles.begin(), roles.end(), r) != roles.end(); };
  if (has(Role::kAdmin)) return true;  // admins may do everything in their organisation
  switch (action) {
    case Action::kViewAdmin: return !roles.empty();
    case Action::kManageRoles: return false;
    case Action::kManageProcesses: return has(Role::kManager);
    case Action::kReviewProposals: return has(Role::kReviewer) || has(Role::kManager);
    case Action::kModerate: return has(Role::kModerator) || has(Role::kManager);
    case Action::kEnterPaperBallots: return has(Role::kStaff) || has(Role::kManager);
    case Action::kManageRegister: return false;  // admins only (above)
    case Action::kSendMail: return has(Role::kManager);
  }
  return false;
}

Result<User> Accounts::Register(std::string_view email_in, std::string_view password, std::string_view name_in,
                                std::string_view lang, const UserHook& also) {
  auto email = NormaliseEmail(email_in);
  // .invalid never resolves (RFC 2606): eID accounts' placeholder addresses end so.
  if (!email || EndsWith(*email, ".invalid")) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("auth.email_invalid"));
  std::string name(Trim(name_in));
  if (name.empty() || name.size() > 100 || !IsValidUtf8(name)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("auth.name_required"));
  if (auto problem = CheckPassword(password, *email, name)) return Error::Say(ErrorCode::kInvalidArgument, *problem, {{"min", std::to_string(PasswordPolicy::kMinLength)}, {"max", std::to_string(PasswordPolicy::kMaxLength)}});
  TING_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  return RegisterHashed(*email, name, lang, hash, also);
}

Result<User> Accounts::RegisterHashed(std::string_view email_in, std::string_view name, std::string_view lang,
                                      const std::string& hash, const UserHook& also) {
  auto email = NormaliseEmail(email_in);
  if (!email || !IsValidUtf8(*email)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("auth.email_invalid"));
  if (!IsValidUtf8(name)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("auth.name_required"));
  User user{0, *email, std::string(name), std::string(lang.empty() ? "sv" : lang)};
  Status st = db_.Write([&](db::Connection& c) -> Status {
    auto r = c.Exec("INSERT INTO users(email, name, password_hash, lang, created_at) VALUES(?, ?, ?, ?, ?)",
                    {user.email, user.name, hash, user.lang, env_.NowSeconds()});
    if (!r.ok()) return r.error().code == ErrorCode::kAlreadyExists ? Error::Say(ErrorCode::kAlreadyExists, TING_KEY("auth.email_taken")) : r.error();
    user.id = c.LastInsertId();
    if (also) return also(c, user);
    return {};
  });
  if (!st.ok()) return st.error();
  return user;
}

Result<std::optional<User>> FindUserByEmailIn(db::Connection& c, std::string_view email_in) {
  auto email = NormaliseEmail(email_in);
  if (!email) return std::optional<User>();
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE email = ?", {*email}));
  if (!row) return std::optional<User>();
  return std::optional<User>(UserFromRow(*row));
}

Result<std::string> Accounts::IssueToken(db::Connection& c, const Env& env, int64_t user_id, TokenPurpose purpose) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT email FROM users WHERE id = ?", {user_id}));
  if (!row) return Error::Say(ErrorCode::kNotFound, TING_KEY("error.not_found"));
  int64_t now = env.NowSeconds();
  // Housekeeping rides along: long-expired tokens go.
  TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM account_tokens WHERE expires_at < ?", {now - 30 * 24 * 3600})));
  if (purpose == TokenPurpose::kPasswordReset)  // only the newest reset link works
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = 'password_reset' AND used_at = 0",
                                         {now, user_id})));
  std::string token = RandomToken();
  int64_t lifetime = purpose == TokenPurpose::kVerifyEmail ? kVerifyEmailLifetimeSeconds : kPasswordResetLifetimeSeconds;
  TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO account_tokens(token_hash, user_id, purpose, email, created_at, expires_at) VALUES(?, ?, ?, ?, ?, ?)",
                                       {Sha256Hex(token), user_id, std::string(PurposeName(purpose)), row->Str(0), now, now + lifetime})));
  return token;
}

namespace {

// The account of a live token of that purpose, read in the caller's transaction. A token is
// live when unused, unexpired, and the account's address is still the one it was mailed to.
Result<User> LiveToken(db::Connection& c, const Env& env, std::string_view token, TokenPurpose purpose) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT u.id, u.email, u.name, u.lang, u.email_verified_at, u.identity_verified_at FROM account_tokens t ") +
                                                 "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.purpose = ? AND t.used_at = 0 "
                                                 "AND t.expires_at > ? AND t.email = u.email",
                                             {Sha256Hex(token), std::string(PurposeName(purpose)), env.NowSeconds()}));
  if (!row) return Error::Say(ErrorCode::kGone, TING_KEY("auth.link_gone"));
  return UserFromRow(*row);
}

Status UseToken(db::Connection& c, const Env& env, std::string_view token) {
  return StatusOf(c.Exec("UPDATE account_tokens SET used_at = ? WHERE token_hash = ?", {env.NowSeconds(), Sha256Hex(token)}));
}

}  // namespace

Result<User> Accounts::VerifyEmail(std::string_view token) {
  std::optional<User> user;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(user, LiveToken(c, env_, token, TokenPurpose::kVerifyEmail));
    TING_RETURN_IF_ERROR(UseToken(c, env_, token));
    if (!user->email_verified)
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE users SET email_verified_at = ? WHERE id = ?", {env_.NowSeconds(), user->id})));
    user->email_verified = true;
    return {};
  }));
  return std::move(*user);
}

Result<User> Accounts::PasswordResetFor(std::string_view token) {
  std::optional<User> user;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(user, LiveToken(c, env_, token, TokenPurpose::kPasswordReset));
    return {};
  }));
  return std::move(*user);
}

Result<User> Accounts::ResetPassword(std::string_view token, std::string_view password) {
  TING_ASSIGN_OR_RETURN(User found, PasswordResetFor(token));
  if (auto problem = CheckPassword(password, found.email, found.name))
    return Error::Say(ErrorCode::kInvalidArgument, *problem, {{"min", std::to_string(PasswordPolicy::kMinLength)}, {"max", std::to_string(PasswordPolicy::kMaxLength)}});
  TING_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  std::optional<User> user;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    // Checked again in the transaction: two requests with one token, exactly one wins.
    TING_ASSIGN_OR_RETURN(user, LiveToken(c, env_, token, TokenPurpose::kPasswordReset));
    TING_RETURN_IF_ERROR(UseToken(c, env_, token));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE users SET password_hash = ?, email_verified_at = CASE WHEN email_verified_at = 0 THEN ? ELSE email_verified_at END "
                                         "WHERE id = ?",
                                         {hash, env_.NowSeconds(), user->id})));
    user->email_verified = true;
    return StatusOf(c.Exec("DELETE FROM sessions WHERE user_id = ?", {user->id}));
  }));
  return std::move(*user);
}

Result<int64_t> Accounts::RecordResetRequest(db::Connection& c, const Env& env, std::string_view email) {
  int64_t now = env.NowSeconds();
  std::string hash = Sha256Hex(AsciiLower(Trim(email)));
  TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM password_reset_requests WHERE created_at < ?", {now - 3600})));
  TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO password_reset_requests(email_hash, created_at) VALUES(?, ?)", {hash, now})));
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT COUNT(*) FROM password_reset_requests WHERE email_hash = ?", {hash}));
  return row ? row->Int(0) : 1;
}

Result<User> Accounts::Authenticate(std::string_view email_in, std::string_view password) {
  // Verify against a fixed hash for unknown accounts too, so timing does not reveal which
  // email addresses have accounts.
  static const std::string kDummyHash = *HashPassword("ting-dummy-password-for-timing");
  auto email = NormaliseEmail(email_in);
  std::optional<User> user;
  std::string hash = kDummyHash;
  if (email) {
    TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
      TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kUserColumns + ", password_hash FROM users WHERE email = ?",
                                                  {*email}));
      if (row) {
        user = UserFromRow(*row);
        hash = row->Str(6);
      }
      return {};
    }));
  }
  bool ok = VerifyPassword(hash, password);
  if (!user || !ok) return Error::Say(ErrorCode::kUnauthenticated, TING_KEY("auth.wrong_credentials"));
  return *user;
}

Status Accounts::ChangePassword(int64_t user_id, std::string_view current, std::string_view next) {
  std::string hash;
  std::optional<User> user;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kUserColumns + ", password_hash FROM users WHERE id = ?",
                                                {user_id}));
    if (row) {
      user = UserFromRow(*row);
      hash = row->Str(6);
    }
    return {};
  }));
  if (!user) return Error::Say(ErrorCode::kNotFound, TING_KEY("error.not_found"));
  if (!VerifyPassword(hash, current)) return Error::Say(ErrorCode::kUnauthenticated, TING_KEY("auth.current_wrong"));
  return SetPassword(user_id, next);
}

Status Accounts::SetPassword(int64_t user_id, std::string_view password) {
  TING_ASSIGN_OR_RETURN(auto user, FindById(user_id));
  if (!user) return Error::Say(ErrorCode::kNotFound, TING_KEY("error.not_found"));
  if (auto problem = CheckPassword(password, user->email, user->name)) return Error::Say(ErrorCode::kInvalidArgument, *problem, {{"min", std::to_string(PasswordPolicy::kMinLength)}, {"max", std::to_string(PasswordPolicy::kMaxLength)}});
  TING_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  return db_.Write([&](db::Connection& c) -> Status {
    return StatusOf(c.Exec("UPDATE users SET password_hash = ? WHERE id = ?", {hash, user_id}));
  });
}

Status Accounts::SetLanguage(int64_t user_id, std::string_view lang) {
  return db_.Write([&](db::Connection& c) -> Status {
    return StatusOf(c.Exec("UPDATE users SET lang = ? WHERE id = ?", {std::string(lang), user_id}));
  });
}

Result<std::optional<User>> Accounts::FindById(int64_t id) {
  std::optional<User> user;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", {id}));
    if (row) user = UserFromRow(*row);
    return {};
  }));
  return user;
}

Result<std::optional<User>> Accounts::FindByEmail(std::string_view email_in) {
  auto email = NormaliseEmail(email_in);
  if (!email) return std::optional<User>();
  std::optional<User> user;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row,
                          c.QueryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE email = ?", {*email}));
    if (row) user = UserFromRow(*row);
    return {};
  }));
  return user;
}

Status Accounts::Grant(int64_t org_id, int64_t user_id, Role role) {
  return db_.Write([&](db::Connection& c) -> Status {
    return StatusOf(c.Exec("INSERT OR IGNORE INTO memberships(organisation_id, user_id, role) VALUES(?, ?, ?)",
                           {org_id, user_id, std::string(RoleName(role))}));
  });
}

Result<std::vector<Role>> Accounts::RolesOf(int64_t org_id, int64_t user_id) {
  std::vector<Role> roles;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT role FROM memberships WHERE organisation_id = ? AND user_id = ?",
                                             {org_id, user_id}));
    for (const auto& r : rows)
      if (auto role = ParseRole(r.Str(0))) roles.push_back(*role);
    return {};
  }));
  std::sort(roles.begin(), roles.end());
  return roles;
}

Result<std::vector<Accounts::Member>> Accounts::Members(int64_t org_id) {
  std::vector<Member> members;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT u.id, u.email, u.name, u.lang, u.email_verified_at, u.identity_verified_at, m.role FROM memberships m "
                                             "JOIN users u ON u.id = m.user_id WHERE m.organisation_id = ? "
                                             "ORDER BY u.name, u.id, m.role",
                                             {org_id}));
    for (const auto& r : rows) {
      if (members.empty() || members.back().user.id != r.Int(0)) members.push_back({UserFromRow(r), {}});
      if (auto role = ParseRole(r.Str(6))) members.back().roles.push_back(*role);
    }
    return {};
  }));
  return members;
}

Result<std::string> Sessions::Create(int64_t user_id, SessionKind kind) {
  std::string token = RandomToken();
  int64_t now = env_.NowSeconds();
  int64_t lifetime = kind == SessionKind::kWeb ? kWebLifetimeSeconds : kApiLifetimeSeconds;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    // Housekeeping rides along: expired sessions go when new ones come.
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM sessions WHERE expires_at < ?", {now})));
    return StatusOf(c.Exec("INSERT INTO sessions(token_hash, user_id, kind, created_at, expires_at) VALUES(?, ?, ?, ?, ?)",
                           {Sha256Hex(token), user_id, std::string(kind == SessionKind::kWeb ? "web" : "api"), now,
                            now + lifetime}));
  }));
  return token;
}

Result<std::optional<Session>> Sessions::Lookup(std::string_view token, SessionKind kind) {
  std::optional<Session> session;
  if (token.empty() || token.size() > 128) return session;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT user_id FROM sessions WHERE token_hash = ? AND kind = ? AND expires_at > ?",
                                                {Sha256Hex(token), std::string(kind == SessionKind::kWeb ? "web" : "api"),
                                                 env_.NowSeconds()}));
    if (row) session = Session{row->Int(0), kind};
    return {};
  }));
  return session;
}

Status Sessions::Destroy(std::string_view token) {
  return db_.Write([&](db::Connection& c) -> Status {
    return StatusOf(c.Exec("DELETE FROM sessions WHERE token_hash = ?", {Sha256Hex(token)}));
  });
}

Status Sessions::DestroyAllFor(int64_t user_id) {
  return db_.Write([&](db::Connection& c) -> Status {
    return StatusOf(c.Exec("DELETE FROM sessions WHERE user_id = ?", {user_id}));
  });
}

std::vector<std::string> ParseLanguages(std::string_view stored) {
  std::vector<std::string> out;
  for (auto code : Split(stored, ','))
    if (!Trim(code).empty()) out.emplace_back(Trim(code));
  if (out.empty()) out.push_back("sv");
  return out;
}

namespace {
Organisation OrgFromRow(const db::Row& r) {
  Organisation o{r.Int(0), r.Str(1), r.Str(2), r.Str(3)};
  o.time_zone = r.Str(4);
  o.languages = ParseLanguages(r.Str(5));
  return o;
}
}  // namespace

Result<Organisation> Organisations::ForHost(std::string_view host) {
  std::optional<Organisation> org;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT id, slug, name, host, time_zone, languages FROM organisations WHERE host = ? AND host <> ''",
                                                {AsciiLower(host)}));
    if (!row) {
      TING_ASSIGN_OR_RETURN(row, c.QueryOne("SELECT id, slug, name, host, time_zone, languages FROM organisations ORDER BY id LIMIT 1"));
    }
    if (row) org = OrgFromRow(*row);
    return {};
  }));
  if (!org) return Error::NotFound("no organisation exists yet: run `ting demo` or `ting org add`");
  return *org;
}

Result<Organisation> Organisations::Create(std::string_view slug, std::string_view name, std::string_view host,
                                           const std::vector<std::string>& languages) {
  Organisation org{0, std::string(slug), std::string(name), AsciiLower(host)};
  if (!languages.empty()) org.languages = languages;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO organisations(slug, name, host, created_at, languages) VALUES(?, ?, ?, ?, ?)",
                                         {org.slug, org.name, org.host, env_.NowSeconds(), Join(org.languages, ",")})));
    org.id = c.LastInsertId();
    return {};
  }));
  return org;
}

Status Organisations::Configure(int64_t org_id, std::string_view time_zone, const std::vector<std::string>& languages) {
  if (!Env::KnownTimeZone(time_zone)) return Error::Invalid("unknown time zone \"" + std::string(time_zone) + "\"");
  if (languages.empty()) return Error::Invalid("an organisation needs at least one content language");
  for (const auto& code : languages) {
    bool ok = code.size() >= 2 && code.size() <= 8;
    for (char ch : code) ok = ok && ((ch >= 'a' && ch <= 'z') || ch == '-');
    if (!ok) return Error::Invalid("\"" + code + "\" is not a language code such as sv, en or ar");
  }
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(int64_t n, c.Exec("UPDATE organisations SET time_zone = ?, languages = ? WHERE id = ?",
                                            {std::string(time_zone), Join(languages, ","), org_id}));
    if (n == 0) return Error::NotFound("no organisation " + std::to_string(org_id));
    return {};
  });
}

Result<std::vector<Organisation>> Organisations::All() {
  std::vector<Organisation> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, slug, name, host, time_zone, languages FROM organisations ORDER BY id"));
    for (const auto& r : rows) out.push_back(OrgFromRow(r));
    return {};
  }));
  return out;
}

Result<std::string> InstanceSecret(db::Database& db, std::string_view name) {
  std::string value;
  std::string key = "secret." + std::string(name);
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT OR IGNORE INTO settings(name, value) VALUES(?, ?)", {key, RandomToken(32)})));
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT value FROM settings WHERE name = ?", {key}));
    value = row->Str(0);
    return {};
  }));
  return value;
}

}  // namespace ting::core
