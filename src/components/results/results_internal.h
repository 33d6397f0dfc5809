#pragma once

#include <string>

#include "ting/components/results.h"
#include "ting/pb/election.h"

namespace ting::components {

// The election the counting engine sees for a budget (and the export writes).
// Ranking ballots are written as ordinal ballots.
pb::Election ToElection(const Process& process, const Budget& budget, const std::vector<Project>& projects,
                        const std::vector<StoredBallot>& ballots, const std::optional<BudgetResult>& result,
                        const std::string& anonymising_key);

}  // namespace ting::components
