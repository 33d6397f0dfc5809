// `ting count FILE.pb --rule ...`: counts a Pabulib file with the ting::pb engine and prints the
// funded projects as a table or JSON, optionally with a per-project explanation.

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "commands.h"
#include "flags.h"
#include "ting/base/strings.h"
#include "ting/pb/count.h"
#include "ting/pb/pabulib.h"

namespace ting::app {
namespace {

constexpr const char* kCountHelp =
    "usage: ting count FILE.pb --rule greedy|mes|phragmen [flags]\n"
    "\n"
    "Counts a participatory budget from a Pabulib file, exactly (no floating point), with the\n"
    "outcome pabutools 1.2.3 gives.\n"
    "\n"
    "flags:\n"
    "  --rule R          greedy: by votes (approval) or total points (cumulative/scoring),\n"
    "                    add a project if it fits, else skip it\n"
    "                    mes: Method of Equal Shares\n"
    "                    phragmen: sequential Phragmén (stops at the first project that does not fit)\n"
    "  --utility U       cost (MES default) | approval | points (cumulative/scoring ballots)\n"
    "  --completion C    MES only: greedy | add1 | add1+greedy | add1-exhaustive |\n"
    "                    add1-exhaustive+greedy\n"
    "                    add1: per-voter budget B/n, B/n+1, ... keeping the last feasible outcome\n"
    "                    (equalshares.net); add1-exhaustive: stop at the first exhaustive outcome\n"
    "                    (pabutools voter_budget_increment=1)\n"
    "  --tie T           id (default: lexicographic project id) | cost (cheaper, then more votes, then id)\n"
    "  --json            print JSON: {\"rule\", \"selected\", \"total_cost\", \"projects\"}\n"
    "  --explain         add why each project was or was not funded\n"
    "  --help            this text\n"
    "\n"
    "exit codes: 0 counted, 1 bad input file, 2 bad flags\n";

std::string RuleLabel(const pb::Election& e, const pb::CountOptions& o, const std::string& rule_flag,
                      const std::string& utility_flag, const std::string& completion_flag) {
  std::string label = rule_flag;
  if (o.rule == pb::Rule::kMes) label += " --utility " + (utility_flag.empty() ? "cost" : utility_flag);
  if (!utility_flag.empty() && o.rule != pb::Rule::kMes) label += " --utility " + utility_flag;
  if (!completion_flag.empty()) label += " --completion " + completion_flag;
  return label;
}

void PrintJson(const pb::Election& e, const pb::Outcome& out, const std::string& rule_key,
               const std::string& label, bool explain) {
  const int d = e.money_decimals;
  std::ostringstream s;
  s << "{\"rule\": " << JsonQuote(rule_key) << ", \"flags\": " << JsonQuote(label)
    << ", \"selected\": [";
  for (size_t i = 0; i < out.selected.size(); ++i) {
    s << (i ? ", " : "") << JsonQuote(e.projects[out.selected[i]].id);
  }
  s << "], \"total_cost\": " << JsonQuote(pb::FormatDecimal(out.total_cost, d))
    << ", \"budget\": " << JsonQuote(pb::FormatDecimal(e.budget, d));
  if (!out.final_budget_per_voter.empty()) {
    s << ", \"budget_per_voter\": " << JsonQuote(out.final_budget_per_voter);
  }
  if (!out.add1_stop.empty()) {
    s << ", \"mes_runs\": " << out.mes_runs << ", \"add1_stop\": " << JsonQuote(out.add1_stop);
  }
  s << ", \"projects\": [";
  for (size_t j = 0; j < out.projects.size(); ++j) {
    const auto& r = out.projects[j];
    const auto& p = e.projects[j];
    s << (j ? ",\n  " : "\n  ") << "{\"id\": " << JsonQuote(p.id) << ", \"name\": " << JsonQuote(p.name)
      << ", \"cost\": " << JsonQuote(pb::FormatDecimal(p.cost, d)) << ", \"votes\": " << r.votes;
    if (e.HasPoints()) s << ", \"score\": " << JsonQuote(pb::FormatDecimal(r.score, e.points_decimals));
    s << ", \"selected\": " << (r.selected ? "true" : "false");
    if (r.selected) s << ", \"round\": " << r.round;
    if (explain) {
      s << ", \"explanation\": {\"stage\": " << JsonQuote(r.stage) << ", \"why\": " << JsonQuote(r.note);
      if (r.money_left >= 0) s << ", \"money_left\": " << JsonQuote(pb::FormatDecimal(r.money_left, d));
      if (!r.price_per_supporter.empty()) s << ", \"price_per_supporter\": " << JsonQuote(r.price_per_supporter);
      if (!r.price_per_point.empty()) s << ", \"price_per_point\": " << JsonQuote(r.price_per_point);
      if (!r.max_payment.empty()) {
        s << ", \"supporters_paid_full_price\": " << r.supporters_paid_full
          << ", \"supporters_paid_all_they_had_left\": " << r.supporters_paid_less
          << ", \"largest_payment\": " << JsonQuote(r.max_payment) << ", \"partial_payments\": [";
        for (size_t i = 0; i < r.partial_payments.size(); ++i) {
          s << (i ? ", " : "") << "{\"amount\": " << JsonQuote(r.partial_payments[i].first)
            << ", \"voters\": " << r.partial_payments[i].second << "}";
        }
        s << "]";
        if (r.partial_payments_more_voters) {
          s << ", \"partial_payments_more_voters\": " << r.partial_payments_more_voters;
        }
      }
      if (!r.effective_support.empty()) {
        s << ", \"effective_support\": " << JsonQuote(r.effective_support)
          << ", \"effective_support_percent\": " << r.effective_support_percent;
      }
      s << "}";
    }
    s << "}";
  }
  s << "\n]}\n";
  std::cout << s.str();
}

void PrintTable(const pb::Election& e, const pb::Outcome& out, const std::string& rule,
                bool explain) {
  const int d = e.money_decimals;
  std::ostringstream s;
  s << "rule: " << rule << "\n";
  s << "budget: " << pb::FormatDecimal(e.budget, d) << "   funded: " << pb::FormatDecimal(out.total_cost, d)
    << "   projects funded: " << out.selected.size() << " of " << e.projects.size()
    << "   voters: " << e.NumVoters() << "\n";
  if (!out.add1_stop.empty()) {
    s << "add1: budget per voter " << out.final_budget_per_voter << " after " << out.mes_runs
      << " MES runs (" << out.add1_stop << ")\n";
  }
  s << "\n  #  id            cost          votes  name\n";
  auto line = [&](int j) {
    const auto& r = out.projects[j];
    const auto& p = e.projects[j];
    char buf[128];
    std::string votes = e.HasPoints() ? std::to_string(r.votes) + "/" + pb::FormatDecimal(r.score, e.points_decimals)
                                      : std::to_string(r.votes);
    std::snprintf(buf, sizeof buf, "%3s  %-12s %14s %12s  ", r.selected ? std::to_string(r.round).c_str() : "-",
                  p.id.c_str(), pb::FormatDecimal(p.cost, d).c_str(), votes.c_str());
    s << buf << p.name << "\n";
    if (explain && !r.note.empty()) {
      s << "                 " << r.note;
      if (!r.price_per_supporter.empty()) s << "; price per supporter " << r.price_per_supporter_approx;
      if (!r.price_per_point.empty()) s << "; price per point " << r.price_per_supporter_approx;
      if (!r.max_payment.empty()) {
        s << "; " << r.supporters_paid_full << " paid in full, " << r.supporters_paid_less
          << " paid all they had left";
      }
      s << "\n";
    }
  };
  for (int j : out.selected) line(j);
  s << "  -- not funded --\n";
  for (size_t j = 0; j < out.projects.size(); ++j) {
    if (!out.projects[j].selected) line(static_cast<int>(j));
  }
  std::cout << s.str();
}

}  // namespace

int RunCount(const Args& args) {
  auto flags = Flags::Parse(args, FlagSpec{{"rule", "utility", "completion", "tie"},
                                           {"json", "explain", "help"}});
  if (!flags.ok()) return UsageError("count", flags.error().message);
  if (flags->Has("help")) {
    std::cout << kCountHelp;
    return 0;
  }
  if (flags->positional().size() != 1) {
    return UsageError("count", "expected exactly one FILE.pb (see ting count --help)");
  }
  pb::CountOptions o;
  std::string rule = flags->GetOr("rule", "");
  if (rule == "greedy") {
    o.rule = pb::Rule::kGreedy;
  } else if (rule == "mes") {
    o.rule = pb::Rule::kMes;
  } else if (rule == "phragmen") {
    o.rule = pb::Rule::kPhragmen;
  } else {
    return UsageError("count", rule.empty() ? "missing --rule greedy|mes|phragmen"
                                            : "unknown --rule '" + rule + "' (greedy, mes, phragmen)");
  }
  std::string utility = flags->GetOr("utility", "");
  if (utility == "cost") {
    o.utility = pb::Utility::kCost;
  } else if (utility == "approval") {
    o.utility = pb::Utility::kApproval;
  } else if (utility == "points") {
    o.utility = pb::Utility::kPoints;
  } else if (!utility.empty()) {
    return UsageError("count", "unknown --utility '" + utility + "' (cost, approval, points)");
  }
  std::string completion = flags->GetOr("completion", "");
  if (completion == "greedy") {
    o.completion = pb::Completion::kGreedy;
  } else if (completion == "add1") {
    o.completion = pb::Completion::kAdd1;
  } else if (completion == "add1+greedy") {
    o.completion = pb::Completion::kAdd1Greedy;
  } else if (completion == "add1-exhaustive") {
    o.completion = pb::Completion::kAdd1Exhaustive;
  } else if (completion == "add1-exhaustive+greedy") {
    o.completion = pb::Completion::kAdd1ExhaustiveGreedy;
  } else if (!completion.empty()) {
    return UsageError("count", "unknown --completion '" + completion +
                                   "' (greedy, add1, add1+greedy, add1-exhaustive, add1-exhaustive+greedy)");
  }
  if (!completion.empty() && o.rule != pb::Rule::kMes) {
    return UsageError("count", "--completion applies to --rule mes only");
  }
  std::string tie = flags->GetOr("tie", "id");
  if (tie == "id") {
    o.tie = pb::TieBreak::kId;
  } else if (tie == "cost") {
    o.tie = pb::TieBreak::kCost;
  } else {
    return UsageError("count", "unknown --tie '" + tie + "' (id, cost)");
  }
  o.explain = flags->Has("explain");

  auto election = pb::ReadPabulibFile(flags->positional()[0]);
  if (!election.ok()) {
    std::cerr << election.error().message << "\n";
    return 1;
  }
  if (o.utility == pb::Utility::kPoints && !election->HasPoints()) {
    std::cerr << flags->positional()[0] << ": --utility points needs cumulative or scoring ballots, this file has "
              << pb::VoteTypeName(election->vote_type) << " ballots\n";
    return 2;
  }
  auto outcome = pb::Count(*election, o);
  if (!outcome.ok()) {
    std::cerr << flags->positional()[0] << ": " << outcome.error().message << "\n";
    return 1;
  }
  std::string label = RuleLabel(*election, o, rule, utility, completion);
  if (flags->Has("json")) {
    PrintJson(*election, *outcome, pb::RuleKey(*election, o), label, o.explain);
  } else {
    PrintTable(*election, *outcome, label + " (" + pb::RuleKey(*election, o) + ")", o.explain);
  }
  return 0;
}

}  // namespace ting::app
