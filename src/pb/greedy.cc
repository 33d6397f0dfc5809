#include "greedy.h"

#include <algorithm>
#include <map>

namespace ting::pb::internal {

std::vector<GreedyStep> Greedy(const Profile& p, const std::vector<int>& initial,
                               bool density_by_points) {
  const int m = p.num_projects;
  std::vector<char> taken(m, 0);
  int64_t spent = 0;
  for (int j : initial) {
    taken[j] = 1;
    spent += p.cost[j];
  }
  std::vector<int> order;
  for (int j = 0; j < m; ++j) {
    if (!taken[j]) order.push_back(j);
  }
  const auto& sat = density_by_points ? p.score : p.votes;
  // Density is total satisfaction / cost; for cost utility that is the number of supporters
  // (the cost cancels), for points the total points. Free supported projects are infinitely
  // dense; unsupported ones have density 0 whatever they cost.
  auto tier = [&](int j) { return sat[j] > 0 && p.cost[j] == 0 ? 1 : 0; };
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    if (tier(a) != tier(b)) return tier(a) > tier(b);
    if (sat[a] != sat[b]) return sat[a] > sat[b];
    return p.tie_rank[a] < p.tie_rank[b];
  });
  std::vector<GreedyStep> steps;
  int64_t left = p.budget - spent;
  for (int j : order) {
    GreedyStep s;
    s.project = j;
    s.money_left = left;
    if (p.cost[j] <= left) {
      s.selected = true;
      left -= p.cost[j];
    }
    steps.push_back(s);
  }
  return steps;
}

PhragmenRun Phragmen(const Profile& p) {
  const int m = p.num_projects;
  PhragmenRun run;
  run.load.assign(m, 0);
  std::vector<int> remaining;
  for (int j = 0; j < m; ++j) {
    if (p.cost[j] <= p.budget) remaining.push_back(j);
  }
  // Each group's load is the load set by the last bought project it supports. load_sum[j] is
  // the supporters' total load, kept up to date as groups move to a new load.
  const size_t groups = p.weight.size();
  std::vector<int> last_round(groups, -1);
  std::vector<std::vector<int32_t>> ballot(groups);
  for (int j = 0; j < m; ++j) {
    for (const auto& s : p.supporters[j]) ballot[s.group].push_back(j);
  }
  std::vector<mpq_class> load_sum(m, 0);
  std::vector<mpq_class> round_load;
  std::vector<int64_t> moved_in(m, 0);
  std::vector<std::vector<int64_t>> moved_out(m);
  std::vector<int> touched;
  int64_t spent = 0;
  mpq_class value, best;
  std::vector<int> tied;
  while (!remaining.empty()) {
    bool best_infinite = true;
    tied.clear();
    for (int j : remaining) {
      if (p.votes[j] == 0) {
        if (best_infinite) tied.push_back(j);
        continue;
      }
      value = (load_sum[j] + p.cost[j]) / static_cast<long>(p.votes[j]);
      if (best_infinite || value < best) {
        best_infinite = false;
        best = value;
        tied.assign(1, j);
      } else if (value == best) {
        tied.push_back(j);
      }
    }
    for (int j : tied) {
      if (spent + p.cost[j] > p.budget) {
        run.stopped_at = j;
        return run;
      }
    }
    int chosen = *std::min_element(tied.begin(), tied.end(), [&](int a, int b) {
      return p.tie_rank[a] < p.tie_rank[b];
    });
    const int r = static_cast<int>(round_load.size());
    round_load.push_back(best_infinite ? mpq_class(0) : best);
    const mpq_class& t = round_load.back();
    touched.clear();
    for (const auto& s : p.supporters[chosen]) {
      const int old = last_round[s.group];
      const int64_t w = p.weight[s.group];
      for (int k : ballot[s.group]) {
        if (moved_in[k] == 0) touched.push_back(k);
        moved_in[k] += w;
        if (old >= 0) {
          auto& out = moved_out[k];
          if (out.size() < round_load.size()) out.resize(round_load.size(), 0);
          out[old] += w;
        }
      }
      last_round[s.group] = r;
    }
    for (int k : touched) {
      load_sum[k] += t * static_cast<long>(moved_in[k]);
      moved_in[k] = 0;
      auto& out = moved_out[k];
      for (size_t o = 0; o < out.size(); ++o) {
        if (out[o]) {
          load_sum[k] -= round_load[o] * static_cast<long>(out[o]);
          out[o] = 0;
        }
      }
    }
    run.load[chosen] = t;
    run.selected.push_back(chosen);
    spent += p.cost[chosen];
    remaining.erase(std::find(remaining.begin(), remaining.end(), chosen));
  }
  return run;
}

