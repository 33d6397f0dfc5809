// LEGACY: the Sortition Foundation's original greedy draw, written from its published
// description: repeatedly pick the quota value whose unmet minimum is largest relative to the
// people still available with it, draw one of those people uniformly, then remove the person,
// their housemates, and everyone whose value just reached its maximum. It fails when some
// minimum can no longer be met; the caller may retry.

#include <algorithm>

#include "ting/sortition/selection.h"

namespace ting::sortition {

Result<std::vector<int>> LegacyDraw(const Categories& categories, const Pool& pool, int panel_size,
                                    DeterministicRng& rng) {
  const int n = static_cast<int>(pool.people.size());
  const int num_quotas = static_cast<int>(categories.quotas.size());
  std::vector<bool> available(n, true);
  std::vector<int> avail(num_quotas, 0), selected_count(num_quotas, 0);
  std::vector<std::vector<int>> household_members(pool.num_households);
  for (int i = 0; i < n; ++i) {
    for (int q : pool.people[i].quota) ++avail[q];
    if (pool.people[i].household >= 0) household_members[pool.people[i].household].push_back(i);
  }
  auto remove = [&](int i) {
    if (!available[i]) return;
    available[i] = false;
    for (int q : pool.people[i].quota) --avail[q];
  };
  // A quota whose max is already 0 removes its people at the start.
  for (int q = 0; q < num_quotas; ++q) {
    if (categories.quotas[q].max == 0) {
      for (int i = 0; i < n; ++i)
        if (available[i] && std::count(pool.people[i].quota.begin(), pool.people[i].quota.end(), q)) remove(i);
    }
  }
  std::vector<int> panel;
  for (int step = 0; step < panel_size; ++step) {
    int best = -1;
    double best_ratio = -1;
    for (int q = 0; q < num_quotas; ++q) {
      if (avail[q] == 0 || categories.quotas[q].max == 0) continue;
      const int still_needed = std::max(0, categories.quotas[q].min - selected_count[q]);
      double ratio = static_cast<double>(still_needed) / avail[q];
      if (ratio > best_ratio) best_ratio = ratio, best = q;
    }
    if (best < 0 || best_ratio > 1.0) return Error::Infeasible("legacy draw: nobody left who fits the quotas");
    uint64_t pick = rng.Uniform(static_cast<uint64_t>(avail[best]));
    int chosen = -1;
    for (int i = 0; i < n; ++i) {
      if (!available[i]) continue;
      if (std::find(pool.people[i].quota.begin(), pool.people[i].quota.end(), best) == pool.people[i].quota.end())
        continue;
      if (pick == 0) {
        chosen = i;
        break;
      }
      --pick;
    }
    panel.push_back(chosen);
    remove(chosen);
    if (pool.people[chosen].household >= 0)
      for (int j : household_members[pool.people[chosen].household]) remove(j);
    for (int q : pool.people[chosen].quota) {
      if (++selected_count[q] == categories.quotas[q].max) {
        for (int i = 0; i < n; ++i) {
          if (available[i] &&
              std::find(pool.people[i].quota.begin(), pool.people[i].quota.end(), q) != pool.people[i].quota.end())
            remove(i);
        }
      }
    }
    for (int q = 0; q < num_quotas; ++q) {
      if (selected_count[q] + avail[q] < categories.quotas[q].min)
        return Error::Infeasible("legacy draw: not enough people left for '" + categories.quotas[q].value + "'");
    }
  }
  std::sort(panel.begin(), panel.end());
  if (!IsValidPanel(categories, pool, panel_size, panel)) {
    return Error::Infeasible("legacy draw ended with a panel that misses a quota");
  }
  return panel;
}

}  // namespace ting::sortition
