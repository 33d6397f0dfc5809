// Counting a budget with the counting engine (ting::pb) and explaining each project's outcome.

#include <algorithm>

#include "results_internal.h"
#include "ting/base/strings.h"
#include "ting/pb/count.h"

namespace ting::components {

namespace {

// "p/q" or "n" (minor units) → whole minor units, rounded half up, for display only; the
// decision itself was exact.
std::string RoundedMinor(const std::string& rational) {
  auto slash = rational.find('/');
  if (slash == std::string::npos) {
    auto dot = rational.find('.');
    return dot == std::string::npos ? rational : rational.substr(0, dot);
  }
  auto num = ParseInt64(rational.substr(0, slash));
  auto den = ParseInt64(rational.substr(slash + 1));
  if (!num || !den || *den == 0) return rational;
  return std::to_string((*num * 2 + *den) / (*den * 2));
}

pb::CountOptions OptionsFor(const Budget& budget) {
  pb::CountOptions o;
  o.explain = true;
  o.tie = pb::TieBreak::kId;
  if (budget.rule == CountingRule::kMes) {
    o.rule = pb::Rule::kMes;
    o.utility = budget.ballot.type == BallotType::kCumulative ? pb::Utility::kPoints : pb::Utility::kCost;
    o.completion = pb::Completion::kAdd1;
  } else {
    o.rule = pb::Rule::kGreedy;
  }
  return o;
}

}  // namespace

Result<BudgetResult> CountBudget(const Budget& budget, const std::vector<Project>& projects, const std::vector<StoredBallot>& ballots) {
  Process none;
  pb::Election election = ToElection(none, budget, projects, ballots, std::nullopt, "count");
  if (budget.ballot.type == BallotType::kRanking) {
    // Ranking ballots are counted as approval of every ranked project (the rank order is kept
    // in the ballots and in the export); see docs/counting.md.
    election.vote_type = pb::VoteType::kApproval;
  }
  TING_ASSIGN_OR_RETURN(pb::Outcome outcome, pb::Count(election, OptionsFor(budget)));

  BudgetResult r;
  r.rule = CountingRuleName(budget.rule);
  r.budget = budget.amount;
  r.currency = budget.currency;
  r.ballots = static_cast<int64_t>(ballots.size());
  r.spent = outcome.total_cost;
  for (int index : outcome.selected) r.selected.push_back(projects[index].id);
  for (const auto& report : outcome.projects) {
    const Project& p = projects[report.index];
    ProjectOutcome o;
    o.id = p.id;
    o.title = p.title;
    o.cost = p.cost;
    o.votes = report.score;
    o.funded = report.selected;
    o.position = report.round;
    o.money_left_at_turn = report.money_left;
    o.vars["cost"] = std::to_string(p.cost);
    if (budget.rule == CountingRule::kGreedy) {
      o.vars["left"] = std::to_string(std::max<int64_t>(report.money_left, 0));
      o.explanation_key = report.selected ? "results.explain.greedy_funded" : "results.explain.greedy_no_fit";
    } else if (report.selected && report.stage == "mes") {
      o.explanation_key = "results.explain.mes_funded";
      o.vars["price"] = RoundedMinor(report.price_per_supporter);
      o.vars["full"] = std::to_string(report.supporters_paid_full);
      o.vars["less"] = std::to_string(report.supporters_paid_less);
      o.vars["supporters"] = std::to_string(report.supporters_paid_full + report.supporters_paid_less);
      if (!report.price_per_point.empty()) o.vars["per_point"] = RoundedMinor(report.price_per_point);
    } else if (report.selected) {
      o.explanation_key = "results.explain.completion_funded";
      o.vars["left"] = std::to_string(std::max<int64_t>(report.money_left, 0));
    } else if (report.votes == 0) {
      o.explanation_key = "results.explain.no_votes";
    } else {
      o.explanation_key = "results.explain.mes_not_funded";
      o.vars["percent"] = std::to_string(std::max(report.effective_support_percent, 0));
    }
    r.projects.push_back(std::move(o));
  }
  std::stable_sort(r.projects.begin(), r.projects.end(),
                   [](const ProjectOutcome& a, const ProjectOutcome& b) { return a.votes > b.votes; });
  return r;
}

}  // namespace ting::components
