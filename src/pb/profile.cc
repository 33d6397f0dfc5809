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

  // Collapse identical ballots: the key is the sorted (project, points) list as bytes.
  std::unordered_map<std::string, int32_t> group_of;
  group_of.reserve(e.NumVoters());
  std::vector<std::vector<std::pair<int32_t, int64_t>>> group_items;
  std::vector<std::pair<int32_t, int64_t>> items;
  std::string key;
  const bool has_points = e.HasPoints();
  for (size_t v = 0; v < e.NumVoters(); ++v) {
    items.clear();
    for (uint32_t k = e.ballot_offsets[v]; k < e.ballot_offsets[v + 1]; ++k) {
      items.emplace_back(e.ballot_projects[k], has_points ? e.ballot_points[k] : 1);
    }
    if (items.empty()) continue;  // counts in num_voters, supports nothing
    std::sort(items.begin(), items.end());
    key.assign(reinterpret_cast<const char*>(items.data()), items.size() * sizeof(items[0]));
    auto [it, inserted] = group_of.emplace(key, static_cast<int32_t>(group_items.size()));
    if (inserted) {
      group_items.push_back(items);
      p.weight.push_back(0);
    }
    ++p.weight[it->second];
  }
  for (size_t g = 0; g < group_items.size(); ++g) {
    for (auto [j, pts] : group_items[g]) {
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
