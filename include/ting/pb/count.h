#pragma once
// Vote counting: greedy, the Method of Equal Shares (with completions) and sequential Phragmén,
// computed exactly (integer and rational arithmetic, never floating point), with the outcome
// pabutools 1.2.3 gives and a per-project explanation.

#include <cstdint>
#include <string>
#include <vector>

#include "ting/base/result.h"
#include "ting/pb/election.h"

namespace ting::pb {

enum class Rule { kGreedy, kMes, kPhragmen };

// How a voter's satisfaction with a funded project is measured.
enum class Utility {
  kDefault,   // greedy: approval for approval ballots, points for cumulative/scoring; MES: cost
  kCost,      // the project's cost if the voter supports it
  kApproval,  // 1 if the voter supports it ("cardinality")
  kPoints,    // the points the voter gave it (cumulative/scoring ballots)
};

enum class Completion {
  kNone,
  kGreedy,                 // then greedy with the money left
  kAdd1,                   // equalshares.net add1: raise the per-voter budget by 1 while feasible
  kAdd1Greedy,             // add1, then greedy
  kAdd1Exhaustive,         // pabutools voter_budget_increment=1: stop at the first exhaustive outcome
  kAdd1ExhaustiveGreedy,   // that, then greedy
};

enum class TieBreak {
  kId,    // lexicographic order of project ids (pabutools)
  kCost,  // cheaper first, then more votes, then id (equalshares.net)
};

struct CountOptions {
  Rule rule = Rule::kGreedy;
  Utility utility = Utility::kDefault;
  Completion completion = Completion::kNone;
  TieBreak tie = TieBreak::kId;
  bool explain = false;
};

// One project's outcome; the explanation part is filled when CountOptions::explain. Money is
// exact: "p/q" or "n" in currency units unless the name says units (10^-money_decimals).
struct ProjectReport {
  int index = 0;             // into Election::projects
  bool selected = false;
  int64_t votes = 0;         // number of voters listing the project
  int64_t score = 0;         // total points (cumulative/scoring), else = votes
  // Which step funded it: "greedy" (the greedy rule), "mes" (Equal Shares, free supported
  // projects included), "mes+add1" (Equal Shares at the add1 budget), "greedy completion"
  // (greedy with the money Equal Shares left), "phragmen"; empty when not funded.
  std::string stage;
  int round = 0;             // 1-based position in the selection order, 0 if not selected
  int64_t money_left = -1;   // greedy (rule or completion): money left when the project was
                             // considered (before it), in units; -1 if greedy never considered it
  // Funded by Equal Shares. The price: what a supporter paying in full paid (uniform
  // satisfaction: approval ballots, cost or approval utility) or the price per point (points
  // utility), exact; the latter in units too, and rounded half up to a whole unit.
  std::string price_per_supporter;
  std::string price_per_point;
  std::string price_units;
  int64_t price_units_rounded = 0;
  std::string price_per_supporter_approx;  // either price rounded to cents, for people
  int64_t supporters_paid_full = 0;  // supporters (voters) who paid the full price
  int64_t supporters_paid_less = 0;  // who gave all they had left: more than 0, less than that
  int64_t supporters_paid_nothing = 0;  // supporters who had nothing left
  std::string max_payment;           // largest single payment
  // What those who paid less than the full price paid (all they had left): exact amount and
  // number of voters, largest amounts first; at most 20 entries, the rest summed up in
  // partial_payments_more_voters.
  std::vector<std::pair<std::string, int64_t>> partial_payments;
  int64_t partial_payments_more_voters = 0;
  // Not bought by Equal Shares although some voter supports it and it costs more than 0: the
  // moment its supporters could no longer pay for it, i.e. the first point of the (final) MES
  // run at which the sum of their remaining budgets fell below its cost. Money only leaves
  // budgets, so from then on it could not be bought; MES stops only when no candidate can be
  // bought, so every such project has this moment.
  //   unaffordable_after: how many projects were funded then (positions 1..n of the selection,
  //     free projects included; "from the start" when no supporter had paid anything yet);
  //     -1 when this does not apply.
  //   effective_support: the share of its cost its supporters' money covered then, "p/q" < 1;
  //   effective_support_percent: floor(100 * that), 0..99, or -1.
  //   spent_on: the projects funded before that moment that at least one of its supporters
  //     paid for (more than 0), in selection order; empty when it was never affordable.
  int unaffordable_after = -1;
  std::string effective_support;
  int effective_support_percent = -1;
  std::vector<int> spent_on;
  std::string note;                  // human-readable reason
};

struct Outcome {
  std::vector<int> selected;  // project indices in selection order
  int64_t total_cost = 0;     // units of 10^-money_decimals
  std::vector<ProjectReport> projects;  // one per project, in file order
  // add1 variants: how many MES runs the exact outcome needed, and the final per-voter budget.
  int mes_runs = 0;
  std::string final_budget_per_voter;  // "p/q" or integer
  std::string add1_stop;               // "next_infeasible", "exhaustive", "all_supported_selected"
};

// Counts the election. Errors (kInvalidArgument) for combinations that do not apply, e.g.
// points utility with approval ballots.
Result<Outcome> Count(const Election& election, const CountOptions& options);

// The pabutools reference key ("greedy", "mes_cost_add1_nx", ...) for options, as used in
// the expected outcomes; and the reverse. ParseRuleKey errors on unknown keys.
std::string RuleKey(const Election& election, const CountOptions& options);
Result<CountOptions> ParseRuleKey(const std::string& key);

}  // namespace ting::pb
