#include "relaxed.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "ClpSimplex.hpp"
#include "CoinPackedMatrix.hpp"

namespace ting::sortition {
namespace {

// CLP's tolerances: tight, since fixed levels are compared and summed over hundreds of agents.
constexpr double kLpTolerance = 1e-9;

void Configure(ClpSimplex& lp) {
  lp.setLogLevel(0);
  lp.setPrimalTolerance(kLpTolerance);
  lp.setDualTolerance(kLpTolerance);
}

// Re-solves from the current basis; on failure once more from scratch (CLP's warm start can
// give up on a numerically awkward basis that a cold start solves).
bool Resolve(ClpSimplex& lp) {
  lp.primal();
  if (lp.status() == 0) return true;
  lp.allSlackBasis(true);
  lp.primal();
  return lp.status() == 0;
}

// Rows of the relaxation Q in a fixed order: panel size, quotas, households.
struct QRows {
  CoinPackedMatrix matrix{false, 0, 0};
  std::vector<double> lower, upper;
  void Add(const std::vector<int>& cols, const std::vector<double>& coef, double lo, double hi) {
    matrix.appendRow(static_cast<int>(cols.size()), cols.data(), coef.data());
    lower.push_back(lo);
    upper.push_back(hi);
  }
};

QRows RowsOfQ(const AgentModel& model, const QuotaBounds& bounds, int num_columns) {
  QRows rows;
  rows.matrix.setDimensions(0, num_columns);
  const int n = static_cast<int>(model.agents.size());
  std::vector<int> all(n);
  for (int a = 0; a < n; ++a) all[a] = a;
  rows.Add(all, std::vector<double>(n, 1.0), model.panel_size, model.panel_size);
  for (size_t q = 0; q < model.quota_agents.size(); ++q) {
    const auto& agents = model.quota_agents[q];
    rows.Add(agents, std::vector<double>(agents.size(), 1.0), bounds.min[q], bounds.max[q]);
  }
  for (const auto& h : model.households) rows.Add(h, std::vector<double>(h.size(), 1.0), 0, 1);
  return rows;
}

// The smallest face of Q holding the point residual / mass: every constraint tight there is
// made an equality (a lottery for the point can only use panels on that face).
struct Face {
  std::vector<int> agent_min, agent_max, household_min;
  QuotaBounds quotas;
};

Face FaceOf(const AgentModel& model, const QuotaBounds& bounds, const std::vector<double>& residual, double mass) {
  constexpr double kTight = 1e-9;
  const double eps = kTight * mass;
  Face f;
  const int n = static_cast<int>(model.agents.size());
  for (int a = 0; a < n; ++a) {
    const int c = model.agents[a].count();
    f.agent_min.push_back(residual[a] >= c * mass - eps ? c : 0);
    f.agent_max.push_back(residual[a] <= eps ? 0 : c);
  }
  for (size_t q = 0; q < bounds.min.size(); ++q) {
    double s = 0;
    for (int a : model.quota_agents[q]) s += residual[a];
    f.quotas.min.push_back(s >= bounds.max[q] * mass - eps ? bounds.max[q] : bounds.min[q]);
    f.quotas.max.push_back(s <= bounds.min[q] * mass + eps ? bounds.min[q] : bounds.max[q]);
  }
  for (const auto& h : model.households) {
    double s = 0;
    for (int a : h) s += residual[a];
    f.household_min.push_back(s >= mass - eps ? 1 : 0);
  }
  return f;
}

// How much weight (as a fraction of mass) panel p can take from the point residual / mass while
// the rest stays in Q: the largest l with (residual - l*mass*p) / ((1 - l)*mass) in Q.
double StepLength(const AgentModel& model, const QuotaBounds& bounds, const std::vector<double>& residual, double mass,
                  const Counts& p) {
  double l = 1.0;
  // Constraint g.x <= h with g.x = gx (x = residual / mass) and g.p = gp.
  auto limit = [&](double h, double gx, double gp) {
    if (gp < h - 1e-12) l = std::min(l, (h - gx) / (h - gp));
  };
  for (size_t a = 0; a < p.size(); ++a) {
    const double x = residual[a] / mass;
    limit(model.agents[a].count(), x, p[a]);
    limit(0, -x, -p[a]);
  }
  for (size_t q = 0; q < bounds.min.size(); ++q) {
    double sx = 0, sp = 0;
    for (int a : model.quota_agents[q]) {
      sx += residual[a];
      sp += p[a];
    }
    limit(bounds.max[q], sx / mass, sp);
    limit(-bounds.min[q], -sx / mass, -sp);
  }
  for (const auto& h : model.households) {
    double sx = 0, sp = 0;
    for (int a : h) {
      sx += residual[a];
      sp += p[a];
    }
    limit(1, sx / mass, sp);
  }
  return std::clamp(l, 0.0, 1.0);
}

double Dot(const std::vector<double>& w, const Counts& c) {
  double s = 0;
  for (size_t a = 0; a < c.size(); ++a) s += w[a] * c[a];
  return s;
}

std::string Format(const char* fmt, double a, double b = 0, double c = 0, double d = 0) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, a, b, c, d);
  return buf;
}

