#include "model.h"

#include <cmath>
#include <map>

#include "CbcModel.hpp"
#include "CglProbing.hpp"
#include "CoinPackedMatrix.hpp"
#include "OsiClpSolverInterface.hpp"

namespace ting::sortition {

AgentModel BuildAgentModel(const Categories& categories, const Pool& pool, int panel_size) {
  AgentModel m;
  m.panel_size = panel_size;
  std::map<std::vector<int>, int> type_index;
  std::map<int, std::vector<int>> household_agents;
  for (size_t i = 0; i < pool.people.size(); ++i) {
    const Person& p = pool.people[i];
    if (p.household >= 0) {
      Agent a;
      a.quotas = p.quota;
      a.people = {static_cast<int>(i)};
      a.household = p.household;
      household_agents[p.household].push_back(static_cast<int>(m.agents.size()));
      m.agents.push_back(std::move(a));
      continue;
    }
    auto [it, inserted] = type_index.emplace(p.quota, static_cast<int>(m.agents.size()));
    if (inserted) {
      Agent a;
      a.quotas = p.quota;
      m.agents.push_back(std::move(a));
    }
    m.agents[it->second].people.push_back(static_cast<int>(i));
  }
  m.quota_agents.assign(categories.quotas.size(), {});
  for (size_t a = 0; a < m.agents.size(); ++a)
    for (int q : m.agents[a].quotas) m.quota_agents[q].push_back(static_cast<int>(a));
  for (auto& [h, agents] : household_agents) m.households.push_back(agents);
  return m;
}

QuotaBounds BoundsOf(const Categories& categories) {
  QuotaBounds b;
  for (const auto& q : categories.quotas) {
    b.min.push_back(q.min);
    b.max.push_back(q.max);
  }
  return b;
}

struct PanelIp::Impl {
  OsiClpSolverInterface solver;
  int num_agents = 0;
  int num_quotas = 0;
};

PanelIp::PanelIp(const AgentModel& model, const QuotaBounds& bounds) : impl_(std::make_unique<Impl>()) {
  const int n = static_cast<int>(model.agents.size());
  impl_->num_agents = n;
  impl_->num_quotas = static_cast<int>(model.quota_agents.size());
  CoinPackedMatrix matrix(false, 0, 0);
  matrix.setDimensions(0, n);
  std::vector<double> row_lb, row_ub;
  auto add_row = [&](const std::vector<int>& agents, double lb, double ub) {
    std::vector<double> ones(agents.size(), 1.0);
    matrix.appendRow(static_cast<int>(agents.size()), agents.data(), ones.data());
    row_lb.push_back(lb);
    row_ub.push_back(ub);
  };
  std::vector<int> all(n);
  for (int a = 0; a < n; ++a) all[a] = a;
  add_row(all, model.panel_size, model.panel_size);
  for (size_t q = 0; q < model.quota_agents.size(); ++q) add_row(model.quota_agents[q], bounds.min[q], bounds.max[q]);
  for (const auto& h : model.households) add_row(h, 0, 1);
  std::vector<double> col_lb(n, 0.0), col_ub(n), obj(n, 0.0);
  for (int a = 0; a < n; ++a) col_ub[a] = model.agents[a].count();
  impl_->solver.loadProblem(matrix, col_lb.data(), col_ub.data(), obj.data(), row_lb.data(), row_ub.data());
  for (int a = 0; a < n; ++a) impl_->solver.setInteger(a);
  impl_->solver.setObjSense(-1.0);
  impl_->solver.messageHandler()->setLogLevel(0);
  impl_->solver.setHintParam(OsiDoReducePrint, true, OsiHintTry);
}

PanelIp::~PanelIp() = default;

void PanelIp::SetBounds(const std::vector<int>& agent_min, const std::vector<int>& agent_max,
                        const QuotaBounds& quotas, const std::vector<int>& household_min) {
  OsiClpSolverInterface& s = impl_->solver;
  for (int a = 0; a < impl_->num_agents; ++a) s.setColBounds(a, agent_min[a], agent_max[a]);
  for (int q = 0; q < impl_->num_quotas; ++q) s.setRowBounds(1 + q, quotas.min[q], quotas.max[q]);
  for (size_t h = 0; h < household_min.size(); ++h) s.setRowBounds(1 + impl_->num_quotas + static_cast<int>(h), household_min[h], 1);
}

std::optional<PanelIp::Solution> PanelIp::Maximize(const std::vector<double>& weights, const std::vector<int>& hint,
                                                   double certify_below, int max_alternatives) {
  OsiClpSolverInterface& s = impl_->solver;
  s.setObjective(weights.data());
  s.resolve();  // LP relaxation, warm-started from the previous one
  if (s.isProvenPrimalInfeasible()) return std::nullopt;
  if (s.isProvenOptimal()) {
    if (!hint.empty() && s.getObjValue() <= certify_below) {
      Solution out;
      out.counts = hint;
      for (size_t a = 0; a < hint.size(); ++a) out.value += weights[a] * hint[a];
      out.bound = std::max(out.value, s.getObjValue());
      return out;
    }
    // An integral optimum of the relaxation is the integer optimum: no branch and bound.
    const double* x = s.getColSolution();
    Solution out;
    out.counts.resize(impl_->num_agents);
    bool integral = true;
    for (int a = 0; a < impl_->num_agents && integral; ++a) {
      out.counts[a] = static_cast<int>(std::lround(x[a]));
      integral = std::fabs(x[a] - out.counts[a]) <= 1e-9;
    }
    if (integral && max_alternatives == 0) {
      for (int a = 0; a < impl_->num_agents; ++a) out.value += weights[a] * out.counts[a];
      out.bound = out.value;
      return out;
    }
  }
  ++solves_;
  CbcModel cbc(s);
  cbc.setLogLevel(0);
  cbc.messageHandler()->setLogLevel(0);
  cbc.solver()->messageHandler()->setLogLevel(0);
  cbc.setAllowableGap(1e-9);
  cbc.setAllowableFractionGap(relative_gap_);
  cbc.setNumberThreads(0);
  CglProbing probing;
  probing.setUsingObjective(1);
  probing.setMaxPass(1);
  probing.setMaxProbe(10);
  probing.setMaxLook(20);
  // Probing alone measured fastest on the shared data (Gomory and knapsack covers cost more
  // time than they save on these small, quota-structured programs).
  cbc.addCutGenerator(&probing, -1, "Probing");
  if (!hint.empty()) {
    std::vector<double> x(hint.begin(), hint.end());
    cbc.setBestSolution(x.data(), static_cast<int>(x.size()), COIN_DBL_MAX, true);
  }
  if (max_alternatives > 0) cbc.setMaximumSavedSolutions(max_alternatives + 1);
  cbc.branchAndBound();
  if (!cbc.bestSolution()) return std::nullopt;
  if (cbc.isProvenInfeasible()) return std::nullopt;
  Solution out;
  const double* x = cbc.bestSolution();
  out.counts.resize(impl_->num_agents);
  out.value = 0;
  for (int a = 0; a < impl_->num_agents; ++a) {
    out.counts[a] = static_cast<int>(x[a] + 0.5);
    out.value += weights[a] * out.counts[a];
  }
  // No node or time limit is set, so branch and bound ends proven optimal (within the gap).
  out.bound = relative_gap_ <= 1e-9 ? out.value : cbc.getBestPossibleObjValue();
  for (int i = 1; i < cbc.numberSavedSolutions() && static_cast<int>(out.alternatives.size()) < max_alternatives; ++i) {
    const double* y = cbc.savedSolution(i);
    std::vector<int> counts(impl_->num_agents);
    for (int a = 0; a < impl_->num_agents; ++a) counts[a] = static_cast<int>(y[a] + 0.5);
    if (counts != out.counts) out.alternatives.push_back(std::move(counts));
  }
  return out;
}

}  // namespace ting::sortition
