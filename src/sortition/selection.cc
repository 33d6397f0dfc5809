#include "ting/sortition/selection.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>

#include "ClpSimplex.hpp"
#include "model.h"
#include "relaxed.h"

namespace ting::sortition {
namespace {

std::string Format(const char* fmt, double a, double b = 0, double c = 0, double d = 0) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, a, b, c, d);
  return buf;
}

// The LP master over panels (columns): maximise z subject to
//   sum_P q_P * y_a(P)/c_a >= z      for agents a not yet fixed
//   sum_P q_P * y_a(P)/c_a >= f_a    for fixed agents
//   sum_P q_P = 1,  q >= 0.
// Solved as "minimise -z" with CLP; duals give the pricing weights.
class Master {
 public:
  explicit Master(const AgentModel& model) : model_(model), num_agents_(static_cast<int>(model.agents.size())) {
    lp_.setLogLevel(0);
    lp_.resize(num_agents_ + 1, 0);
    for (int a = 0; a < num_agents_; ++a) lp_.setRowBounds(a, 0.0, COIN_DBL_MAX);
    lp_.setRowBounds(num_agents_, 1.0, 1.0);
    std::vector<int> rows(num_agents_);
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<double> coef(num_agents_, -1.0);
    lp_.addColumn(num_agents_, rows.data(), coef.data(), -COIN_DBL_MAX, COIN_DBL_MAX, -1.0);
    fixed_.assign(num_agents_, false);
  }

  void AddPanel(const Counts& counts) {
    std::vector<int> rows;
    std::vector<double> coef;
    for (int a = 0; a < num_agents_; ++a) {
      if (counts[a]) {
        rows.push_back(a);
        coef.push_back(static_cast<double>(counts[a]) / model_.agents[a].count());
      }
    }
    rows.push_back(num_agents_);
    coef.push_back(1.0);
    lp_.addColumn(static_cast<int>(rows.size()), rows.data(), coef.data(), 0.0, COIN_DBL_MAX, 0.0);
    panels_.push_back(counts);
  }

  void Fix(int agent, double value) {
    fixed_[agent] = true;
    lp_.modifyCoefficient(agent, 0, 0.0, false);
    lp_.setRowBounds(agent, std::max(0.0, value), COIN_DBL_MAX);
  }

  // Returns false if CLP failed.
  bool Solve() {
    ++solves_;
    auto t0 = std::chrono::steady_clock::now();
    lp_.primal();
    lp_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (lp_.status() != 0) {
      ++fallbacks;
      lp_.allSlackBasis(true);
      lp_.primal();
      if (lp_.status() != 0) {
        return false;
      }
    }
    return true;
  }

  // Drops panels that are unused and far from useful (reduced cost above threshold) when the LP
  // has grown past limit columns, so re-solves stay fast. REQUIRES: a fresh solution.
  void Prune(size_t limit, double threshold) {
    if (panels_.size() <= limit) return;
    const double* x = lp_.primalColumnSolution();
    const double* dj = lp_.dualColumnSolution();
    std::vector<int> drop;
    std::vector<Counts> keep;
    for (size_t j = 0; j < panels_.size(); ++j) {
      if (x[j + 1] <= 1e-12 && dj[j + 1] > threshold && lp_.getColumnStatus(static_cast<int>(j + 1)) != ClpSimplex::basic) {
        drop.push_back(static_cast<int>(j + 1));
      } else {
        keep.push_back(std::move(panels_[j]));
      }
    }
    if (drop.empty()) return;
    lp_.deleteColumns(static_cast<int>(drop.size()), drop.data());
    panels_ = std::move(keep);
  }

  double z() const { return lp_.primalColumnSolution()[0]; }
  // Dual weights y_a >= 0 of agent rows, and mu of the sum row.
  double AgentDual(int a) const { return std::max(0.0, lp_.dualRowSolution()[a]); }
  double SumDual() const { return lp_.dualRowSolution()[num_agents_]; }
  double FixedDualTerm() const {
    double s = 0;
    for (int a = 0; a < num_agents_; ++a)
      if (fixed_[a]) s += AgentDual(a) * lp_.getRowLower()[a];
    return s;
  }
  bool fixed(int a) const { return fixed_[a]; }
  const std::vector<Counts>& panels() const { return panels_; }
  double Weight(size_t panel) const { return lp_.primalColumnSolution()[panel + 1]; }
  int solves() const { return solves_; }
  double lp_seconds = 0;
  int fallbacks = 0;

 private:
  const AgentModel& model_;
  int num_agents_;
  ClpSimplex lp_;
  std::vector<bool> fixed_;
  std::vector<Counts> panels_;
  int solves_ = 0;
};

