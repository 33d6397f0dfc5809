#pragma once
// Inside the residents component.

#include "register_csv.h"
#include "ting/components/residents.h"

namespace ting::components {

struct ImportCounts {
  int64_t imported = 0, updated = 0, removed = 0;
};

// Replaces the organisation's register with rows (already checked): people new to it are
// imported, known ones updated, the ones not in rows removed. keep: the optional columns to store
// (email, phone); the others are dropped at the door.
Result<ImportCounts> ReplaceRegister(db::Database& db, Env& env, int64_t organisation_id,
                                     const std::vector<RegisterRow>& rows, const std::vector<std::string>& keep);

std::vector<db::Migration> ResidentsMigrations();  // the register's and the voters' (voters.cc)
// A resident as read with kResidentColumns (in that order).
inline constexpr const char* kResidentColumns = "id, name, district, birth_date, household, email, phone, language";
Resident ResidentFromRow(const db::Row& r);

std::vector<db::Migration> RegisterMigrations();
Status SeedResidents(web::Demo& demo);  // the demo's register (seed.cc)
// Codes, code sessions and verified accounts (codes.cc); the caller keeps what it returns.
std::shared_ptr<void> MountVoterRoutes(Site& site);
std::vector<db::Migration> VoterMigrations();

// The keyed hash a person id is stored as: HMAC-SHA256 under the instance's register secret, of
// the id in its normal form (NormalisePersonId).
std::string PersonKey(std::string_view secret, std::string_view person_id);

}  // namespace ting::components
