// Voters: verified accounts, voting codes and the signed sessions that carry them.

#include <algorithm>
#include <cctype>

#include <sodium.h>

#include "residents_internal.h"
#include "ting/base/digest.h"
#include "ting/base/strings.h"
#include "ting/core/accounts.h"

namespace ting::components {

namespace {

RegisterPerson PersonFromRow(const db::Row& r) {
  return {r.Int(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.size() > 5 ? r.Int(5) : 0};
}

}  // namespace

std::vector<db::Migration> VoterMigrations() {
  return {{710, "residents: accounts verified as register people (at most one account a person, one person an account)", R"sql(
CREATE TABLE resident_accounts (
  resident_id INTEGER PRIMARY KEY REFERENCES residents(id) ON DELETE CASCADE,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  verified_by TEXT NOT NULL CHECK (verified_by IN ('code', 'desk')),
  verified_at INTEGER NOT NULL,
  UNIQUE (organisation_id, account_id)
);
)sql"},
          {720, "residents: voting codes, stored as keyed hashes, bound to a process and a person (or none)", R"sql(
CREATE TABLE voting_codes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a session token names its code by id
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  process_id INTEGER NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
  resident_id INTEGER REFERENCES residents(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX voting_codes_person ON voting_codes(process_id, resident_id) WHERE resident_id IS NOT NULL;
)sql"},
          // SQLite cannot change a CHECK in place: the table is rebuilt. An eID link is as strong
          // as the desk's, so a new letter does not undo it (IssueCodes unlinks 'code' only).
          {730, "residents: accounts may also be verified by an eID sign-in", R"sql(
CREATE TABLE resident_accounts_new (
  resident_id INTEGER PRIMARY KEY REFERENCES residents(id) ON DELETE CASCADE,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  verified_by TEXT NOT NULL CHECK (verified_by IN ('code', 'desk', 'eid')),
  verified_at INTEGER NOT NULL,
  UNIQUE (organisation_id, account_id)
);
INSERT INTO resident_accounts_new(resident_id, organisation_id, account_id, verified_by, verified_at)
  SELECT resident_id, organisation_id, account_id, verified_by, verified_at FROM resident_accounts;
DROP TABLE resident_accounts;
ALTER TABLE resident_accounts_new RENAME TO resident_accounts;
)sql"}};
}

Result<std::optional<RegisterPerson>> PersonOfAccountIn(db::Connection& c, int64_t organisation_id, int64_t account_id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT r.id, r.district, r.birth_date, r.household, r.person_key FROM resident_accounts a "
                                             "JOIN residents r ON r.id = a.resident_id WHERE a.organisation_id = ? AND a.account_id = ?",
                                             {organisation_id, account_id}));
  if (!row) return std::optional<RegisterPerson>();
  return std::optional(PersonFromRow(*row));
}

Result<std::optional<RegisterPerson>> PersonIn(db::Connection& c, int64_t organisation_id, int64_t resident_id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT r.id, r.district, r.birth_date, r.household, r.person_key, a.account_id FROM residents r "
                                             "LEFT JOIN resident_accounts a ON a.resident_id = r.id WHERE r.id = ? AND r.organisation_id = ?",
                                             {resident_id, organisation_id}));
  if (!row) return std::optional<RegisterPerson>();
  return std::optional(PersonFromRow(*row));
}

Result<std::optional<CodeHolder>> CodeHolderIn(db::Connection& c, int64_t code_id, int64_t process_id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT c.id, r.id, r.district, r.birth_date, r.household, r.person_key, a.account_id FROM voting_codes c "
                                             "LEFT JOIN residents r ON r.id = c.resident_id LEFT JOIN resident_accounts a ON a.resident_id = r.id "
                                             "WHERE c.id = ? AND c.process_id = ?",
                                             {code_id, process_id}));
  if (!row) return std::optional<CodeHolder>();
  CodeHolder holder{row->Int(0), std::nullopt};
  if (!row->IsNull(1)) holder.person = RegisterPerson{row->Int(1), row->Str(2), row->Str(3), row->Str(4), row->Str(5), row->Int(6)};
  return std::optional(holder);
}

