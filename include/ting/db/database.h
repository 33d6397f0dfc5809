#pragma once
// The database interface every feature uses. SQLite is the embedded default; a PostgreSQL
// backend implements the same interface (SQL is written in the common subset, parameters are
// always bound with '?', never spliced into the text).
//
// Thread safety: Database is safe to use from any number of threads. A Connection handed to a
// callback belongs to that callback alone and must not escape it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ting/base/result.h"

namespace ting::db {

using Value = std::variant<std::monostate, int64_t, double, std::string>;
using Params = std::vector<Value>;
inline const Value kNull{};

class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::monostate>(values_.at(i)); }
  int64_t Int(size_t i) const;          // 0 for NULL
  double Real(size_t i) const;          // 0 for NULL
  std::string Str(size_t i) const;      // "" for NULL; integers are formatted
  std::optional<int64_t> OptInt(size_t i) const;

 private:
  std::vector<Value> values_;
};

class Connection {
 public:
  virtual ~Connection() = default;
  // Runs a statement that returns rows. Statements are prepared once per connection and cached.
  virtual Result<std::vector<Row>> Query(std::string_view sql, const Params& params = {}) = 0;
  // Runs a statement and returns the number of rows it changed.
  virtual Result<int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
  virtual int64_t LastInsertId() = 0;
  // Runs several statements with no parameters (schema migrations only).
  virtual Status ExecScript(std::string_view sql) = 0;

  // The first row, or nullopt when there is none.
  Result<std::optional<Row>> QueryOne(std::string_view sql, const Params& params = {});
};

using ConnectionFn = std::function<Status(Connection&)>;

class Database {
 public:
  virtual ~Database() = default;

  // Runs fn on a read-only connection that sees a consistent snapshot.
  virtual Status Read(const ConnectionFn& fn) = 0;

  // Runs fn in a transaction. When Write returns OK, fn's changes are committed and durable
  // (fsync'd). When fn returns an error (or throws), only fn's changes are rolled back and
  // that error is returned. Concurrent Write calls share one commit (group commit), so many
  // writers cost one fsync.
  // REQUIRES: fn does not call Write (it would wait for itself).
  virtual Status Write(const ConnectionFn& fn) = 0;

  virtual std::string Backend() const = 0;  // "sqlite" or "postgresql"

  // Commits made and write jobs served since open; jobs/commits is the group-commit factor.
  virtual uint64_t CommitCount() const = 0;
  virtual uint64_t WriteJobCount() const = 0;
};

struct SqliteOptions {
  int max_readers = 32;
  int max_batch = 1024;  // write jobs folded into one commit at most
  bool durable = true;   // synchronous=FULL; false only for throwaway test databases
  // Tests only: called before each commit of the writer; returning true makes that commit fail
  // (as a full disk or an I/O error would), so tests can check that a failed commit tells no
  // caller "recorded" and loses nothing.
  std::function<bool()> fail_commit{};
};

// Opens (creating if needed) a SQLite database file in WAL mode with foreign keys on.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, SqliteOptions options = {});

// A schema change, applied once, in version order: its SQL script, then (when set) code that
// changes data the SQL cannot, in the same transaction.
struct Migration {
  int version;
  std::string name;
  std::string sql;
  std::function<Status(Connection&)> run = nullptr;
};

// Replaces ill-formed UTF-8 in the given text columns of table by U+FFFD (see RepairUtf8),
// row by row, keyed by key_column. For migrations that repair text stored before every input
// was validated. Table and column names come from code, never from input.
Status RepairUtf8Columns(Connection& c, const std::string& table, const std::string& key_column,
                         const std::vector<std::string>& columns);

// Applies the migrations not yet recorded in schema_migrations, each in its own transaction.
// Versions must be unique. Returns how many were applied.
Result<int> Migrate(Database& db, const std::vector<Migration>& migrations);

}  // namespace ting::db
