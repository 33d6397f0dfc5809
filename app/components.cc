#include "components.h"

#include "ting/components/processes.h"

namespace ting::app {

std::vector<std::unique_ptr<components::Component>> AllComponents() {
  std::vector<std::unique_ptr<components::Component>> all;
  all.push_back(components::MakeProcessesComponent());
  return all;
}

}  // namespace ting::app
