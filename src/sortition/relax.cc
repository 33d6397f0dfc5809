// Infeasible quotas: name the conflicts and find the cheapest relaxation within the flex bounds.

#include <algorithm>
#include <cmath>

#include "CbcModel.hpp"
#include "CoinPackedMatrix.hpp"
#include "OsiClpSolverInterface.hpp"
#include "model.h"
#include "ting/sortition/selection.h"

namespace ting::sortition {

Result<Relaxation> FindRelaxation(const Categories& categories, const Pool& pool, int panel_size) {
  Relaxation out;
  const int num_quotas = static_cast<int>(categories.quotas.size());
  auto name = [&](int q) {
    return categories.features[categories.quotas[q].feature] + ":" + categories.quotas[q].value;
  };
  std::vector<int> have(num_quotas, 0);
  for (const auto& p : pool.people)
    for (int q : p.quota) ++have[q];
  for (int q = 0; q < num_quotas; ++q) {
    if (have[q] < categories.quotas[q].min) {
      out.conflicts.push_back(name(q) + ": min " + std::to_string(categories.quotas[q].min) + " but only " +
                              std::to_string(have[q]) + " in the pool");
      out.conflicting_quotas.push_back(q);
    }
  }

  const AgentModel model = BuildAgentModel(categories, pool, panel_size);
  const int n = static_cast<int>(model.agents.size());
  // Columns: y_a (agents), then r_min_q, then r_max_q.
  const int num_cols = n + 2 * num_quotas;
  CoinPackedMatrix matrix(false, 0, 0);
  matrix.setDimensions(0, num_cols);
  std::vector<double> row_lb, row_ub;
  auto add_row = [&](const std::vector<int>& cols, const std::vector<double>& coef, double lb, double ub) {
    matrix.appendRow(static_cast<int>(cols.size()), cols.data(), coef.data());
    row_lb.push_back(lb);
    row_ub.push_back(ub);
  };
  std::vector<int> all(n);
  for (int a = 0; a < n; ++a) all[a] = a;
  add_row(all, std::vector<double>(n, 1.0), panel_size, panel_size);
  for (int q = 0; q < num_quotas; ++q) {
    std::vector<int> cols = model.quota_agents[q];
    std::vector<double> coef(cols.size(), 1.0);
    cols.push_back(n + q);
    coef.push_back(1.0);
    add_row(cols, coef, categories.quotas[q].min, COIN_DBL_MAX);  // count + r_min >= min
    cols.back() = n + num_quotas + q;
    coef.back() = -1.0;
    add_row(cols, coef, -COIN_DBL_MAX, categories.quotas[q].max);  // count - r_max <= max
  }
  for (const auto& h : model.households) add_row(h, std::vector<double>(h.size(), 1.0), 0, 1);
  std::vector<double> col_lb(num_cols, 0.0), col_ub(num_cols), obj(num_cols, 0.0);
  for (int a = 0; a < n; ++a) col_ub[a] = model.agents[a].count();
  for (int q = 0; q < num_quotas; ++q) {
    const Quota& quota = categories.quotas[q];
    col_ub[n + q] = quota.min - quota.min_flex;
    col_ub[n + num_quotas + q] = quota.max_flex < 0 ? panel_size : std::max(0, quota.max_flex - quota.max);
    obj[n + q] = quota.min == 0 ? 0.0 : 1.0 + 2.0 / quota.min;
    obj[n + num_quotas + q] = 1.0;
  }
  OsiClpSolverInterface solver;
  solver.messageHandler()->setLogLevel(0);
  solver.loadProblem(matrix, col_lb.data(), col_ub.data(), obj.data(), row_lb.data(), row_ub.data());
  for (int c = 0; c < num_cols; ++c) solver.setInteger(c);
  CbcModel cbc(solver);
  cbc.setLogLevel(0);
  cbc.messageHandler()->setLogLevel(0);
  cbc.solver()->messageHandler()->setLogLevel(0);
  cbc.branchAndBound();
  if (!cbc.bestSolution() || cbc.isProvenInfeasible()) {
    out.relaxable = false;
    if (out.conflicts.empty()) out.conflicts.push_back("no panel exists even with every quota relaxed to its flex bounds");
    return out;
  }
  const double* x = cbc.bestSolution();
  out.relaxable = true;
  for (int q = 0; q < num_quotas; ++q) {
    const int down = static_cast<int>(std::lround(x[n + q]));
    const int up = static_cast<int>(std::lround(x[n + num_quotas + q]));
    if (!down && !up) continue;
    const Quota& quota = categories.quotas[q];
    out.changes.push_back({q, quota.min, quota.max, quota.min - down, quota.max + up});
    out.cost += down * obj[n + q] + up;
    if (std::find(out.conflicting_quotas.begin(), out.conflicting_quotas.end(), q) == out.conflicting_quotas.end())
      out.conflicting_quotas.push_back(q);
  }
  std::sort(out.conflicting_quotas.begin(), out.conflicting_quotas.end());
  std::string together;
  for (int q : out.conflicting_quotas) together += (together.empty() ? "" : ", ") + name(q);
  out.conflicts.push_back("no panel of " + std::to_string(panel_size) + " meets these quotas together: " + together);
  return out;
}

}  // namespace ting::sortition