double PanelValue(const Counts& c, const std::vector<double>& w) {
  double v = 0;
  for (size_t a = 0; a < c.size(); ++a) v += w[a] * c[a];
  return v;
}

// Improves a valid panel for the given weights by moving one person at a time from one agent to
// another (best move first) while every quota and household stays satisfied. A cheap way to
// find new columns; the exact integer program is only needed when this finds nothing.
Counts LocalSearch(const AgentModel& model, const QuotaBounds& bounds, Counts counts, const std::vector<double>& w) {
  const int n = static_cast<int>(model.agents.size());
  std::vector<int> quota_count(bounds.min.size(), 0);
  std::vector<int> household_count(model.households.size(), 0);
  std::vector<int> household_of(n, -1);
  for (size_t h = 0; h < model.households.size(); ++h)
    for (int a : model.households[h]) household_of[a] = static_cast<int>(h);
  for (int a = 0; a < n; ++a) {
    for (int q : model.agents[a].quotas) quota_count[q] += counts[a];
    if (household_of[a] >= 0) household_count[household_of[a]] += counts[a];
  }
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return w[a] > w[b]; });
  for (int round = 0; round < 4 * model.panel_size; ++round) {
    double best_gain = 1e-12;
    int best_out = -1, best_in = -1;
    for (int out = 0; out < n; ++out) {
      if (!counts[out]) continue;
      const auto& qo = model.agents[out].quotas;
      bool can_leave = true;  // checked per feature below, against the incoming agent
      (void)can_leave;
      for (int in : order) {
        if (w[in] - w[out] <= best_gain) break;  // sorted: no better move for this out
        if (in == out || counts[in] >= model.agents[in].count()) continue;
        const int h = household_of[in];
        if (h >= 0 && household_count[h] - (household_of[out] == h ? 1 : 0) >= 1) continue;
        const auto& qi = model.agents[in].quotas;
        bool ok = true;
        for (size_t f = 0; f < qi.size() && ok; ++f) {
          if (qi[f] == qo[f]) continue;
          ok = quota_count[qo[f]] - 1 >= bounds.min[qo[f]] && quota_count[qi[f]] + 1 <= bounds.max[qi[f]];
        }
        if (ok) {
          best_gain = w[in] - w[out];
          best_out = out;
          best_in = in;
          break;
        }
      }
    }
    if (best_out < 0) break;
    --counts[best_out];
    ++counts[best_in];
    for (int q : model.agents[best_out].quotas) --quota_count[q];
    for (int q : model.agents[best_in].quotas) ++quota_count[q];
    if (household_of[best_out] >= 0) --household_count[household_of[best_out]];
    if (household_of[best_in] >= 0) ++household_count[household_of[best_in]];
  }
  return counts;
}

int Gcd(int a, int b) { return b == 0 ? a : Gcd(b, a % b); }

// Expands a distribution over agent-count panels to one over people, exactly preserving each
// person's probability: within an agent of count c with y on the panel, the y-windows starting
// at 0, y, 2y, ... (mod c) cover every member equally often (c/g windows, g = gcd(y, c)).
// The windows of different agents are coupled by quantiles: a point u in [0, 1) picks window
// floor(u * m_a) of each agent; the breakpoints cut [0, 1) into at most sum m_a pieces.
std::vector<WeightedPanel> ExpandToPeople(const AgentModel& model, const std::vector<Counts>& panels,
                                          const std::vector<double>& weights) {
  std::map<std::vector<int>, double> out;
  for (size_t j = 0; j < panels.size(); ++j) {
    if (weights[j] <= 0) continue;
    const Counts& counts = panels[j];
    std::vector<int> window_count(model.agents.size(), 1);
    std::vector<double> points = {0.0, 1.0};
    for (size_t a = 0; a < model.agents.size(); ++a) {
      const int c = model.agents[a].count(), y = counts[a];
      if (y == 0 || y == c) continue;
      const int m = c / Gcd(y, c);
      window_count[a] = m;
      for (int t = 1; t < m; ++t) points.push_back(static_cast<double>(t) / m);
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end(), [](double x, double y) { return std::fabs(x - y) < 1e-12; }),
                 points.end());
    for (size_t s = 0; s + 1 < points.size(); ++s) {
      const double lo = points[s], hi = points[s + 1], mid = (lo + hi) / 2;
      std::vector<int> members;
      for (size_t a = 0; a < model.agents.size(); ++a) {
        const auto& people = model.agents[a].people;
        const int c = static_cast<int>(people.size()), y = counts[a];
        if (y == 0) continue;
        const long long window = static_cast<long long>(mid * window_count[a]);
        const long long start = (window * y) % c;
        for (int t = 0; t < y; ++t) members.push_back(people[(start + t) % c]);
      }
      std::sort(members.begin(), members.end());
      out[members] += weights[j] * (hi - lo);
    }
  }
  std::vector<WeightedPanel> result;
  for (auto& [members, p] : out) result.push_back({p, members});
  return result;
}

