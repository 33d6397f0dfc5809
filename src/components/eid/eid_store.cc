// The eid component's SQL: providers per organisation, sign-in attempts, identities.

#include "eid_internal.h"
#include "ting/base/digest.h"
#include "ting/core/accounts.h"

namespace ting::components {

std::vector<db::Migration> EidMigrations() {
  // 900s: the 800s are taken by the mail component.
  return {{900, "eid: an organisation's OpenID provider for eID sign-in", R"sql(
CREATE TABLE eid_providers (
  organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
  issuer TEXT NOT NULL,
  client_id TEXT NOT NULL,
  client_secret TEXT NOT NULL,
  scopes TEXT NOT NULL,
  ssn_claim TEXT NOT NULL,
  name_claim TEXT NOT NULL,
  label TEXT NOT NULL,
  acr_values TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
);
)sql"},
          {910, "eid: sign-ins on their way to the provider and back, by a hash of their state", R"sql(
CREATE TABLE eid_attempts (
  state_hash TEXT PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  next TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX eid_attempts_created ON eid_attempts(created_at);
)sql"},
          // One account per person on the instance (accounts are not per organisation); the
          // organisation is where the person first signed in, and leaving it keeps the account.
          {920, "eid: the account of each person who signed in with eID, by a keyed hash of their number", R"sql(
CREATE TABLE eid_identities (
  identity_key TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  organisation_id INTEGER REFERENCES organisations(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL
);
)sql"}};
}

Result<std::optional<EidConfig>> EidStore::Config(int64_t organisation_id) {
  std::optional<EidConfig> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT issuer, client_id, client_secret, scopes, ssn_claim, name_claim, label, acr_values "
                                               "FROM eid_providers WHERE organisation_id = ?",
                                               {organisation_id}));
    if (row) out = EidConfig{row->Str(0), row->Str(1), row->Str(2), row->Str(3), row->Str(4), row->Str(5), row->Str(6), row->Str(7)};
    return {};
  }));
  return out;
}

Status EidStore::SaveConfig(int64_t organisation_id, const EidConfig& k) {
  return db_.Write([&](db::Connection& c) -> Status {
    return StatusOf(c.Exec("INSERT INTO eid_providers(organisation_id, issuer, client_id, client_secret, scopes, ssn_claim, name_claim, label, "
                           "acr_values, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (organisation_id) DO UPDATE SET "
                           "issuer = excluded.issuer, client_id = excluded.client_id, client_secret = excluded.client_secret, "
                           "scopes = excluded.scopes, ssn_claim = excluded.ssn_claim, name_claim = excluded.name_claim, "
                           "label = excluded.label, acr_values = excluded.acr_values, updated_at = excluded.updated_at",
                           {organisation_id, k.issuer, k.client_id, k.client_secret, k.scopes, k.ssn_claim, k.name_claim, k.label,
                            k.acr_values, env_.NowSeconds()}));
  });
}

Result<bool> EidStore::DeleteConfig(int64_t organisation_id) {
  int64_t removed = 0;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(removed, c.Exec("DELETE FROM eid_providers WHERE organisation_id = ?", {organisation_id}));
    return StatusOf(c.Exec("DELETE FROM eid_attempts WHERE organisation_id = ?", {organisation_id}));
  }));
  return removed > 0;
}

Status EidStore::StartAttempt(std::string_view state, const EidAttempt& a) {
  const int64_t now = env_.NowSeconds();
  return db_.Write([&](db::Connection& c) -> Status {
    // Housekeeping rides along, so abandoned sign-ins do not pile up.
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM eid_attempts WHERE created_at < ?", {now - kAttemptSeconds})));
    return StatusOf(c.Exec("INSERT INTO eid_attempts(state_hash, organisation_id, nonce, code_verifier, next, created_at) VALUES(?, ?, ?, ?, ?, ?)",
                           {Sha256Hex(state), a.organisation_id, a.nonce, a.code_verifier, a.next, now}));
  });
}

Result<std::optional<EidAttempt>> EidStore::TakeAttempt(std::string_view state) {
  const std::string hash = Sha256Hex(state);
  std::optional<EidAttempt> out;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    out.reset();
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT organisation_id, nonce, code_verifier, next, created_at FROM eid_attempts WHERE state_hash = ?",
                                               {hash}));
    if (!row) return {};
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM eid_attempts WHERE state_hash = ?", {hash})));
    if (row->Int(4) >= env_.NowSeconds() - kAttemptSeconds) out = EidAttempt{row->Int(0), row->Str(1), row->Str(2), row->Str(3)};
    return {};
  }));
  return out;
}

Result<std::string> EidStore::IdentityKey(std::string_view person_number) {
  std::string secret;
  {
    std::lock_guard lock(mu_);
    if (secret_.empty()) {
      TING_ASSIGN_OR_RETURN(secret_, core::InstanceSecret(db_, "eid_identity"));
    }
    secret = secret_;
  }
  return HmacSha256Hex(secret, NormalisePersonId(person_number));
}

Result<int64_t> EidStore::AccountOf(const std::string& identity_key) {
  int64_t user_id = 0;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT user_id FROM eid_identities WHERE identity_key = ?", {identity_key}));
    if (row) user_id = row->Int(0);
    return {};
  }));
  return user_id;
}

Status EidStore::RecordIdentityIn(db::Connection& c, const std::string& identity_key, int64_t user_id, int64_t organisation_id) {
  TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO eid_identities(identity_key, user_id, organisation_id, created_at) VALUES(?, ?, ?, ?)",
                                       {identity_key, user_id, organisation_id, env_.NowSeconds()})));
  // The account is a known person's: processes that admit only verified accounts admit it.
  return StatusOf(c.Exec("UPDATE users SET identity_verified_at = ? WHERE id = ?", {env_.NowSeconds(), user_id}));
}

}  // namespace ting::components