std::string NewVotingCode() {
  std::string out;
  for (int i = 0; i < 12; ++i) {
    if (i && i % 4 == 0) out += '-';
    out += kCodeAlphabet[randombytes_uniform(static_cast<uint32_t>(kCodeAlphabet.size()))];
  }
  return out;
}

std::string NormaliseVotingCode(std::string_view typed) {
  std::string out;
  for (char ch : typed) {
    if (ch == '-' || ch == ' ' || ch == '\t') continue;
    char up = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (kCodeAlphabet.find(up) == std::string_view::npos) return {};
    out += up;
    if (out.size() > 12) return {};
  }
  return out.size() == 12 ? out : std::string();
}

Result<std::string> VoterDirectory::Secret(const char* name, std::string& cached) {
  std::lock_guard lock(mu_);
  if (cached.empty()) {
    TING_ASSIGN_OR_RETURN(cached, core::InstanceSecret(db_, name));
  }
  return cached;
}

Result<std::vector<IssuedCode>> VoterDirectory::IssueCodes(int64_t organisation_id, int64_t process_id, const std::vector<int64_t>& resident_ids,
                                                           int64_t anonymous) {
  TING_ASSIGN_OR_RETURN(std::string secret, Secret("voting-codes", code_secret_));
  std::vector<IssuedCode> out;
  const int64_t now = env_.NowSeconds();
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    out.clear();
    auto insert = [&](std::optional<int64_t> resident, IssuedCode issued) -> Status {
      // 59 random bits: a clash with a stored code is rare enough to simply draw again.
      for (int attempt = 0; attempt < 5; ++attempt) {
        issued.code = NewVotingCode();
        auto r = c.Exec("INSERT INTO voting_codes(organisation_id, process_id, resident_id, code_hash, created_at) VALUES(?, ?, ?, ?, ?)",
                        {organisation_id, process_id, resident ? db::Value(*resident) : db::kNull,
                         HmacSha256Hex(secret, NormaliseVotingCode(issued.code)), now});
        if (r.ok()) {
          out.push_back(std::move(issued));
          return {};
        }
        if (r.error().code != ErrorCode::kAlreadyExists) return r.error();
      }
      return Error::Internal("could not draw a new voting code");
    };
    for (int64_t id : resident_ids) {
      TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kResidentColumns + " FROM residents WHERE id = ? AND organisation_id = ?",
                                                 {id, organisation_id}));
      if (!row) continue;
      Resident person = ResidentFromRow(*row);
      // A new letter replaces the old one: the old code stops working at once, and an account
      // verified with a code is unlinked (the old letter may have been stolen; the person
      // verifies again with the new one, or at a desk).
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM voting_codes WHERE process_id = ? AND resident_id = ?", {process_id, id})));
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM resident_accounts WHERE resident_id = ? AND verified_by = 'code'", {id})));
      TING_RETURN_IF_ERROR(insert(id, IssuedCode{id, person.name, person.district, person.household, person.language, person.birth_date, ""}));
    }
    for (int64_t i = 0; i < anonymous; ++i) TING_RETURN_IF_ERROR(insert(std::nullopt, IssuedCode{}));
    return {};
  }));
  return out;
}

Result<std::optional<VoterDirectory::FoundCode>> VoterDirectory::FindCode(int64_t organisation_id, std::string_view typed) {
  std::string code = NormaliseVotingCode(typed);
  if (code.empty()) return std::optional<FoundCode>();
  TING_ASSIGN_OR_RETURN(std::string secret, Secret("voting-codes", code_secret_));
  std::optional<FoundCode> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT id, process_id, resident_id FROM voting_codes WHERE code_hash = ? AND organisation_id = ?",
                                               {HmacSha256Hex(secret, code), organisation_id}));
    if (row) out = FoundCode{row->Int(0), row->Int(1), row->IsNull(2) ? 0 : row->Int(2)};
    return {};
  }));
  return out;
}

Result<std::vector<IssuedCode>> VoterDirectory::People(int64_t organisation_id) {
  std::vector<IssuedCode> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, name, district, household, language, birth_date FROM residents WHERE organisation_id = ? "
                                             "ORDER BY district, name, id",
                                             {organisation_id}));
    for (const auto& r : rows) out.push_back({r.Int(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Str(5), ""});
    return {};
  }));
  return out;
}

