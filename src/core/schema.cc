#include "ting/core/accounts.h"

namespace ting::core {

std::vector<db::Migration> CoreMigrations() {
  return {
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
  };
}

}  // namespace ting::core
