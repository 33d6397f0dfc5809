#pragma once
// Inside the processes component.

#include <vector>

#include "ting/components/processes.h"

namespace ting::components {

std::vector<db::Migration> ProcessesMigrations();
// The demo's two processes (seed.cc).
Status SeedProcesses(web::Demo& demo);

}  // namespace ting::components
