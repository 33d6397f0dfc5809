#pragma once
// The one list of participatory components the platform runs.

#include <memory>
#include <vector>

#include "ting/components/component.h"

namespace ting::app {

std::vector<std::unique_ptr<components::Component>> AllComponents();

}  // namespace ting::app
