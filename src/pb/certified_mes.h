#pragma once
// Internal: a fast Method of Equal Shares that is still exact. Budgets are held as fixed-point
// integers bracketing the true rational values from below and above, for a whole range of
// per-voter budgets [b_lo, b_hi] at once. Each decision (which project is cheapest, whether it
// is affordable) is taken only when it holds for every budget in the brackets; otherwise the run
// reports that it could not decide, and the caller narrows the range or falls back to the
// rational engine (mes.h). So a successful run returns exactly the outcome MES gives for every
// per-voter budget in [b_lo, b_hi]: that is what lets add1 skip many increments at once.

#include <gmpxx.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "profile.h"

namespace ting::pb::internal {

class CertifiedMes {
 public:
  explicit CertifiedMes(const Profile& profile);

  // The selection (free projects first, then in buying order) that MES makes for every
  // per-voter budget in [b_lo, b_hi] (money units of the profile), or nullopt when the run
  // cannot certify one outcome for the whole range.
  std::optional<std::vector<int>> Run(const mpq_class& b_lo, const mpq_class& b_hi);

  // Every selection MES can make for a per-voter budget in [b_lo, b_hi]: where a decision is
  // not the same for the whole range, both ways are followed, so the outcome for each budget in
  // the range is one of those returned (some may belong to no budget). nullopt when more than
  // max_outcomes would be needed. add1 only needs to know that none of them stops it.
  // *single_path tells whether no decision differed (then the one outcome is exact, order
  // included; otherwise outcomes that funded the same set were merged).
  std::optional<std::vector<std::vector<int>>> Outcomes(const mpq_class& b_lo, const mpq_class& b_hi,
                                                        size_t max_outcomes, bool* single_path = nullptr);

  bool usable() const { return usable_; }

 private:
  struct Entry {  // 12 bytes: the hot loop streams these
    int32_t group;
    int32_t weight;
    int32_t sigma;  // satisfaction / unit_[project]
  };
  // Price per unit of sigma as the exact fraction num/den of fixed-point money.
  struct Price {
    __int128 num = 0;
    int64_t den = 1;
  };
  struct State {
    std::vector<int64_t> lo, hi;  // per group, fixed point
    std::vector<int> candidates;
    std::vector<Price> stale;     // per project: a lower bound of its current price
    std::vector<int> selected;
    int64_t spread = 0;           // max over groups of hi - lo
    size_t unsorted = 0;          // candidates[0, unsorted) may be out of price order
  };
  struct Choice {
    int project;
    bool surely_affordable;
    Price low, high;
  };
  // Runs MES rounds from `state`, branching where the range disagrees; appends outcomes.
  bool Explore(State& state, std::vector<std::vector<int>>* outcomes, size_t max_outcomes,
               bool* single_path);
  // One round: the projects that can win it for some budget in range (the surest first), and
  // whether the run can end here.
  bool Round(State& state, std::vector<Choice>* winners, bool* may_end);
  void Merge(State& into, const State& other) const;
  void Buy(State& state, int j, bool surely_affordable, const Price& low, const Price& high);
  // Evaluates project j on one budget vector; false if it is unaffordable there.
  bool Evaluate(int j, const std::vector<int64_t>& budget, Price* price);
  // Compares rho = price/unit for two projects: <0, 0, >0.
  int CompareRho(const Price& a, int ja, const Price& b, int jb) const;

  const Profile& p_;
  bool usable_ = true;
  std::vector<int> eligible_, free_;
  std::vector<std::vector<Entry>> entries_;  // per project
  std::vector<int64_t> unit_;                // per project
  std::vector<int64_t> sigma_total_;         // per project
  std::vector<int64_t> weight_total_;        // per project: voters supporting it
  std::vector<char> uniform_sigma_;          // per project: every entry has sigma 1
  std::vector<int> next_duplicate_;          // same cost and supporters, next in tie order
  std::vector<char> is_representative_;
  std::vector<char> poor_;
  std::vector<int32_t> near_;
  std::vector<size_t> all_;
  std::vector<Choice> seen_;
  int shift_ = 0;
};

}  // namespace ting::pb::internal
