#pragma once
// Internal: an election reduced to what the rules need. Identical ballots are collapsed into
// groups with a weight (how many voters cast it); each project lists its supporting groups with
// the satisfaction they get from it under the chosen utility.

#include <cstdint>
#include <vector>

#include "ting/pb/count.h"
#include "ting/pb/election.h"

namespace ting::pb::internal {

struct Supporter {
  int32_t group;
  int64_t sat;  // > 0
};

struct Profile {
  int64_t num_voters = 0;  // every ballot, empty ones included
  int num_projects = 0;
  std::vector<int64_t> cost;
  int64_t budget = 0;
  std::vector<int64_t> weight;                    // per group
  std::vector<std::vector<Supporter>> supporters;  // per project, groups in ascending order
  std::vector<int64_t> votes;                     // per project: voters listing it
  std::vector<int64_t> score;                     // per project: total points (or votes)
  std::vector<int> tie_rank;                      // per project: 0 = wins every tie
  bool uniform_sat = true;  // each project gives all its supporters the same satisfaction
};

// Utility must be resolved (not kDefault).
Profile BuildProfile(const Election& election, Utility utility, TieBreak tie);

}  // namespace ting::pb::internal
