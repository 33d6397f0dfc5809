#pragma once
// Opening the platform's database: the one list of every library's and component's migrations.

#include <memory>
#include <string>

#include "ting/base/result.h"
#include "ting/db/database.h"

namespace ting::app {

std::vector<db::Migration> AllMigrations();

// Opens the SQLite file (creating its folder if needed) and brings the schema up to date.
Result<std::unique_ptr<db::Database>> OpenDatabase(const std::string& path, bool print_migrations = false);

}  // namespace ting::app