// Column generation for min sum_a s_a / count_a subject to
//   sum_P w_P y_a(P) + s_a >= target_a,  sum_P w_P = 1,  w, s >= 0,
// starting from the given panels, pricing exactly (CBC) on the target's face. The duals are
// smoothed towards the best Lagrangian point found so far (Wentges), which cuts the long tail
// of plain column generation on this degenerate master.
void FinishByColumnGeneration(const AgentModel& model, const QuotaBounds& bounds, const std::vector<double>& target,
                              Decomposition& d, const std::function<void(const std::string&)>& progress) {
  const int n = static_cast<int>(model.agents.size());
  PanelIp ip(model, bounds);
  const Face face = FaceOf(model, bounds, target, 1.0);
  ip.SetBounds(face.agent_min, face.agent_max, face.quotas, face.household_min);
  ClpSimplex lp;
  Configure(lp);
  lp.resize(n + 1, 0);
  for (int a = 0; a < n; ++a) lp.setRowBounds(a, target[a], COIN_DBL_MAX);
  lp.setRowBounds(n, 1.0, 1.0);
  for (int a = 0; a < n; ++a) {
    const double one = 1.0;
    lp.addColumn(1, &a, &one, 0.0, COIN_DBL_MAX, 1.0 / model.agents[a].count());
  }
  std::set<Counts> known;
  auto add = [&](const Counts& c) {
    if (!known.insert(c).second) return false;
    std::vector<int> rows;
    std::vector<double> coef;
    for (int a = 0; a < n; ++a) {
      if (c[a]) {
        rows.push_back(a);
        coef.push_back(c[a]);
      }
    }
    rows.push_back(n);
    coef.push_back(1.0);
    lp.addColumn(static_cast<int>(rows.size()), rows.data(), coef.data(), 0.0, COIN_DBL_MAX, 0.0);
    d.panels.push_back(c);
    return true;
  };
  std::vector<Counts> start = std::move(d.panels);
  d.panels.clear();
  for (const auto& c : start) add(c);
  if (d.panels.empty()) {
    std::vector<double> w(n);
    for (int a = 0; a < n; ++a) w[a] = target[a] / model.agents[a].count();
    auto s = ip.Maximize(w);
    if (s) add(s->counts);
  }
  constexpr double kAlpha = 0.8;
  std::vector<double> duals(n), center, smoothed(n);
  double best_lagrangian = -1e300;
  auto lagrangian = [&](const std::vector<double>& w, double max_panel_value) {
    double s = -max_panel_value;
    for (int a = 0; a < n; ++a) s += w[a] * target[a];
    return s;
  };
  while (!d.panels.empty()) {
    ++d.lp_rounds;
    if (!Resolve(lp)) break;
    const double shortfall = lp.objectiveValue();
    const double* row_duals = lp.dualRowSolution();
    for (int a = 0; a < n; ++a) duals[a] = std::max(0.0, row_duals[a]);
    const double mu = row_duals[n];
    if (d.lp_rounds % 25 == 0) {
      progress(Format("  decomposition: round %g, %g panels, total shortfall %.2e", d.lp_rounds, d.panels.size(), shortfall));
    }
    if (shortfall <= 1e-10) break;
    if (center.empty()) center = duals;
    for (int a = 0; a < n; ++a) smoothed[a] = kAlpha * center[a] + (1 - kAlpha) * duals[a];
    int added = 0;
    // A column improves the master iff its reduced cost -(duals . y) - mu is negative.
    auto consider = [&](const PanelIp::Solution& s) {
      if (Dot(duals, s.counts) + mu > 1e-9 && add(s.counts)) ++added;
      for (const auto& alt : s.alternatives)
        if (Dot(duals, alt) + mu > 1e-9 && add(alt)) ++added;
    };
    for (const auto* w : {&smoothed, &duals}) {
      auto s = ip.Maximize(*w, {}, -1e300, 8);
      ++d.ip_solves;
      if (!s) break;
      const double l = lagrangian(*w, s->bound);
      if (l > best_lagrangian) {
        best_lagrangian = l;
        center = *w;
      }
      consider(*s);
      if (added) break;  // mispricing (nothing from the smoothed duals): price the true duals
    }
    if (!added) break;  // exact pricing proves no panel reduces the shortfall
  }
  const double* x = lp.primalColumnSolution();
  d.weights.assign(d.panels.size(), 0.0);
  double total = 0;
  for (size_t j = 0; j < d.panels.size(); ++j) {
    d.weights[j] = std::max(0.0, x[n + j]);
    total += d.weights[j];
  }
  if (total > 0)
    for (double& w : d.weights) w /= total;
}

}  // namespace