Result<std::optional<Resident>> VoterDirectory::FindPerson(int64_t organisation_id, std::string_view person_id, std::string_view name,
                                                            std::string_view birth_date) {
  if (!Trim(person_id).empty()) return RegisterStore(db_, env_).FindByPersonId(organisation_id, person_id);
  if (Trim(name).empty() || Trim(birth_date).empty()) return std::optional<Resident>();
  std::optional<Resident> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    // Name and birth date together; two people sharing both are not told apart (use the id).
    TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kResidentColumns +
                                                 " FROM residents WHERE organisation_id = ? AND birth_date = ? AND lower(name) = lower(?) LIMIT 2",
                                             {organisation_id, std::string(Trim(birth_date)), std::string(Trim(name))}));
    if (rows.size() == 1) out = ResidentFromRow(rows.front());
    return {};
  }));
  return out;
}

Status VoterDirectory::Verify(int64_t organisation_id, int64_t resident_id, int64_t account_id, std::string_view how) {
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto linked, c.QueryOne("SELECT resident_id, account_id FROM resident_accounts WHERE resident_id = ? OR "
                                                  "(organisation_id = ? AND account_id = ?)",
                                                  {resident_id, organisation_id, account_id}));
    if (linked) {
      if (linked->Int(0) == resident_id && linked->Int(1) == account_id) return {};  // already so
      return Error::Exists(linked->Int(0) == resident_id ? "person linked to another account" : "account linked to another person");
    }
    return StatusOf(c.Exec("INSERT INTO resident_accounts(resident_id, organisation_id, account_id, verified_by, verified_at) VALUES(?, ?, ?, ?, ?)",
                           {resident_id, organisation_id, account_id, std::string(how), env_.NowSeconds()}));
  });
}

Result<std::optional<Resident>> VoterDirectory::VerifiedAs(int64_t organisation_id, int64_t account_id) {
  std::optional<Resident> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT r.id, r.name, r.district, r.birth_date, r.household, r.email, r.phone, r.language "
                                               "FROM resident_accounts a JOIN residents r ON r.id = a.resident_id "  // kResidentColumns, as r.*
                                               "WHERE a.organisation_id = ? AND a.account_id = ?",
                                               {organisation_id, account_id}));
    if (row) out = ResidentFromRow(*row);
    return {};
  }));
  return out;
}

// "c.<code>.<process>.<expires>.<mac>" or "d.<resident>.<process>.<expires>.<mac>"; the MAC is
// HMAC-SHA256 (first 32 hex digits) under the instance's voter-session secret.
std::string VoterDirectory::Token(const VoterSession& s) {
  auto secret = Secret("voter-sessions", token_secret_);
  if (!secret.ok()) return {};
  std::string body = std::string(s.kind == VoterSession::Kind::kCode ? "c." : "d.") +
                     std::to_string(s.kind == VoterSession::Kind::kCode ? s.code_id : s.resident_id) + "." + std::to_string(s.process_id) + "." +
                     std::to_string(s.expires_at);
  return body + "." + HmacSha256Hex(*secret, body).substr(0, 32);
}

std::optional<VoterSession> VoterDirectory::ReadToken(std::string_view token) {
  if (token.size() > 200) return std::nullopt;
  auto parts = Split(token, '.');
  if (parts.size() != 5 || (parts[0] != "c" && parts[0] != "d")) return std::nullopt;
  auto secret = Secret("voter-sessions", token_secret_);
  if (!secret.ok()) return std::nullopt;
  std::string body(token.substr(0, token.rfind('.')));
  std::string mac = HmacSha256Hex(*secret, body).substr(0, 32);
  if (parts[4].size() != mac.size() || sodium_memcmp(parts[4].data(), mac.data(), mac.size()) != 0) return std::nullopt;
  auto id = ParseInt64(parts[1]), process = ParseInt64(parts[2]), expires = ParseInt64(parts[3]);
  if (!id || !process || !expires || *expires < env_.NowSeconds()) return std::nullopt;
  VoterSession s;
  s.kind = parts[0] == "c" ? VoterSession::Kind::kCode : VoterSession::Kind::kDesk;
  (s.kind == VoterSession::Kind::kCode ? s.code_id : s.resident_id) = *id;
  s.process_id = *process;
  s.expires_at = *expires;
  return s;
}

}  // namespace ting::components
