#pragma once
// Proposals: residents' ideas, their review, and the projects they become. Other components
// (voting, results, follow-up) see proposals only through this header.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ting/base/result.h"
#include "ting/web/component.h"
#include "ting/db/database.h"

namespace ting::components {

// submitted: waiting for review; revision: the reviewer asked the proposer to revise;
// feasible / infeasible: reviewed; merged: folded into another proposal (merged_into);
// withdrawn: by its proposer.
enum class ProposalStatus { kSubmitted, kRevision, kFeasible, kInfeasible, kMerged, kWithdrawn };
const char* ProposalStatusName(ProposalStatus s);
std::optional<ProposalStatus> ParseProposalStatus(std::string_view name);

// A project on a budget's ballot: a feasible proposal that the manager has not taken off the
// shortlist. It keeps its proposal's id, so ballots, results and exports use the same ids.
struct Project {
  int64_t id = 0;
  int64_t budget_id = 0;
  std::string title;
  std::string category;
  int64_t cost = 0;  // minor units: the reviewer's estimate when there is one, else the proposer's
};

// Projects on the ballot of a budget, in id order. Usable inside a Write (ballot validation).
Result<std::vector<Project>> BallotProjects(db::Connection& c, int64_t budget_id);
Result<std::vector<Project>> BallotProjects(db::Database& db, int64_t budget_id);

// Once voting has opened, a budget's ballot (its projects and their costs) is frozen like its
// rules. The one change allowed is a manager taking a project off the ballot with a public
// reason; each such change is recorded here, and the count reports what it did to ballots.
struct BallotChange {
  int64_t id = 0;
  int64_t budget_id = 0;
  int64_t proposal_id = 0;
  std::string title;    // the project's title
  std::string reason;   // public
  int64_t actor_id = 0;
  int64_t created_at = 0;
};
// The changes made to a budget's ballot after voting opened, oldest first.
Result<std::vector<BallotChange>> BallotChanges(db::Connection& c, int64_t budget_id);
Result<std::vector<BallotChange>> BallotChanges(db::Database& db, int64_t budget_id);

web::Manifest ProposalsManifest();

}  // namespace ting::components
