#include "components.h"

#include "ting/components/processes.h"
#include "ting/components/proposals.h"
#include "ting/components/results.h"
#include "ting/components/voting.h"

namespace ting::app {

std::vector<std::unique_ptr<components::Component>> AllComponents() {
  std::vector<std::unique_ptr<components::Component>> all;
  all.push_back(components::MakeProcessesComponent());
  all.push_back(components::MakeProposalsComponent());
  all.push_back(components::MakeVotingComponent());
  all.push_back(components::MakeResultsComponent());
  all.push_back(components::MakeFollowUpComponent());
  return all;
}

}  // namespace ting::app
