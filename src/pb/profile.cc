#include "profile.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ting::pb::internal {

Profile BuildProfile(const Election& e, Utility utility, TieBreak tie) {
  Profile p;
  const int m = static_cast<int>(e.projects.size());
  p.num_projects = m;
  p.num_voters = static_cast<int64_t>(e.NumVoters());
  p.budget = e.budget;
  p.cost.resize(m);
  for (int j = 0; j < m; ++j) p.cost[j] = e.projects[j].cost;
  p.votes.assign(m, 0);
  p.score.assign(m, 0);
  p.supporters.assign(m, {});

  // Collapse identical ballots: an open-addressing table keyed by a hash of the sorted
  // (project, points) list; groups keep their items in one flat array.
  const bool has_points = e.HasPoints();
  std::vector<std::pair<int32_t, int64_t>> flat;      // items of every group
  std::vector<uint32_t> group_start = {0};
  std::vector<uint64_t> group_hash;
  size_t slots = 16;
  while (slots < 2 * e.NumVoters() + 16) slots *= 2;
  std::vector<int32_t> table(slots, -1);
  std::vector<std::pair<int32_t, int64_t>> items;
  // Ballots are sets: the hash is order-independent (a sum of per-item hashes) and equality is
  // checked against a per-project stamp of the current ballot, so nothing is sorted.
  std::vector<uint32_t> stamp(m, 0);
  std::vector<int64_t> stamped_points(m, 0);
  for (size_t v = 0; v < e.NumVoters(); ++v) {
    items.clear();
    const uint32_t mark = static_cast<uint32_t>(v) + 1;
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (uint32_t k = e.ballot_offsets[v]; k < e.ballot_offsets[v + 1]; ++k) {
      const int32_t j = e.ballot_projects[k];
      const int64_t pts = has_points ? e.ballot_points[k] : 1;
      items.emplace_back(j, pts);
      stamp[j] = mark;
      stamped_points[j] = pts;
      uint64_t x = (static_cast<uint64_t>(j) << 32) ^ static_cast<uint64_t>(pts) ^ 0x5851f42d4c957f2dULL;
      x ^= x >> 31;
      x *= 0xbf58476d1ce4e5b9ULL;
      x ^= x >> 29;
      x *= 0x94d049bb133111ebULL;
      x ^= x >> 32;
      h += x;
    }
    if (items.empty()) continue;  // counts in num_voters, supports nothing
    h ^= items.size();
    size_t slot = h & (slots - 1);
    while (true) {
      int32_t g = table[slot];
      if (g < 0) {
        g = static_cast<int32_t>(group_hash.size());
        table[slot] = g;
        group_hash.push_back(h);
        flat.insert(flat.end(), items.begin(), items.end());
        group_start.push_back(static_cast<uint32_t>(flat.size()));
        p.weight.push_back(1);
        break;
      }
      if (group_hash[g] == h && group_start[g + 1] - group_start[g] == items.size() &&
          std::all_of(flat.begin() + group_start[g], flat.begin() + group_start[g + 1], [&](const auto& item) {
            return stamp[item.first] == mark && stamped_points[item.first] == item.second;
          })) {
        ++p.weight[g];
        break;
      }
      slot = (slot + 1) & (slots - 1);
    }
  }
  std::vector<size_t> support_count(m, 0);
  for (const auto& item : flat) ++support_count[item.first];
  for (int j = 0; j < m; ++j) p.supporters[j].reserve(support_count[j]);
  for (size_t g = 0; g + 1 < group_start.size(); ++g) {
    for (uint32_t k = group_start[g]; k < group_start[g + 1]; ++k) {
      const auto [j, pts] = flat[k];
      p.votes[j] += p.weight[g];
      p.score[j] += p.weight[g] * pts;
      int64_t sat = 0;
      switch (utility) {
        case Utility::kCost: sat = p.cost[j]; break;
        case Utility::kApproval: sat = 1; break;
        case Utility::kPoints: sat = pts; p.uniform_sat = false; break;
        case Utility::kDefault: sat = 1; break;
      }
      // Cost utility on a free project gives nothing (pabutools: sat = cost = 0).
      if (sat > 0) p.supporters[j].push_back({static_cast<int32_t>(g), sat});
    }
  }
  std::vector<int> order(m);
  std::iota(order.begin(), order.end(), 0);
  if (tie == TieBreak::kId) {
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return e.projects[a].id < e.projects[b].id; });
  } else {
    std::sort(order.begin(), order.end(), [&](int a, int b) {
      if (p.cost[a] != p.cost[b]) return p.cost[a] < p.cost[b];
      if (p.score[a] != p.score[b]) return p.score[a] > p.score[b];
      return e.projects[a].id < e.projects[b].id;
    });
  }
  p.tie_rank.resize(m);
  for (int r = 0; r < m; ++r) p.tie_rank[order[r]] = r;
  return p;
}

}  // namespace ting::pb::internal