Result<RelaxedLeximin> LeximinOverRelaxation(const AgentModel& model, const QuotaBounds& bounds) {
  const int n = static_cast<int>(model.agents.size());
  const int z = n;  // column of the level being maximised
  QRows rows = RowsOfQ(model, bounds, n + 1);
  const int first_agent_row = static_cast<int>(rows.lower.size());
  for (int a = 0; a < n; ++a) rows.Add({a, z}, {1.0 / model.agents[a].count(), -1.0}, 0.0, COIN_DBL_MAX);
  std::vector<double> col_lo(n + 1, 0.0), col_hi(n + 1, COIN_DBL_MAX), obj(n + 1, 0.0);
  for (int a = 0; a < n; ++a) col_hi[a] = model.agents[a].count();
  obj[z] = -1.0;
  ClpSimplex lp;
  Configure(lp);
  lp.loadProblem(rows.matrix, col_lo.data(), col_hi.data(), obj.data(), rows.lower.data(), rows.upper.data());

  RelaxedLeximin r;
  r.level.assign(n, -1.0);
  int fixed = 0;
  r.steps = 1;
  if (!Resolve(lp)) return Error::Internal("the LP solver (CLP) failed on the relaxed LEXIMIN");
  while (fixed < n) {
    const double level = lp.primalColumnSolution()[z];
    const double* duals = lp.dualRowSolution();
    // Agents with a positive dual weight are at `level` in every optimal solution (complementary
    // slackness), so LEXIMIN fixes them there. Fixed slightly below it, since the LP value is
    // only accurate to its tolerance; if even that is infeasible, a little lower.
    std::vector<int> newly;
    for (int a = 0; a < n; ++a) {
      if (r.level[a] < 0 && std::fabs(duals[first_agent_row + a]) > 1e-9) newly.push_back(a);
    }
    if (newly.empty()) return Error::Internal("relaxed LEXIMIN made no progress (no positive dual weight)");
    const std::vector<double> before(lp.primalColumnSolution(), lp.primalColumnSolution() + n);
    bool ok = false;
    double used_slack = 0;
    for (double slack = 1e-9; slack <= 1e-6 && !ok; slack *= 10) {
      used_slack = slack;
      for (int a : newly) {
        lp.setRowLower(first_agent_row + a, -COIN_DBL_MAX);
        lp.setColumnLower(a, std::max(0.0, level - slack) * model.agents[a].count());
      }
      if (fixed + static_cast<int>(newly.size()) == n) {
        ok = true;  // nothing left to maximise; the last solution holds every level
        r.seats = before;
        break;
      }
      ++r.steps;
      ok = Resolve(lp);
    }
    if (!ok) return Error::Internal("relaxed LEXIMIN became infeasible after fixing a level");
    for (int a : newly) r.level[a] = level;
    r.slack = std::max(r.slack, used_slack);
    fixed += static_cast<int>(newly.size());
    if (fixed < n) r.seats.assign(lp.primalColumnSolution(), lp.primalColumnSolution() + n);
  }
  return r;
}

