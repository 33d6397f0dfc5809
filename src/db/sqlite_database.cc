// SQLite backend: one writer connection owned by a group-commit thread, a pool of readers.

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "ting/db/database.h"

namespace ting::db {
namespace {

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  sqlite3* handle() { return db_; }
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Result<std::vector<Row>> Query(std::string_view sql, const Params& params = {}) override {
    TING_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    std::vector<Row> rows;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      int n = sqlite3_column_count(stmt);
      std::vector<Value> values;
      values.reserve(n);
      for (int i = 0; i < n; ++i) values.push_back(Column(stmt, i));
      rows.emplace_back(std::move(values));
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return Failure(sql);
    return rows;
  }

  Result<int64_t> Exec(std::string_view sql, const Params& params = {}) override {
    TING_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return Failure(sql);
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  int64_t LastInsertId() override { return sqlite3_last_insert_rowid(db_); }

  Status ExecScript(std::string_view sql) override {
    char* err = nullptr;
    std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "unknown error";
      sqlite3_free(err);
      return Error::Internal("sqlite: " + message);
    }
    return {};
  }

 private:
  Result<sqlite3_stmt*> Prepare(std::string_view sql, const Params& params) {
    auto it = statements_.find(std::string(sql));
    sqlite3_stmt* stmt;
    if (it != statements_.end()) {
      stmt = it->second;
    } else {
      if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                             &stmt, nullptr) != SQLITE_OK) {
        return Error::Internal("sqlite prepare: " + std::string(sqlite3_errmsg(db_)) + " in: " +
                               std::string(sql));
      }
      statements_.emplace(std::string(sql), stmt);
    }
    sqlite3_clear_bindings(stmt);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return Error::Internal("sqlite: " + std::to_string(params.size()) + " parameters for " +
                             std::to_string(sqlite3_bind_parameter_count(stmt)) + " in: " + std::string(sql));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const Value& v = params[i];
      if (auto p = std::get_if<int64_t>(&v)) {
        sqlite3_bind_int64(stmt, idx, *p);
      } else if (auto p = std::get_if<double>(&v)) {
        sqlite3_bind_double(stmt, idx, *p);
      } else if (auto p = std::get_if<std::string>(&v)) {
        sqlite3_bind_text64(stmt, idx, p->data(), p->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else {
        sqlite3_bind_null(stmt, idx);
      }
    }
    return stmt;
  }

  static Value Column(sqlite3_stmt* stmt, int i) {
    switch (sqlite3_column_type(stmt, i)) {
      case SQLITE_INTEGER: return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
      case SQLITE_FLOAT: return sqlite3_column_double(stmt, i);
      case SQLITE_NULL: return std::monostate{};
      default: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        return std::string(text ? text : "", sqlite3_column_bytes(stmt, i));
      }
    }
  }

  Error Failure(std::string_view sql) {
    int code = sqlite3_extended_errcode(db_);
    std::string message = sqlite3_errmsg(db_);
    if ((code & 0xff) == SQLITE_CONSTRAINT) {
      if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        return Error::Exists("constraint: " + message);
      return Error::Invalid("constraint: " + message);
    }
    return Error::Internal("sqlite: " + message + " in: " + std::string(sql));
  }

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

