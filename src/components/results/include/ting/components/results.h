#pragma once
// Results: counting a budget's ballots by its rule (with the counting engine, ting::pb),
// explaining every project's outcome, publishing, and exporting (Pabulib .pb, CSV).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ting/base/result.h"
#include "ting/web/component.h"
#include "ting/components/processes.h"
#include "ting/components/proposals.h"
#include "ting/components/voting.h"

namespace ting::components {

// Why a project was or was not funded, in numbers; pages and the API turn it into sentences.
struct ProjectOutcome {
  int64_t id = 0;
  std::string title;
  int64_t cost = 0;
  int64_t votes = 0;  // approvals, or points (cumulative), or ballots ranking it (ranking)
  bool funded = false;
  int position = 0;   // 1-based selection order when funded
  // Greedy: the money left when the project's turn came.
  int64_t money_left_at_turn = 0;
  std::string explanation_key;  // catalogue key of the sentence
  // The numbers behind the sentence (the API's "explanation_data"); money in minor units as
  // decimal strings, exact ("250", or "1000/3" for a price), counts as JSON numbers:
  //   "stage": "greedy" (funded by the greedy rule), "mes" (funded by Equal Shares, also at
  //     the add1 budget), "completion" (funded by a greedy completion), "not_funded";
  //   "cost";
  //   greedy, completion, and not_funded where greedy considered it: "left", the money left
  //     when its turn came;
  //   mes: "price_per_supporter" (approval, knapsack, ranking) or "price_per_point"
  //     (cumulative), "price" (the former rounded half up to a whole minor unit), "supporters"
  //     (voters who paid more than 0), "paid_full" (paid the full price), "paid_less" (paid
  //     all they had left, which was less);
  //   not_funded by Equal Shares with supporters: "percent" (0..99: the share of its cost its
  //     supporters could pay when it became unaffordable, rounded down), "after" (how many
  //     projects were funded then), and "spent_on" (ids of the funded projects its supporters
  //     had paid for by then, in selection order) when not empty.
  // Results stored before this schema have string values only and no "stage"; LoadResult
  // fills in "stage" and drops what those counts got wrong (see results_store.cc).
  nlohmann::json vars = nlohmann::json::object();
};

// What the count did with every ballot. Once voting opens a ballot is frozen; the one change is a
// manager taking a project off it with a public reason (BallotChange). Ballots that chose such a
// project count without that choice; nothing is dropped silently.
struct RemovedProject {
  int64_t id = 0;
  std::string title;
  std::string reason;      // public; empty for a project that left the ballot without a record
  int64_t removed_at = 0;  // 0 when unrecorded
  int64_t ballots = 0;     // ballots that chose it (their other choices counted)
};

struct BallotReport {
  int64_t ballots = 0;              // every ballot stored for the budget
  int64_t counted_in_full = 0;      // every choice was a project on the ballot
  int64_t counted_in_part = 0;      // chose removed projects too; the other choices counted
  int64_t counted_for_nothing = 0;  // chose only removed projects: counted, supports nothing
  std::vector<RemovedProject> removed;  // in order of removal

  nlohmann::json ToJson() const;
  static BallotReport FromJson(const nlohmann::json& j);  // lenient: absent fields are 0
};

struct BudgetResult {
  std::string rule;          // "greedy" or "mes"
  int64_t budget = 0;
  std::string currency;
  int64_t ballots = 0;
  std::map<std::string, int64_t> channels;  // ballots by the door they came through: online, code, desk, paper, batch
  std::vector<int64_t> selected;  // in selection order
  int64_t spent = 0;
  std::vector<ProjectOutcome> projects;  // by votes, descending
  int64_t counted_at = 0;
  BallotReport ballot_report;

  nlohmann::json ToJson() const;  // the API's shape (explanations in English unless told)
  static Result<BudgetResult> FromJson(const nlohmann::json& j);
};

// Counts in memory: no storage. The same ballots always give the same result. changes are the
// budget's audited ballot changes, for the ballot report.
Result<BudgetResult> CountBudget(const Budget& budget, const std::vector<Project>& projects,
                                 const std::vector<StoredBallot>& ballots, const std::vector<BallotChange>& changes = {});

// Pabulib text of a budget's ballots. Voters are numbered 1..n in an order keyed by secret
// (the instance's export secret), so rows cannot be traced to accounts.
std::string ExportPabulib(const Process& process, const Budget& budget, const std::vector<Project>& projects,
                          const std::vector<StoredBallot>& ballots, const std::optional<BudgetResult>& result,
                          const std::string& secret);

// The stored result of a budget, if it has been counted.
Result<std::optional<BudgetResult>> LoadResult(db::Database& db, int64_t budget_id);
// Funded project ids of a budget, in selection order (empty when not counted).
Result<std::vector<int64_t>> FundedProjects(db::Connection& c, int64_t budget_id);

web::Manifest ResultsManifest();

// The component's part of the demo (seed.cc).
Status SeedResults(web::Demo& demo);

}  // namespace ting::components
