#include <ctime>
#include <algorithm>
#include <set>

#include "ting/base/strings.h"
#include "ting/db/database.h"

namespace ting::db {

Status RepairUtf8Columns(Connection& c, const std::string& table, const std::string& key_column,
                         const std::vector<std::string>& columns) {
  std::string select = "SELECT " + key_column;
  for (const auto& col : columns) select += ", " + col;
  select += " FROM " + table;
  TING_ASSIGN_OR_RETURN(auto rows, c.Query(select));
  for (const auto& r : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (r.IsNull(i + 1)) continue;
      std::string text = r.Str(i + 1);
      if (IsValidUtf8(text)) continue;
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE " + table + " SET " + columns[i] + " = ? WHERE " + key_column + " = ?",
                                           {RepairUtf8(text), r.Int(0)})));
    }
  }
  return {};
}

Result<int> Migrate(Database& db, const std::vector<Migration>& migrations) {
  std::set<int> versions;
  for (const auto& m : migrations) {
    if (!versions.insert(m.version).second)
      return Error::Internal("migration version " + std::to_string(m.version) + " is used twice");
  }
  TING_RETURN_IF_ERROR(db.Write([](Connection& c) -> Status {
    return c.ExecScript(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  }));
  std::set<int64_t> applied;
  TING_RETURN_IF_ERROR(db.Read([&](Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT version FROM schema_migrations"));
    for (const auto& r : rows) applied.insert(r.Int(0));
    return {};
  }));
  std::vector<const Migration*> pending;
  for (const auto& m : migrations)
    if (!applied.count(m.version)) pending.push_back(&m);
  std::sort(pending.begin(), pending.end(), [](auto* a, auto* b) { return a->version < b->version; });
  for (const Migration* m : pending) {
    Status st = db.Write([m](Connection& c) -> Status {
      if (!m->sql.empty()) TING_RETURN_IF_ERROR(c.ExecScript(m->sql));
      if (m->run) TING_RETURN_IF_ERROR(m->run(c));
      return c.Exec("INSERT INTO schema_migrations(version, name, applied_at) VALUES(?, ?, ?)",
                    {int64_t{m->version}, m->name, static_cast<int64_t>(std::time(nullptr))})
          .ok()
                 ? Status()
                 : Status(Error::Internal("cannot record migration"));
    });
    if (!st.ok()) return st.error().At("migration " + std::to_string(m->version) + " (" + m->name + ")");
  }
  return static_cast<int>(pending.size());
}

}  // namespace ting::db
