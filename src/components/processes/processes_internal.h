#pragma once
// Inside the processes component.

#include <vector>

#include "ting/components/processes.h"

namespace ting::components {

std::vector<db::Migration> ProcessesMigrations();

}  // namespace ting::components
