// Open data: a budget's ballots as a Pabulib file, written by the counting engine's writer.

#include <algorithm>

#include "ting/base/digest.h"
#include "ting/base/money.h"
#include "results_internal.h"
#include "ting/pb/pabulib.h"

namespace ting::components {

pb::Election ToElection(const Process& process, const Budget& budget, const std::vector<Project>& projects,
                        const std::vector<StoredBallot>& ballots, const std::optional<BudgetResult>& result,
                        const std::string& anonymising_key) {
  pb::Election e;
  e.money_decimals = CurrencyExponent(budget.currency);
  e.budget = budget.amount;
  bool cumulative = budget.ballot.type == BallotType::kCumulative;
  bool ranking = budget.ballot.type == BallotType::kRanking;
  e.vote_type = cumulative ? pb::VoteType::kCumulative : ranking ? pb::VoteType::kOrdinal : pb::VoteType::kApproval;
  e.meta = {{"description", process.Title("en")},
            {"country", "Sweden"},
            {"unit", process.slug},
            {"instance", budget.slug},
            {"subunit", budget.Name(budget.default_language)},
            {"num_projects", std::to_string(projects.size())},
            {"num_votes", std::to_string(ballots.size())},
            {"budget", pb::FormatDecimal(budget.amount, e.money_decimals)},
            {"currency", budget.currency},
            {"vote_type", pb::VoteTypeName(e.vote_type)},
            {"rule", budget.rule == CountingRule::kMes ? "equalshares/add1" : "greedy"},
            {"ballot_type", BallotTypeName(budget.ballot.type)}};
  if (budget.ballot.type == BallotType::kApproval || ranking) {
    if (budget.ballot.min) e.meta.push_back({"min_length", std::to_string(budget.ballot.min)});
    if (budget.ballot.max) e.meta.push_back({"max_length", std::to_string(budget.ballot.max)});
  }
  if (cumulative) {
    e.meta.push_back({"max_sum_points", std::to_string(budget.ballot.points)});
    if (budget.ballot.max_per_project) e.meta.push_back({"max_points", std::to_string(budget.ballot.max_per_project)});
  }
  e.project_columns = {"project_id", "cost", "votes", "name", "selected"};
  // Ballots by channel, so an official can reconcile the count with the paper: "online:120,paper:31".
  std::map<std::string, int64_t> channels;
  for (const auto& b : ballots) ++channels[b.channel];
  std::string channel_list;
  for (const auto& [channel, n] : channels) channel_list += (channel_list.empty() ? "" : ",") + channel + ":" + std::to_string(n);
  if (!channel_list.empty()) e.meta.push_back({"channels", channel_list});
  // Totals only: a channel per ballot would tell staff, who know who came to the desk, how that
  // person voted.
  e.vote_columns = {"voter_id", "vote"};
  if (cumulative) e.vote_columns.push_back("points");

  std::map<int64_t, int32_t> index;
  std::map<int64_t, int64_t> votes;
  for (const auto& b : ballots) {
    for (int64_t id : b.ballot.projects) votes[id] += 1;
    for (const auto& [id, n] : b.ballot.points) votes[id] += n;
  }
  std::vector<int64_t> selected = result ? result->selected : std::vector<int64_t>{};
  for (const auto& p : projects) {
    index[p.id] = static_cast<int32_t>(e.projects.size());
    bool is_selected = std::find(selected.begin(), selected.end(), p.id) != selected.end();
    e.projects.push_back({std::to_string(p.id), p.title, p.cost,
                          {std::to_string(p.id), pb::FormatDecimal(p.cost, e.money_decimals), std::to_string(votes[p.id]), p.title,
                           is_selected ? "1" : "0"}});
  }
  // Voters appear as 1..n in an order no one can map back to accounts without the key.
  std::vector<std::pair<std::string, const StoredBallot*>> order;
  for (const auto& b : ballots) order.push_back({Sha256Hex(anonymising_key + ":" + b.voter), &b});
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  int voter = 0;
  for (const auto& [hash, b] : order) {
    std::vector<int32_t> chosen;
    std::vector<int64_t> points;
    if (cumulative) {
      for (const auto& [id, n] : b->ballot.points)
        if (index.count(id)) {
          chosen.push_back(index[id]);
          points.push_back(n);
        }
    } else {
      for (int64_t id : b->ballot.projects)
        if (index.count(id)) chosen.push_back(index[id]);
    }
    e.AddBallot(chosen, points, {std::to_string(++voter)});
  }
  return e;
}

std::string ExportPabulib(const Process& process, const Budget& budget, const std::vector<Project>& projects,
                          const std::vector<StoredBallot>& ballots, const std::optional<BudgetResult>& result,
                          const std::string& secret) {
  // Keyed per budget with a secret that is never published, so the order of the rows cannot be
  // mapped back to accounts; stable, so repeated exports agree.
  std::string key = Sha256Hex(secret + ":" + std::to_string(budget.id));
  return pb::WritePabulib(ToElection(process, budget, projects, ballots, result, key));
}

}  // namespace ting::components