Decomposition DecomposeTarget(const AgentModel& model, const QuotaBounds& bounds, const std::vector<double>& target,
                              const std::function<void(const std::string&)>& progress) {
  const int n = static_cast<int>(model.agents.size());
  Decomposition d;
  PanelIp ip(model, bounds);
  ip.set_relative_gap(0.1);  // any panel on the face will do; the objective only steers
  std::vector<double> residual = target;  // target - sum of peeled weight * panel
  double mass = 1.0;                      // weight not yet given to a panel
  std::vector<double> w(n);
  while (mass > 1e-9) {
    const Face face = FaceOf(model, bounds, residual, mass);
    ip.SetBounds(face.agent_min, face.agent_max, face.quotas, face.household_min);
    // Prefer the agents with the most probability left: they are the ones the rest of the
    // point can least spare.
    for (int a = 0; a < n; ++a) w[a] = residual[a] / (mass * model.agents[a].count());
    auto s = ip.Maximize(w);
    ++d.ip_solves;
    if (!s) break;  // this face has no panel: the point left is not a lottery of panels
    const double l = StepLength(model, bounds, residual, mass, s->counts);
    if (l <= 1e-12) break;
    const double weight = l >= 1 - 1e-12 ? mass : l * mass;
    d.panels.push_back(s->counts);
    d.weights.push_back(weight);
    for (int a = 0; a < n; ++a) residual[a] -= weight * s->counts[a];
    mass -= weight;
    if (d.panels.size() % 50 == 0) progress(Format("  peeling: %g panels, weight left %.2e", d.panels.size(), mass));
  }
  d.peeled = static_cast<int>(d.panels.size());
  if (mass > 1e-9) {
    progress(Format("  peeling stopped after %g panels with weight %.2e left; finishing by column generation",
                    d.peeled, mass));
    FinishByColumnGeneration(model, bounds, target, d, progress);
  } else {
    double total = 0;
    for (double x : d.weights) total += x;
    for (double& x : d.weights) x /= total;
  }
  // Drop panels without weight and measure what the lottery achieves.
  std::vector<Counts> panels;
  std::vector<double> weights;
  for (size_t j = 0; j < d.panels.size(); ++j) {
    if (d.weights[j] > 1e-12) {
      panels.push_back(std::move(d.panels[j]));
      weights.push_back(d.weights[j]);
    }
  }
  double total = 0;
  for (double x : weights) total += x;
  for (double& x : weights) x /= total;
  d.panels = std::move(panels);
  d.weights = std::move(weights);
  std::vector<double> achieved(n, 0.0);
  for (size_t j = 0; j < d.panels.size(); ++j)
    for (int a = 0; a < n; ++a) achieved[a] += d.weights[j] * d.panels[j][a];
  d.max_shortfall = 0;
  for (int a = 0; a < n; ++a)
    d.max_shortfall = std::max(d.max_shortfall, (target[a] - achieved[a]) / model.agents[a].count());
  return d;
}

}  // namespace ting::sortition