void SetDistribution(const AgentModel& model, const Pool& pool, const std::vector<Counts>& panels,
                     const std::vector<double>& weights, Selection& sel) {
  sel.distribution = ExpandToPeople(model, panels, weights);
  sel.probabilities.assign(pool.people.size(), 0.0);
  for (const auto& wp : sel.distribution)
    for (int i : wp.members) sel.probabilities[i] += wp.p;
  sel.min_probability = *std::min_element(sel.probabilities.begin(), sel.probabilities.end());
}

Result<Selection> SolveLeximin(const Categories& categories, const Pool& pool, const SelectionOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto progress = [&](const std::string& line) {
    if (options.progress) options.progress(Format("[%7.2fs] ", elapsed()) + line);
  };
  const AgentModel model = BuildAgentModel(categories, pool, options.panel_size);
  const int n = static_cast<int>(model.agents.size());
  const QuotaBounds bounds = BoundsOf(categories);
  PanelIp ip(model, bounds);
  Selection sel;
  sel.algorithm = options.algorithm;
  sel.num_types = n;
  progress(Format("%g people as %g LP agents (types of interchangeable people + housemates)",
                  pool.people.size(), n));

  // Feasibility, then an initial set of panels that covers every agent some panel can contain.
  auto first = ip.Maximize(std::vector<double>(n, 0.0));
  if (!first) return Error::Infeasible("no panel of size " + std::to_string(options.panel_size) + " meets all quotas");
  // The LEXIMIN point of the LP relaxation, written as a lottery over panels: when that works
  // (the relaxation is tight) it is the optimum and no column generation is needed.
  std::vector<Counts> seed_panels;
  auto relaxed = options.try_relaxation ? LeximinOverRelaxation(model, bounds)
                                        : Result<RelaxedLeximin>(Error::Invalid("not tried"));
  if (options.try_relaxation && !relaxed.ok()) {
    progress("the relaxation's LEXIMIN failed (" + relaxed.error().message + "): column generation");
  }
  if (relaxed.ok()) {
    sel.leximin_steps = relaxed->steps;
    sel.lp_solves = relaxed->steps;
    progress(Format("LEXIMIN over the LP relaxation: %g LPs, minimum %.6f", relaxed->steps,
                    *std::min_element(relaxed->level.begin(), relaxed->level.end())));
    Decomposition d = DecomposeTarget(model, bounds, relaxed->seats, progress);
    sel.lp_solves += d.lp_rounds;
    sel.pricing_solves += d.ip_solves;
    progress(Format("lottery over %g panels (%g by peeling), largest shortfall %.1e", d.panels.size(), d.peeled,
                    d.max_shortfall));
    if (d.max_shortfall <= options.gap_tolerance) {
      sel.final_gap = std::max({0.0, d.max_shortfall, relaxed->slack});
      sel.via_relaxation = true;
      SetDistribution(model, pool, d.panels, d.weights, sel);
      sel.seconds = elapsed();
      progress(Format("done: min probability %.6f, %g panels in the support, final gap %.1e", sel.min_probability,
                      sel.distribution.size(), sel.final_gap));
      return sel;
    }
    progress("the relaxation's LEXIMIN is not a lottery of panels: column generation from its panels");
    seed_panels = std::move(d.panels);
    sel.leximin_steps = 0;
  }
  Master master(model);
  master.AddPanel(first->counts);
  for (const auto& c : seed_panels)
    if (c != first->counts) master.AddPanel(c);
  std::vector<bool> covered(n, false);
  auto mark = [&](const Counts& c) {
    for (int a = 0; a < n; ++a)
      if (c[a]) covered[a] = true;
  };
  mark(first->counts);
  for (const auto& c : seed_panels) mark(c);
  while (true) {
    std::vector<double> w(n, 0.0);
    int uncovered = 0;
    for (int a = 0; a < n; ++a) {
      if (!covered[a]) {
        w[a] = 1.0 / model.agents[a].count();
        ++uncovered;
      }
    }
    if (!uncovered) break;
    Counts quick = LocalSearch(model, bounds, master.panels().back(), w);
    if (PanelValue(quick, w) > 1e-9) {
      master.AddPanel(quick);
      mark(quick);
      continue;
    }
    auto s = ip.Maximize(w);
    if (!s || s->value <= 1e-9) break;  // the rest can be on no panel: probability 0
    master.AddPanel(s->counts);
    mark(s->counts);
  }
  progress(Format("%g initial panels", master.panels().size()));

  std::vector<double> weights(n);
  int num_fixed = 0;
  while (num_fixed < n) {
    ++sel.leximin_steps;
    double z = 0, gap = 0;
    while (true) {
      if (!master.Solve()) return Error::Internal("the LP solver (CLP) failed on the master problem");
      z = master.z();
      const double mu = master.SumDual();
      master.Prune(3 * static_cast<size_t>(n) + 100, 1e-4);
      for (int a = 0; a < n; ++a) weights[a] = master.AgentDual(a) / model.agents[a].count();
      // Cheap columns first: local search from the best few existing panels; several new
      // panels per LP solve, since the (degenerate) LP re-solve is the expensive part.
      std::vector<std::pair<double, size_t>> ranked;
      for (size_t j = 0; j < master.panels().size(); ++j) ranked.push_back({PanelValue(master.panels()[j], weights), j});
      const size_t starts = std::min<size_t>(ranked.size(), 8);
      std::partial_sort(ranked.begin(), ranked.begin() + starts, ranked.end(), std::greater<>());
      const double best_value = ranked[0].first;
      Counts improved = master.panels()[ranked[0].second];
      std::set<Counts> added;
      for (size_t r = 0; r < starts; ++r) {
        Counts c = LocalSearch(model, bounds, master.panels()[ranked[r].second], weights);
        const double v = PanelValue(c, weights);
        // CLP's optimality tolerance is about 1e-7, so only a clear improvement counts; a move
        // that merely re-finds an existing panel does not.
        if (r == 0) improved = c;
        if (v > -mu + 1e-7 && v > ranked[r].first + 1e-9 && added.insert(c).second) master.AddPanel(c);
      }
      if (!added.empty()) {
        if (master.panels().size() / 200 != (master.panels().size() - added.size()) / 200) {
          progress(Format("  step %g: %g panels, LP value %.6f", sel.leximin_steps, master.panels().size(), z) +
                   Format(" lp %.2fs", master.lp_seconds));
        }
        continue;
      }
      (void)best_value;
      auto s = ip.Maximize(weights, improved, -mu + options.gap_tolerance);
      if (!s) return Error::Internal("pricing integer program failed");
      if (ip.solves() % 20 == 0) {
        progress(Format("  step %g: %g exact pricing solves, %g panels, ", sel.leximin_steps, ip.solves(),
                        master.panels().size()) +
                 Format("LP value %.6f, gap %.2e", z, s->bound + mu));
      }
      // The LP value over the panels so far is -mu - fixed term; the true optimum is at most
      // value(best panel) - fixed term. Their difference is the gap.
      gap = s->bound + mu;
      if (gap <= options.gap_tolerance) break;
      master.AddPanel(s->counts);
    }
    sel.final_gap = std::max(sel.final_gap, std::max(0.0, gap));
    if (options.algorithm == Algorithm::kMaximin) break;
    int newly = 0;
    double max_dual = 0;
    for (int a = 0; a < n; ++a)
      if (!master.fixed(a)) max_dual = std::max(max_dual, master.AgentDual(a));
    for (int a = 0; a < n; ++a) {
      if (!master.fixed(a) && master.AgentDual(a) > 1e-9 * std::max(1.0, max_dual) &&
          master.AgentDual(a) > 1e-11) {
        master.Fix(a, z - 1e-9);
        ++newly;
      }
    }
    if (newly == 0) return Error::Internal("LEXIMIN made no progress (no positive dual weight)");
    num_fixed += newly;
    progress(Format("step %g: probability %.6f fixed for %g more agents", sel.leximin_steps, z, newly) +
             Format(" (%g of %g fixed), %g panels, gap %.1e", num_fixed, n, master.panels().size(), gap));
  }
  // The last LP solution already meets every fixed value (each was fixed just below what it
  // achieves), so it is the distribution.
  std::vector<double> q(master.panels().size());
  double total = 0;
  for (size_t j = 0; j < q.size(); ++j) {
    q[j] = master.Weight(j) > 1e-10 ? master.Weight(j) : 0.0;
    total += q[j];
  }
  for (double& x : q) x /= total;
  sel.lp_solves += master.solves();
  sel.pricing_solves += ip.solves();
  SetDistribution(model, pool, master.panels(), q, sel);
  sel.seconds = elapsed();
  progress(Format("done: min probability %.6f, %g panels in the support, final gap %.1e", sel.min_probability,
                  sel.distribution.size(), sel.final_gap));
  return sel;
}

}  // namespace

