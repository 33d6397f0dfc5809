#pragma once
// A fresh SQLite database file for the running test (named after it), with migrations applied
// in version order. The caller removes *path in its TearDown.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ting/db/database.h"

namespace ting::test_support {

inline std::unique_ptr<db::Database> FreshDatabase(std::vector<db::Migration> migrations, std::string* path) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  *path = (std::filesystem::temp_directory_path() /
           ("ting_" + std::string(test->test_suite_name()) + "_" + test->name() + "_" + std::to_string(::getpid()) + ".db"))
              .string();
  std::filesystem::remove(*path);
  auto db = db::OpenSqlite(*path, {.durable = false});
  if (!db.ok()) {
    ADD_FAILURE() << db.error().message;
    return nullptr;
  }
  std::stable_sort(migrations.begin(), migrations.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  if (auto st = db::Migrate(**db, migrations); !st.ok()) ADD_FAILURE() << st.error().message;
  return std::move(*db);
}

}  // namespace ting::test_support
