#pragma once
// Internal: the pool as LP/IP "agents" and an exact panel-pricing integer program (CBC).

#include <memory>
#include <optional>
#include <vector>

#include "ting/sortition/pool.h"

namespace ting::sortition {

// People that are interchangeable (same quota per feature, no housemates) form one agent with
// count = how many they are; each person with housemates is an agent of their own.
struct Agent {
  std::vector<int> quotas;  // per feature
  std::vector<int> people;  // indices into Pool::people, ascending
  int household = -1;
  int count() const { return static_cast<int>(people.size()); }
};

struct AgentModel {
  int panel_size = 0;
  std::vector<Agent> agents;
  std::vector<std::vector<int>> quota_agents;  // per quota: agents having it
  std::vector<std::vector<int>> households;    // agents per multi-person household
};

AgentModel BuildAgentModel(const Categories& categories, const Pool& pool, int panel_size);

// Quota bounds used by an IP: per quota [min, max].
struct QuotaBounds {
  std::vector<int> min, max;
};
QuotaBounds BoundsOf(const Categories& categories);

// Maximises sum_a weight[a] * y_a over integer y_a in [0, count_a] with sum y = panel size,
// quota bounds and at most one per household. Exact (CBC branch and bound).
class PanelIp {
 public:
  PanelIp(const AgentModel& model, const QuotaBounds& bounds);
  ~PanelIp();
  struct Solution {
    std::vector<int> counts;  // per agent
    double value = 0;
    double bound = 0;         // proven upper bound on the optimum (== value when optimal)
    // Other integer solutions branch and bound came across (at most max_alternatives), best
    // first: cheap extra columns for column generation.
    std::vector<std::vector<int>> alternatives;
  };
  // nullopt: infeasible. hint: a feasible counts vector to start from (may be empty).
  // certify_below: if the LP relaxation's optimum is at most this, no panel can beat it, so
  // branch and bound is skipped and the hint is returned with bound = that LP optimum.
  std::optional<Solution> Maximize(const std::vector<double>& weights, const std::vector<int>& hint = {},
                                   double certify_below = -1e300, int max_alternatives = 0);
  // Restricts the program to a face of the panel polytope: seats of agent a in
  // [agent_min[a], agent_max[a]], quota q in [quotas.min[q], quotas.max[q]], and household h
  // holding at least household_min[h] (and at most 1) seats.
  void SetBounds(const std::vector<int>& agent_min, const std::vector<int>& agent_max, const QuotaBounds& quotas,
                 const std::vector<int>& household_min);
  int solves() const { return solves_; }
  // Stop branch and bound once the best panel is within this fraction of the bound (default:
  // optimal to 1e-9). A looser gap suits callers that need a good panel, not the best.
  void set_relative_gap(double gap) { relative_gap_ = gap; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int solves_ = 0;
  double relative_gap_ = 1e-9;
};

}  // namespace ting::sortition
