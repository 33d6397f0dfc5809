#pragma once
// Demo content for `ting demo` and `make run`.

#include <string>
#include <vector>

#include "ting/base/result.h"
#include "ting/db/database.h"

namespace ting::app {

struct DemoAccount {
  std::string role, email, password;
};

// REQUIRES: a migrated database. Error kAlreadyExists when it already holds the demo.
Result<std::vector<DemoAccount>> FillDemo(db::Database& db);

}  // namespace ting::app