Result<std::unique_ptr<SqliteConnection>> OpenConnection(const std::string& path, bool read_only,
                                                         bool durable) {
  sqlite3* handle = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &handle, flags, nullptr) != SQLITE_OK) {
    std::string message = handle ? sqlite3_errmsg(handle) : "out of memory";
    sqlite3_close_v2(handle);
    return Error::Io(path + ": cannot open database: " + message);
  }
  auto conn = std::make_unique<SqliteConnection>(handle);
  sqlite3_busy_timeout(handle, 10000);
  std::string pragmas = "PRAGMA foreign_keys=ON;";
  if (!read_only) {
    pragmas += "PRAGMA journal_mode=WAL;";
    pragmas += durable ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=OFF;";
  }
  if (auto st = conn->ExecScript(pragmas); !st.ok()) return st.error().At(path);
  return conn;
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(std::string path, SqliteOptions options, std::unique_ptr<SqliteConnection> writer)
      : path_(std::move(path)), options_(options), writer_conn_(std::move(writer)) {
    if (options_.fail_commit) {
      // A non-zero return from the commit hook turns the COMMIT into a ROLLBACK.
      sqlite3_commit_hook(writer_conn_->handle(), [](void* self) -> int {
        return static_cast<SqliteDatabase*>(self)->options_.fail_commit() ? 1 : 0;
      }, this);
    }
    writer_thread_ = std::thread([this] { WriterLoop(); });
  }

  ~SqliteDatabase() override {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    writer_thread_.join();
  }

  Status Read(const ConnectionFn& fn) override {
    TING_ASSIGN_OR_RETURN(auto conn, AcquireReader());
    Status st;
    // A read transaction gives fn one consistent snapshot across its statements.
    if (auto begin = conn->Exec("BEGIN"); !begin.ok()) {
      st = begin.error();
    } else {
      try {
        st = fn(*conn);
      } catch (const std::exception& e) {
        st = Error::Internal(std::string("read failed: ") + e.what());
      }
      (void)conn->Exec("COMMIT");
    }
    ReleaseReader(std::move(conn));
    return st;
  }

  Status Write(const ConnectionFn& fn) override {
    Job job{&fn, {}};
    auto done = job.result.get_future();
    {
      std::lock_guard lock(queue_mu_);
      if (stopping_) return Error::Internal("database is closing");
      queue_.push_back(&job);
    }
    queue_cv_.notify_one();
    return done.get();
  }

  std::string Backend() const override { return "sqlite"; }
  uint64_t CommitCount() const override { return commits_.load(); }
  uint64_t WriteJobCount() const override { return jobs_.load(); }

 private:
  struct Job {
    const ConnectionFn* fn;
    std::promise<Status> result;
  };

  void WriterLoop() {
    std::vector<Job*> batch;
    while (true) {
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) return;
        while (!queue_.empty() && static_cast<int>(batch.size()) < options_.max_batch) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      RunBatch(batch);
      batch.clear();
    }
  }

  // One transaction for the whole batch; each job inside its own savepoint so that a job
  // that fails rolls back alone. Nobody hears "OK" before COMMIT has returned (fsync'd).
  void RunBatch(std::vector<Job*>& batch) {
    SqliteConnection& c = *writer_conn_;
    std::vector<Status> statuses(batch.size());
    auto begin = c.Exec("BEGIN IMMEDIATE");
    if (!begin.ok()) {
      for (Job* j : batch) j->result.set_value(begin.error());
      return;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      (void)c.Exec("SAVEPOINT job");
      Status st;
      try {
        st = (*batch[i]->fn)(c);
      } catch (const std::exception& e) {
        st = Error::Internal(std::string("write failed: ") + e.what());
      }
      if (!st.ok()) (void)c.Exec("ROLLBACK TO job");
      (void)c.Exec("RELEASE job");
      statuses[i] = std::move(st);
    }
    auto commit = c.Exec("COMMIT");
    if (!commit.ok()) {
      (void)c.Exec("ROLLBACK");
      for (Job* j : batch) j->result.set_value(commit.error());
      return;
    }
    commits_.fetch_add(1);
    jobs_.fetch_add(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->result.set_value(std::move(statuses[i]));
  }

  Result<std::unique_ptr<SqliteConnection>> AcquireReader() {
    {
      std::lock_guard lock(readers_mu_);
      if (!readers_.empty()) {
        auto conn = std::move(readers_.back());
        readers_.pop_back();
        return conn;
      }
    }
    return OpenConnection(path_, /*read_only=*/true, options_.durable);
  }

  void ReleaseReader(std::unique_ptr<SqliteConnection> conn) {
    std::lock_guard lock(readers_mu_);
    if (static_cast<int>(readers_.size()) < options_.max_readers) readers_.push_back(std::move(conn));
  }

  std::string path_;
  SqliteOptions options_;
  std::unique_ptr<SqliteConnection> writer_conn_;
  std::thread writer_thread_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Job*> queue_;
  bool stopping_ = false;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;

  std::atomic<uint64_t> commits_{0}, jobs_{0};
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, SqliteOptions options) {
  TING_ASSIGN_OR_RETURN(auto writer, OpenConnection(path, /*read_only=*/false, options.durable));
  return std::unique_ptr<Database>(new SqliteDatabase(path, options, std::move(writer)));
}

}  // namespace ting::db