std::optional<PhragmenRun> PhragmenCertified(const Profile& p) {
  constexpr int kShift = 40;
  const int m = p.num_projects;
  if (p.budget > (int64_t{1} << 50)) return std::nullopt;
  PhragmenRun run;
  std::vector<int> remaining;
  for (int j = 0; j < m; ++j) {
    if (p.cost[j] <= p.budget) remaining.push_back(j);
  }
  // Projects with the same cost and supporters always have the same load value.
  std::vector<int> twin_class(m);
  {
    std::map<std::pair<int64_t, std::vector<int32_t>>, int> classes;
    for (int j = 0; j < m; ++j) {
      std::vector<int32_t> key;
      for (const auto& s : p.supporters[j]) key.push_back(s.group);
      twin_class[j] = classes.emplace(std::make_pair(p.cost[j], std::move(key)), j).first->second;
    }
  }
  const size_t groups = p.weight.size();
  std::vector<int> last_round(groups, -1);
  std::vector<std::vector<int32_t>> ballot(groups);
  for (int j = 0; j < m; ++j) {
    for (const auto& s : p.supporters[j]) ballot[s.group].push_back(j);
  }
  // Supporters' total load per project, bracketed: sum of weight * round load (fixed point).
  std::vector<__int128> sum_lo(m, 0), sum_hi(m, 0);
  std::vector<__int128> round_lo, round_hi;
  int64_t spent = 0;
  // value = (cost + load sum) / votes, compared exactly as fractions.
  auto less = [&](__int128 a, int64_t a_den, __int128 b, int64_t b_den) { return a * b_den < b * a_den; };
  auto equal = [&](__int128 a, int64_t a_den, __int128 b, int64_t b_den) { return a * b_den == b * a_den; };
  std::vector<int> tied;
  while (!remaining.empty()) {
    int best = -1;
    for (int j : remaining) {
      if (p.votes[j] == 0) continue;
      __int128 hi = (static_cast<__int128>(p.cost[j]) << kShift) + sum_hi[j];
      __int128 best_hi = best < 0 ? 0 : (static_cast<__int128>(p.cost[best]) << kShift) + sum_hi[best];
      if (best < 0 || less(hi, p.votes[j], best_hi, p.votes[best]) ||
          (equal(hi, p.votes[j], best_hi, p.votes[best]) && p.tie_rank[j] < p.tie_rank[best])) {
        best = j;
      }
    }
    tied.clear();
    if (best < 0) {
      for (int j : remaining) tied.push_back(j);  // only unsupported projects are left
    } else {
      const __int128 w_hi = (static_cast<__int128>(p.cost[best]) << kShift) + sum_hi[best];
      const bool w_exact = sum_lo[best] == sum_hi[best];
      for (int j : remaining) {
        if (p.votes[j] == 0) continue;
        if (j == best || twin_class[j] == twin_class[best]) {
          tied.push_back(j);
          continue;
        }
        const __int128 o_lo = (static_cast<__int128>(p.cost[j]) << kShift) + sum_lo[j];
        if (less(w_hi, p.votes[best], o_lo, p.votes[j])) continue;  // surely dearer
        const bool o_exact = sum_lo[j] == sum_hi[j];
        if (w_exact && o_exact && equal(w_hi, p.votes[best], o_lo, p.votes[j])) {
          tied.push_back(j);  // exactly tied
          continue;
        }
        return std::nullopt;  // the brackets overlap: cannot tell
      }
    }
    for (int j : tied) {
      if (spent + p.cost[j] > p.budget) {
        run.stopped_at = j;
        return run;
      }
    }
    int chosen = *std::min_element(tied.begin(), tied.end(), [&](int a, int b) {
      return p.tie_rank[a] < p.tie_rank[b];
    });
    __int128 t_lo = 0, t_hi = 0;
    if (p.votes[chosen] > 0) {
      const __int128 lo = (static_cast<__int128>(p.cost[chosen]) << kShift) + sum_lo[chosen];
      const __int128 hi = (static_cast<__int128>(p.cost[chosen]) << kShift) + sum_hi[chosen];
      t_lo = lo / p.votes[chosen];
      t_hi = (hi + p.votes[chosen] - 1) / p.votes[chosen];
    }
    const int r = static_cast<int>(round_lo.size());
    round_lo.push_back(t_lo);
    round_hi.push_back(t_hi);
    for (const auto& s : p.supporters[chosen]) {
      const int old = last_round[s.group];
      const __int128 w = p.weight[s.group];
      const __int128 d_lo = t_lo - (old >= 0 ? round_lo[old] : 0);
      const __int128 d_hi = t_hi - (old >= 0 ? round_hi[old] : 0);
      for (int k : ballot[s.group]) {
        sum_lo[k] += w * d_lo;
        sum_hi[k] += w * d_hi;
      }
      last_round[s.group] = r;
    }
    run.selected.push_back(chosen);
    spent += p.cost[chosen];
    remaining.erase(std::find(remaining.begin(), remaining.end(), chosen));
  }
  return run;
}

}  // namespace ting::pb::internal
