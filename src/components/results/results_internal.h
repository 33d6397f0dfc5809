#pragma once

#include <string>

#include "ting/components/results.h"
#include "ting/pb/count.h"
#include "ting/pb/election.h"

namespace ting::components {

// The election the counting engine sees for a budget (and the export writes).
// Ranking ballots are written as ordinal ballots.
pb::Election ToElection(const Process& process, const Budget& budget, const std::vector<Project>& projects,
                        const std::vector<StoredBallot>& ballots, const std::optional<BudgetResult>& result,
                        const std::string& anonymising_key);

// The engine options a budget is counted with: greedy, or Equal Shares with add1 (cost
// utility; points for cumulative ballots), ties by id, explained.
pb::CountOptions CountOptionsFor(const Budget& budget);

// CountBudget with other engine options (tests count completions the platform does not use).
Result<BudgetResult> CountBudgetWith(const Budget& budget, const std::vector<Project>& projects,
                                     const std::vector<StoredBallot>& ballots, const pb::CountOptions& options);

}  // namespace ting::components
