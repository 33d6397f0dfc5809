#pragma once
// Selecting a citizens' assembly: a probability distribution over valid panels (every quota met,
// at most one person per household), each volunteer's selection probability, and the public
// draw of one panel from it with a published seed.
//
//  - kLeximin (default): maximises the smallest selection probability, then the next smallest,
//    and so on (Flanigan et al., Nature 596, 2021). Column generation: an LP over panels (CLP)
//    and an exact integer program (CBC) that prices the next panel.
//  - kMaximin: only the first step (the smallest probability maximised).
//  - kLegacy: the Sortition Foundation's original greedy draw (no distribution is computed;
//    probabilities are estimated by repeated draws).
//
// People who are interchangeable (same value of every feature, no housemate in the pool) get the
// same probability under LEXIMIN, so the LP works over such "types" with a count each, and the
// result is expanded to people exactly.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ting/base/result.h"
#include "ting/base/rng.h"
#include "ting/sortition/pool.h"

namespace ting::sortition {

enum class Algorithm { kLeximin, kMaximin, kLegacy };
const char* AlgorithmName(Algorithm a);

struct SelectionOptions {
  Algorithm algorithm = Algorithm::kLeximin;
  int panel_size = 0;
  // Column generation stops when the LP optimum over the panels found so far is within this of
  // the true optimum (absolute, in probability), at every LEXIMIN step.
  double gap_tolerance = 1e-6;
  // LEXIMIN/MAXIMIN: first compute the LEXIMIN point of the LP relaxation and write it as a
  // lottery over panels (exact and fast when the relaxation is tight, as on all shared data);
  // only if that fails, column generation. false: column generation only (for comparison).
  bool try_relaxation = true;
  // LEGACY only: draws used to estimate the selection probabilities.
  int legacy_estimation_runs = 1000;
  // Called now and then with a line of progress (for stderr); may be empty.
  std::function<void(const std::string&)> progress;
};

struct WeightedPanel {
  double p = 0;
  std::vector<int> members;  // indices into Pool::people, ascending
};

struct Selection {
  Algorithm algorithm = Algorithm::kLeximin;
  std::vector<WeightedPanel> distribution;  // sorted by members; empty for kLegacy
  std::vector<double> probabilities;        // per person (estimated for kLegacy)
  double min_probability = 0;
  double final_gap = 0;        // largest optimality gap accepted at any LEXIMIN step
  int num_types = 0;           // LP agents: types of interchangeable people plus housemates
  int lp_solves = 0;
  int pricing_solves = 0;      // exact integer programs solved
  int leximin_steps = 0;
  // True when the LP relaxation's LEXIMIN point was written as a lottery of panels (then it is
  // the optimum, up to final_gap); false when column generation computed the result.
  bool via_relaxation = false;
  double seconds = 0;
};

// Computes the distribution (LEXIMIN/MAXIMIN) or estimates probabilities (LEGACY).
// Error::Infeasible when no panel meets the quotas (see FindRelaxation).
Result<Selection> Select(const Categories& categories, const Pool& pool, const SelectionOptions& options);

// Draws one panel. LEXIMIN/MAXIMIN: panel j of the distribution (in its sorted order) with
// probability w_j / W, where w_j = round(p_j * 1e9) and W their sum, via rng.Uniform(W) and the
// cumulative sums. LEGACY: the greedy draw itself. Returns person indices, ascending.
Result<std::vector<int>> DrawPanel(const Categories& categories, const Pool& pool, const SelectionOptions& options,
                                   const Selection& selection, DeterministicRng& rng);

// One run of the Sortition Foundation's greedy algorithm (LEGACY). May fail (Error::Infeasible)
// when it paints itself into a corner, as the original does.
Result<std::vector<int>> LegacyDraw(const Categories& categories, const Pool& pool, int panel_size,
                                    DeterministicRng& rng);

// True iff members is a valid panel: right size, distinct, all quotas, households.
bool IsValidPanel(const Categories& categories, const Pool& pool, int panel_size, const std::vector<int>& members);

// For infeasible quotas: which quotas conflict, and the smallest relaxation within
// min_flex/max_flex that admits a panel. "Smallest": minimises the sum over quotas of
// (1 + 2/min) * (min decrease) + (max increase), as sortition-algorithms does, so lowering an
// already low minimum counts more.
struct QuotaChange {
  int quota = 0;  // index into Categories::quotas
  int old_min = 0, old_max = 0, new_min = 0, new_max = 0;
};
struct Relaxation {
  std::vector<std::string> conflicts;  // human-readable reasons, each naming the quotas
  std::vector<int> conflicting_quotas; // quota indices named in conflicts
  std::vector<QuotaChange> changes;    // empty if no relaxation within the flex bounds exists
  bool relaxable = false;
  double cost = 0;
};
Result<Relaxation> FindRelaxation(const Categories& categories, const Pool& pool, int panel_size);

}  // namespace ting::sortition
