#pragma once
// Tests only: small random elections for property tests of the counting engine, with many
// ties: equal costs, duplicate ballots, empty ballots, projects nobody supports, projects
// dearer than the budget, zero points. The same seed always gives the same election.

#include <random>
#include <string>
#include <vector>

#include "ting/pb/election.h"

namespace ting::pb::test_support {

struct RandomElectionOptions {
  bool cumulative = false;
  bool free_projects = false;  // also projects that cost nothing, and money in whole units or cents
};

inline Election RandomElection(uint32_t seed, RandomElectionOptions options) {
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Election e;
  e.vote_type = options.cumulative ? VoteType::kCumulative : VoteType::kApproval;
  if (options.free_projects) e.money_decimals = uniform(0, 1) * 2;
  const int m = uniform(2, 9);
  const int n = uniform(0, 30);
  e.budget = uniform(20, 200);
  const int cost_levels = uniform(1, 4);
  for (int j = 0; j < m; ++j) {
    Project p;
    p.id = std::string(1, static_cast<char>('a' + uniform(0, 25))) + std::to_string(j);
    auto ordinary = [&] { return 10 * uniform(1, cost_levels) + (uniform(0, 3) == 0 ? uniform(0, 9) : 0); };
    if (options.free_projects) {
      const int kind = uniform(0, 11);
      p.cost = kind == 0 ? uniform(201, 400) : kind == 1 ? 0 : ordinary();
    } else {
      p.cost = uniform(0, 9) == 0 ? uniform(201, 400) : ordinary();
    }
    e.projects.push_back(p);
  }
  std::vector<std::vector<int32_t>> pool;
  for (int v = 0; v < n; ++v) {
    std::vector<int32_t> ballot;
    if (!pool.empty() && uniform(0, 2) == 0) {
      ballot = pool[uniform(0, static_cast<int>(pool.size()) - 1)];
    } else {
      for (int j = 0; j < m; ++j) {
        if (uniform(0, 2) == 0) ballot.push_back(j);
      }
      pool.push_back(ballot);
    }
    std::vector<int64_t> points;
    for (size_t k = 0; k < ballot.size(); ++k) points.push_back(uniform(0, 4));
    e.AddBallot(ballot, points);
  }
  return e;
}

}  // namespace ting::pb::test_support
