#include "ting/core/accounts.h"
#include "ting/outbox/outbox.h"

namespace ting::core {

std::vector<db::Migration> CoreMigrations() {
  std::vector<db::Migration> all = {
      {100, "core: organisations, users, roles, sessions, settings", R"sql(
CREATE TABLE organisations (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  host TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  lang TEXT NOT NULL DEFAULT 'sv',
  created_at INTEGER NOT NULL
);
CREATE TABLE memberships (
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('admin','manager','reviewer','moderator','staff')),
  PRIMARY KEY (organisation_id, user_id, role)
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('web','api')),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql"},
      {110, "core: repair ill-formed UTF-8 in names (stored before input was validated)", "",
       [](db::Connection& c) -> Status {
         TING_RETURN_IF_ERROR(db::RepairUtf8Columns(c, "organisations", "id", {"name"}));
         return db::RepairUtf8Columns(c, "users", "id", {"name"});
       }},
      {120, "core: an organisation's time zone (phases change at its local midnight) and the languages of its content",
       R"sql(
ALTER TABLE organisations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Stockholm';
ALTER TABLE organisations ADD COLUMN languages TEXT NOT NULL DEFAULT 'sv,en';
)sql"},
      {130, "core: verified email addresses, single-use tokens for mailed links, password-reset requests", R"sql(
ALTER TABLE users ADD COLUMN email_verified_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN identity_verified_at INTEGER NOT NULL DEFAULT 0;
CREATE TABLE account_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose = 'verify_email' OR purpose = 'password_reset'),
  email TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX account_tokens_user ON account_tokens(user_id, purpose);
CREATE TABLE password_reset_requests (
  email_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX password_reset_requests_email ON password_reset_requests(email_hash, created_at);
)sql"},
  };
  // The outbox is part of the spine: accounts queue their mail in it.
  for (auto& m : outbox::Migrations()) all.push_back(std::move(m));
  return all;
}

}  // namespace ting::core
