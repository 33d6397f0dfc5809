// Counting a budget with the counting engine (ting::pb) and explaining each project's outcome.

#include <algorithm>
#include <map>
#include <set>

#include "results_internal.h"
#include "ting/base/keys.h"
#include "ting/pb/count.h"

namespace ting::components {

using json = nlohmann::json;

pb::CountOptions CountOptionsFor(const Budget& budget) {
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

namespace {

bool FundedByMes(const pb::ProjectReport& r) { return r.selected && (r.stage == "mes" || r.stage == "mes+add1"); }
bool FundedByCompletion(const pb::ProjectReport& r) { return r.selected && r.stage == "greedy completion"; }

// The explanation of one project: the sentence's catalogue key and the numbers behind it
// (see ProjectOutcome::vars). Engine money units are the currency's minor units.
void Explain(const Budget& budget, const std::vector<Project>& projects, const pb::ProjectReport& report,
             ProjectOutcome* o) {
  const Project& p = projects[report.index];
  json& vars = o->vars;
  vars = json::object();
  vars["cost"] = std::to_string(p.cost);
  const std::string left = std::to_string(std::max<int64_t>(report.money_left, 0));
  if (report.selected && report.stage == "greedy") {
    vars["stage"] = "greedy";
    vars["left"] = left;
    o->explanation_key = TING_KEY("results.explain.greedy_funded");
    return;
  }
  if (FundedByCompletion(report)) {
    vars["stage"] = "completion";
    vars["left"] = left;
    o->explanation_key = TING_KEY("results.explain.completion_funded");
    return;
  }
  if (FundedByMes(report)) {
    vars["stage"] = "mes";
    const bool per_point = !report.price_per_point.empty();
    vars[per_point ? "price_per_point" : "price_per_supporter"] = report.price_units;
    vars["price"] = std::to_string(report.price_units_rounded);
    vars["supporters"] = report.supporters_paid_full + report.supporters_paid_less;
    vars["paid_full"] = report.supporters_paid_full;
    vars["paid_less"] = report.supporters_paid_less;
    const bool partial = report.supporters_paid_less > 0;
    if (p.cost == 0) {
      o->explanation_key = TING_KEY("results.explain.free");
    } else if (per_point) {
      o->explanation_key = partial ? TING_KEY("results.explain.mes_paid_points_partial") : TING_KEY("results.explain.mes_paid_points");
    } else {
      o->explanation_key = partial ? TING_KEY("results.explain.mes_paid_partial") : TING_KEY("results.explain.mes_paid");
    }
    return;
  }
  vars["stage"] = "not_funded";
  if (budget.rule == CountingRule::kGreedy) {
    vars["left"] = left;
    o->explanation_key = TING_KEY("results.explain.greedy_no_fit");
    return;
  }
  if (report.money_left >= 0) vars["left"] = left;  // a greedy completion considered it too
  if (report.unaffordable_after >= 0) {
    vars["percent"] = report.effective_support_percent;
    vars["after"] = report.unaffordable_after;
    if (!report.spent_on.empty()) {
      json ids = json::array();
      for (int index : report.spent_on) ids.push_back(projects[index].id);
      vars["spent_on"] = ids;
    }
  }
  if (p.cost > budget.amount) {
    o->explanation_key = TING_KEY("results.explain.over_budget");
  } else if (report.unaffordable_after >= 0) {
    o->explanation_key = report.spent_on.empty() ? TING_KEY("results.explain.mes_short") : TING_KEY("results.explain.mes_spent");
  } else if (report.score == 0) {
    o->explanation_key = TING_KEY("results.explain.no_votes");
  } else {
    // Supported, yet no moment at which it became unaffordable: the engine says that cannot
    // happen; say only what is certain.
    o->explanation_key = TING_KEY("results.explain.not_funded");
  }
}

}  // namespace

Result<BudgetResult> CountBudgetWith(const Budget& budget, const std::vector<Project>& projects,
                                     const std::vector<StoredBallot>& ballots, const pb::CountOptions& options) {
  Process none;
  pb::Election election = ToElection(none, budget, projects, ballots, std::nullopt, "count");
  if (budget.ballot.type == BallotType::kRanking) {
    // Ranking ballots are counted as approval of every ranked project (the rank order is kept
    // in the ballots and in the export); see docs/counting.md.
    election.vote_type = pb::VoteType::kApproval;
  }
  TING_ASSIGN_OR_RETURN(pb::Outcome outcome, pb::Count(election, options));

  BudgetResult r;
  r.rule = CountingRuleName(budget.rule);
  r.budget = budget.amount;
  r.currency = budget.currency;
  r.ballots = static_cast<int64_t>(ballots.size());
  for (const auto& b : ballots) ++r.channels[b.channel];
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
    Explain(budget, projects, report, &o);
    r.projects.push_back(std::move(o));
  }
  std::stable_sort(r.projects.begin(), r.projects.end(),
                   [](const ProjectOutcome& a, const ProjectOutcome& b) { return a.votes > b.votes; });
  return r;
}

// Which ballots chose projects that are no longer on the ballot, and which projects those were.
BallotReport ReportBallots(const std::vector<Project>& projects, const std::vector<StoredBallot>& ballots,
                           const std::vector<BallotChange>& changes) {
  std::set<int64_t> on_ballot;
  for (const auto& p : projects) on_ballot.insert(p.id);
  BallotReport report;
  std::map<int64_t, size_t> removed_index;
  for (const auto& c : changes) {
    if (on_ballot.count(c.proposal_id) || removed_index.count(c.proposal_id)) continue;
    removed_index[c.proposal_id] = report.removed.size();
    report.removed.push_back({c.proposal_id, c.title, c.reason, c.created_at, 0});
  }
  for (const auto& b : ballots) {
    std::vector<int64_t> chosen = b.ballot.projects;
    for (const auto& [id, points] : b.ballot.points) chosen.push_back(id);
    size_t off = 0;
    for (int64_t id : chosen) {
      if (on_ballot.count(id)) continue;
      ++off;
      auto it = removed_index.find(id);
      if (it == removed_index.end()) {  // left the ballot without a record (databases from before the freeze)
        it = removed_index.emplace(id, report.removed.size()).first;
        report.removed.push_back({id, "#" + std::to_string(id), "", 0, 0});
      }
      ++report.removed[it->second].ballots;
    }
    ++report.ballots;
    if (off == 0) ++report.counted_in_full;
    else if (off == chosen.size()) ++report.counted_for_nothing;
    else ++report.counted_in_part;
  }
  return report;
}

Result<BudgetResult> CountBudget(const Budget& budget, const std::vector<Project>& projects, const std::vector<StoredBallot>& ballots,
                                 const std::vector<BallotChange>& changes) {
  TING_ASSIGN_OR_RETURN(BudgetResult r, CountBudgetWith(budget, projects, ballots, CountOptionsFor(budget)));
  r.ballot_report = ReportBallots(projects, ballots, changes);
  return r;
}

}  // namespace ting::components