const char* AlgorithmName(Algorithm a) {
  switch (a) {
    case Algorithm::kLeximin: return "leximin";
    case Algorithm::kMaximin: return "maximin";
    case Algorithm::kLegacy: return "legacy";
  }
  return "?";
}

bool IsValidPanel(const Categories& categories, const Pool& pool, int panel_size, const std::vector<int>& members) {
  if (static_cast<int>(members.size()) != panel_size) return false;
  std::vector<int> count(categories.quotas.size(), 0);
  std::vector<bool> seen(pool.people.size(), false);
  std::vector<bool> household_used(pool.num_households, false);
  for (int i : members) {
    if (i < 0 || i >= static_cast<int>(pool.people.size()) || seen[i]) return false;
    seen[i] = true;
    const Person& p = pool.people[i];
    if (p.household >= 0) {
      if (household_used[p.household]) return false;
      household_used[p.household] = true;
    }
    for (int q : p.quota) ++count[q];
  }
  for (size_t q = 0; q < count.size(); ++q) {
    if (count[q] < categories.quotas[q].min || count[q] > categories.quotas[q].max) return false;
  }
  return true;
}

Result<Selection> Select(const Categories& categories, const Pool& pool, const SelectionOptions& options) {
  TING_RETURN_IF_ERROR(CheckQuotas(categories, pool, options.panel_size));
  if (options.algorithm != Algorithm::kLegacy) {
    auto sel = SolveLeximin(categories, pool, options);
    if (!sel.ok()) return sel;
    // Checked here, independently of the solvers and their tolerances: a lottery is only
    // published if every panel in it is valid and its chances add up.
    double total = 0;
    for (const auto& wp : sel->distribution) {
      if (!IsValidPanel(categories, pool, options.panel_size, wp.members))
        return Error::Internal("the solver produced a panel that breaks a quota or household rule; nothing was drawn");
      if (!(wp.p >= 0 && wp.p <= 1 + 1e-9)) return Error::Internal("the solver produced a panel chance outside [0, 1]");
      total += wp.p;
    }
    if (sel->distribution.empty() || std::abs(total - 1) > 1e-6)
      return Error::Internal(Format("the panel chances add up to %.9f, not 1; nothing was drawn", total));
    return sel;
  }
  // LEGACY: estimate probabilities by repeated draws from derived seeds "legacy-estimate:<r>".
  const auto start = std::chrono::steady_clock::now();
  Selection sel;
  sel.algorithm = Algorithm::kLegacy;
  sel.probabilities.assign(pool.people.size(), 0.0);
  int ok = 0;
  for (int r = 0; r < options.legacy_estimation_runs; ++r) {
    DeterministicRng rng("legacy-estimate:" + std::to_string(r));
    auto panel = DrawPanel(categories, pool, options, sel, rng);
    if (!panel.ok()) continue;
    ++ok;
    for (int i : *panel) sel.probabilities[i] += 1;
  }
  if (ok == 0) {
    return Error::Infeasible("the legacy greedy draw failed in all " + std::to_string(options.legacy_estimation_runs) +
                             " estimation runs");
  }
  for (double& p : sel.probabilities) p /= ok;
  sel.min_probability = *std::min_element(sel.probabilities.begin(), sel.probabilities.end());
  sel.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return sel;
}

Result<std::vector<int>> DrawPanel(const Categories& categories, const Pool& pool, const SelectionOptions& options,
                                   const Selection& selection, DeterministicRng& rng) {
  if (options.algorithm == Algorithm::kLegacy) {
    // The original retries a failed greedy run; so do we, from the same stream.
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto panel = LegacyDraw(categories, pool, options.panel_size, rng);
      if (panel.ok()) return panel;
    }
    return Error::Infeasible("the legacy greedy draw failed 100 times in a row");
  }
  if (selection.distribution.empty()) return Error::Invalid("empty distribution");
  std::vector<uint64_t> units;
  uint64_t total = 0;
  for (const auto& wp : selection.distribution) {
    units.push_back(static_cast<uint64_t>(std::llround(wp.p * 1e9)));
    total += units.back();
  }
  if (total == 0) return Error::Invalid("distribution has no weight");
  uint64_t u = rng.Uniform(total);
  for (size_t j = 0; j < units.size(); ++j) {
    if (u < units[j]) return selection.distribution[j].members;
    u -= units[j];
  }
  return Error::Internal("draw fell off the distribution");
}

}  // namespace ting::sortition
