// The register's SQL.

#include <algorithm>
#include <set>

#include "residents_internal.h"
#include "ting/base/digest.h"
#include "ting/core/accounts.h"

namespace ting::components {

std::vector<db::Migration> RegisterMigrations() {
  return {{700, "residents: the register of people who may take part, person ids as keyed hashes", R"sql(
CREATE TABLE residents (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  person_key TEXT NOT NULL,
  name TEXT NOT NULL,
  district TEXT NOT NULL DEFAULT '',
  birth_date TEXT NOT NULL DEFAULT '',
  household TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  imported_at INTEGER NOT NULL,
  UNIQUE (organisation_id, person_key)
);
CREATE INDEX residents_district ON residents(organisation_id, district);
)sql"}};
}

std::vector<db::Migration> ResidentsMigrations() {
  auto all = RegisterMigrations();
  for (auto& m : VoterMigrations()) all.push_back(std::move(m));
  return all;
}

std::string PersonKey(std::string_view secret, std::string_view person_id) {
  return HmacSha256Hex(secret, NormalisePersonId(person_id));
}

Result<std::string> RegisterStore::Secret() {
  std::lock_guard lock(secret_mu_);
  if (secret_.empty()) {
    TING_ASSIGN_OR_RETURN(secret_, core::InstanceSecret(db_, "register"));
  }
  return secret_;
}

Resident ResidentFromRow(const db::Row& r) {
  return Resident{r.Int(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Str(5), r.Str(6), r.Str(7)};
}

// One resident of the organisation where `column = value`.
Result<std::optional<Resident>> FindResident(db::Database& db, int64_t organisation_id, const char* column, db::Value value) {
  std::optional<Resident> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kResidentColumns + " FROM residents WHERE organisation_id = ? AND " +
                                                   column + " = ?",
                                               {organisation_id, std::move(value)}));
    if (row) out = ResidentFromRow(*row);
    return {};
  }));
  return out;
}

Result<std::optional<Resident>> RegisterStore::FindByPersonId(int64_t organisation_id, std::string_view person_id) {
  TING_ASSIGN_OR_RETURN(std::string secret, Secret());
  return FindResident(db_, organisation_id, "person_key", PersonKey(secret, person_id));
}

Result<std::optional<Resident>> RegisterStore::FindById(int64_t organisation_id, int64_t id) {
  return FindResident(db_, organisation_id, "id", id);
}

Result<RegisterSummary> RegisterStore::Summarise(int64_t organisation_id) {
  RegisterSummary out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT district, COUNT(*) FROM residents WHERE organisation_id = ? GROUP BY district ORDER BY district",
                                             {organisation_id}));
    for (const auto& r : rows) {
      out.districts[r.Str(0)] = r.Int(1);
      out.people += r.Int(1);
    }
    return {};
  }));
  return out;
}

Result<int64_t> RegisterStore::Delete(int64_t organisation_id) {
  int64_t removed = 0;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(removed, c.Exec("DELETE FROM residents WHERE organisation_id = ?", {organisation_id}));
    return {};
  }));
  return removed;
}

Result<ImportCounts> ReplaceRegister(db::Database& db, Env& env, int64_t organisation_id,
                                     const std::vector<RegisterRow>& rows, const std::vector<std::string>& keep) {
  TING_ASSIGN_OR_RETURN(std::string secret, core::InstanceSecret(db, "register"));
  auto kept = [&](const char* column) { return std::find(keep.begin(), keep.end(), column) != keep.end(); };
  ImportCounts counts;
  int64_t now = env.NowSeconds();
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    // Upsert every row, then remove whoever the file no longer has: one transaction, so a failed
    // import leaves the old register whole.
    std::set<std::string> seen;
    for (const auto& r : rows) {
      std::string key = PersonKey(secret, r.person_id);
      TING_ASSIGN_OR_RETURN(auto existing, c.QueryOne("SELECT id FROM residents WHERE organisation_id = ? AND person_key = ?", {organisation_id, key}));
      db::Params values = {r.name, r.district, r.birth_date, r.household, kept("email") ? r.email : std::string(),
                           kept("phone") ? r.phone : std::string(), r.language, now};
      if (existing) {
        values.push_back(existing->Int(0));
        TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE residents SET name = ?, district = ?, birth_date = ?, household = ?, email = ?, phone = ?, "
                                             "language = ?, imported_at = ? WHERE id = ?",
                                             values)));
        ++counts.updated;
      } else {
        db::Params insert = {organisation_id, key};
        insert.insert(insert.end(), values.begin(), values.end());
        TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO residents(organisation_id, person_key, name, district, birth_date, household, email, "
                                             "phone, language, imported_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                             insert)));
        ++counts.imported;
      }
      seen.insert(std::move(key));
    }
    TING_ASSIGN_OR_RETURN(auto all, c.Query("SELECT id, person_key FROM residents WHERE organisation_id = ?", {organisation_id}));
    for (const auto& r : all)
      if (!seen.count(r.Str(1))) {
        TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM residents WHERE id = ?", {r.Int(0)})));
        ++counts.removed;
      }
    return {};
  }));
  return counts;
}

}  // namespace ting::components
