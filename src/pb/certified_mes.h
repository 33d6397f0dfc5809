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

  bool usable() const { return usable_; }

 private:
  struct Entry {
    int32_t group;
    int64_t weight;
    int64_t sigma;  // satisfaction / unit_[project]
  };
  // Price per unit of sigma as the exact fraction num/den of fixed-point money.
  struct Price {
    __int128 num = 0;
    int64_t den = 1;
  };
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
  std::vector<char> uniform_sigma_;          // per project: every entry has sigma 1
  std::vector<int> next_duplicate_;          // same cost and supporters, next in tie order
  std::vector<char> is_representative_;
  std::vector<int64_t> lo_, hi_;             // per group, fixed point
  std::vector<char> poor_;
  int shift_ = 0;
};

}  // namespace ting::pb::internal
