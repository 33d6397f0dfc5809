#pragma once
// Internal: greedy by satisfaction per unit of cost, and sequential Phragmén (pabutools 1.2.3).

#include <cstdint>
#include <optional>
#include <vector>

#include <gmpxx.h>

#include "profile.h"

namespace ting::pb::internal {

struct GreedyStep {
  int project = 0;
  int64_t money_left = 0;  // before the project was considered
  bool selected = false;
};

// Greedy completion of `initial` (already bought, in order). Projects are considered by
// density (votes, or total points for the points utility) descending, then tie rank; one is
// bought when it fits in what is left. Free supported projects come first.
// `density_by_points`: use total points instead of the number of supporters.
std::vector<GreedyStep> Greedy(const Profile& p, const std::vector<int>& initial,
                               bool density_by_points);

struct PhragmenRun {
  std::vector<int> selected;          // in selection order
  std::vector<mpq_class> load;        // per project: the voters' load after buying it
  int stopped_at = -1;                // the project that would break the budget, if any
};

// Sequential Phragmén on the listing ("approval") relation. Stops at the first round whose
// best project(s) do not fit, as pabutools does.
PhragmenRun Phragmen(const Profile& p);

// The same rule with loads held as fixed-point brackets and every comparison certified on
// them; nullopt when some round cannot be decided that way (Phragmen() then decides it).
// `load` is not filled.
std::optional<PhragmenRun> PhragmenCertified(const Profile& p);

}  // namespace ting::pb::internal
