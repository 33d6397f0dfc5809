#include "database.h"

#include <filesystem>
#include <iostream>

#include "components.h"
#include "ting/core/accounts.h"

namespace ting::app {

Result<std::unique_ptr<db::Database>> OpenDatabase(const std::string& path, bool print_migrations) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  TING_ASSIGN_OR_RETURN(auto db, db::OpenSqlite(path));
  TING_ASSIGN_OR_RETURN(int applied, db::Migrate(*db, AllMigrations()));
  if (print_migrations) std::cout << "migrated " << path << ": " << applied << " migration(s) applied\n";
  return db;
}

}  // namespace ting::app
