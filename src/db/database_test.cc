#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <unistd.h>

#include "ting/db/database.h"

namespace ting::db {
namespace {

std::string TempDb(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("ting_db_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  return path;
}

const std::vector<Migration> kSchema = {
    {1, "items", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER)"},
    {2, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id))"},
};

TEST(Database, MigratesOnceAndRoundTripsValues) {
  auto db = OpenSqlite(TempDb("a.db"));
  ASSERT_TRUE(db.ok()) << db.error().message;
  EXPECT_EQ(*Migrate(**db, kSchema), 2);
  EXPECT_EQ(*Migrate(**db, kSchema), 0);
  ASSERT_TRUE((*db)->Write([](Connection& c) -> Status {
    TING_RETURN_IF_ERROR(c.Exec("INSERT INTO items(name, n) VALUES(?, ?)", {std::string("å'; DROP"), int64_t{7}}));
    return {};
  }).ok());
  ASSERT_TRUE((*db)->Read([](Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT name, n, NULL FROM items"));
    EXPECT_TRUE(row.has_value());
    EXPECT_EQ(row->Str(0), "å'; DROP");
    EXPECT_EQ(row->Int(1), 7);
    EXPECT_TRUE(row->IsNull(2));
    return {};
  }).ok());
}

TEST(Database, FailedWriteRollsBackAloneAndReportsConstraint) {
  auto db = OpenSqlite(TempDb("b.db"));
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(Migrate(**db, kSchema).ok());
  Status dup = (*db)->Write([](Connection& c) -> Status {
    TING_RETURN_IF_ERROR(c.Exec("INSERT INTO items(name) VALUES('x')"));
    TING_RETURN_IF_ERROR(c.Exec("INSERT INTO items(name) VALUES('x')"));
    return {};
  });
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  Status fk = (*db)->Write([](Connection& c) -> Status {
    return c.Exec("INSERT INTO notes(item_id) VALUES(999)").ok() ? Status() : Error::Invalid("fk");
  });
  EXPECT_FALSE(fk.ok()) << "foreign keys must be enforced";
  int64_t count = -1;
  ASSERT_TRUE((*db)->Read([&](Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT COUNT(*) FROM items"));
    count = row->Int(0);
    return {};
  }).ok());
  EXPECT_EQ(count, 0) << "the failed job's first insert must be rolled back";
}

TEST(Database, ConcurrentWritesShareCommitsAndAllLand) {
  std::string path = TempDb("c.db");
  {
    auto db = OpenSqlite(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(Migrate(**db, kSchema).ok());
    uint64_t commits_before = (*db)->CommitCount();
    constexpr int kThreads = 32, kPerThread = 20;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          Status st = (*db)->Write([&](Connection& c) -> Status {
            auto r = c.Exec("INSERT INTO items(name, n) VALUES(?, ?)",
                            {"t" + std::to_string(t) + "-" + std::to_string(i), int64_t{i}});
            return r.ok() ? Status() : Status(r.error());
          });
          if (!st.ok()) failures++;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    uint64_t commits = (*db)->CommitCount() - commits_before;
    EXPECT_LT(commits, uint64_t{kThreads * kPerThread}) << "group commit should fold writes";
  }
  // Reopen: everything acknowledged is there.
  auto db = OpenSqlite(path);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Read([](Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT COUNT(*) FROM items"));
    EXPECT_EQ(row->Int(0), 32 * 20);
    return {};
  }).ok());
}

// Text stored before every input was validated: a migration's code step repairs it in place,
// in the migration's own transaction, and leaves well-formed rows untouched.
TEST(Database, MigrationRepairsIllFormedUtf8) {
  auto db = OpenSqlite(TempDb("utf8.db"));
  ASSERT_TRUE(db.ok()) << db.error().message;
  ASSERT_EQ(*Migrate(**db, kSchema), 2);
  ASSERT_TRUE((*db)->Write([](Connection& c) -> Status {
    TING_RETURN_IF_ERROR(c.Exec("INSERT INTO items(id, name) VALUES(1, ?), (2, ?), (3, ?)",
                                {std::string("bad\xC0\xAF"), std::string("Malmö"), std::string("\xFF")}));
    return {};
  }).ok());
  std::vector<Migration> repair = kSchema;
  repair.push_back({3, "repair", "", [](Connection& c) { return RepairUtf8Columns(c, "items", "id", {"name"}); }});
  ASSERT_EQ(*Migrate(**db, repair), 1);
  ASSERT_TRUE((*db)->Read([](Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT name FROM items ORDER BY id"));
    EXPECT_EQ(rows.at(0).Str(0), "bad\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(rows.at(1).Str(0), "Malmö");
    EXPECT_EQ(rows.at(2).Str(0), "\xEF\xBF\xBD");
    return {};
  }).ok());
  // A failing code step rolls its migration back and is not recorded.
  repair.push_back({4, "fails", "CREATE TABLE t4 (x)", [](Connection&) -> Status { return Error::Internal("boom"); }});
  auto failed = Migrate(**db, repair);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("migration 4"), std::string::npos);
  ASSERT_TRUE((*db)->Read([](Connection& c) -> Status {
    EXPECT_FALSE(c.Query("SELECT * FROM t4").ok()) << "the failed migration's table is gone";
    return {};
  }).ok());
}

// A commit that fails (full disk, I/O error) tells no caller of its batch "recorded": every
// caller that heard OK finds its row, every caller that heard an error finds none and can try
// again; nothing is half-written.
TEST(Database, FailedCommitTellsNoCallerRecordedAndLosesNothing) {
  std::atomic<bool> fail_next{false};
  SqliteOptions options;
  options.fail_commit = [&] { return fail_next.exchange(false); };
  auto db = OpenSqlite(TempDb("faults.db"), options);
  ASSERT_TRUE(db.ok()) << db.error().message;
  ASSERT_EQ(*Migrate(**db, kSchema), 2);
  constexpr int kWriters = 24;
  std::vector<Status> results(kWriters);
  fail_next = true;
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i)
    threads.emplace_back([&, i] {
      results[i] = (*db)->Write([i](Connection& c) -> Status {
        return StatusOf(c.Exec("INSERT INTO items(name, n) VALUES(?, ?)", {"w" + std::to_string(i), int64_t{i}}));
      });
    });
  for (auto& t : threads) t.join();
  int failed = 0;
  for (int i = 0; i < kWriters; ++i) {
    bool stored = false;
    ASSERT_TRUE((*db)->Read([&](Connection& c) -> Status {
      TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT 1 FROM items WHERE name = ?", {"w" + std::to_string(i)}));
      stored = row.has_value();
      return {};
    }).ok());
    EXPECT_EQ(results[i].ok(), stored) << "writer " << i << " was told " << (results[i].ok() ? "recorded" : "failed");
    if (!results[i].ok()) {
      ++failed;
      // Nothing was lost: the same write succeeds when tried again.
      EXPECT_TRUE((*db)->Write([i](Connection& c) -> Status {
        return StatusOf(c.Exec("INSERT INTO items(name, n) VALUES(?, ?)", {"w" + std::to_string(i), int64_t{i}}));
      }).ok());
    }
  }
  EXPECT_GE(failed, 1) << "the injected failure reached at least one batch";
  ASSERT_TRUE((*db)->Read([&](Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT COUNT(*) FROM items"));
    EXPECT_EQ(row->Int(0), kWriters);
    return {};
  }).ok());
}

TEST(Database, BadSqlIsAnErrorNotACrash) {
  auto db = OpenSqlite(TempDb("d.db"));
  ASSERT_TRUE(db.ok());
  Status st = (*db)->Read([](Connection& c) -> Status {
    auto r = c.Query("SELECT nope FROM nothing");
    return r.ok() ? Status() : Status(r.error());
  });
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(OpenSqlite("/nonexistent/dir/x.db").ok());
}

}  // namespace
}  // namespace ting::db
