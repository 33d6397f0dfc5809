#pragma once
// The registry: every component the platform runs, in the order they mount and seed.

#include <vector>

#include "ting/web/component.h"

namespace ting::components {

const std::vector<web::Manifest>& Registry();

}  // namespace ting::components
