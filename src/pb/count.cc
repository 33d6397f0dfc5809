#include "ting/pb/count.h"

#include <gmpxx.h>

#include <algorithm>

#include "certified_mes.h"
#include "greedy.h"
#include "mes.h"
#include "profile.h"

namespace ting::pb {
namespace {

using internal::Profile;

mpz_class Pow10z(int e) {
  mpz_class r = 1;
  while (e-- > 0) r *= 10;
  return r;
}

// Exact "p/q" (or "p") of a money amount held in 10^-decimals units.
std::string MoneyString(const mpq_class& scaled, int decimals) {
  mpq_class v = scaled / mpq_class(Pow10z(decimals));
  v.canonicalize();
  return v.get_str();
}

// The same amount rounded to cents for people ("999.69"); integer arithmetic only.
std::string MoneyApprox(const mpq_class& scaled, int decimals) {
  mpq_class v = scaled / mpq_class(Pow10z(decimals)) * 100;
  mpz_class cents = (2 * v.get_num() + v.get_den()) / (2 * v.get_den());
  return FormatDecimal(cents.get_si(), 2);
}

Utility Resolve(const Election& e, const CountOptions& o) {
  if (o.utility != Utility::kDefault) return o.utility;
  if (o.rule == Rule::kMes) return Utility::kCost;
  return e.HasPoints() ? Utility::kPoints : Utility::kApproval;
}

bool GreedyByPoints(const Election& e, const CountOptions& o) {
  // The greedy rule (and every greedy completion) ranks by total points on points ballots,
  // by supporters otherwise; an explicit --utility approval/cost on greedy ranks by supporters.
  if (o.rule == Rule::kGreedy) return Resolve(e, o) == Utility::kPoints;
  return e.HasPoints();
}

bool IsAdd1(Completion c) {
  return c == Completion::kAdd1 || c == Completion::kAdd1Greedy ||
         c == Completion::kAdd1Exhaustive || c == Completion::kAdd1ExhaustiveGreedy;
}
bool EndsWithGreedy(Completion c) {
  return c == Completion::kGreedy || c == Completion::kAdd1Greedy ||
         c == Completion::kAdd1ExhaustiveGreedy;
}

// Units rounded half up to a whole unit (integer arithmetic).
int64_t RoundedUnits(const mpq_class& units) {
  mpz_class r = (2 * units.get_num() + units.get_den()) / (2 * units.get_den());
  return r.get_si();
}

void FillMesExplanation(const Election& e, const Profile& p, const internal::MesRun& run,
                        std::vector<ProjectReport>* reports) {
  const int d = e.money_decimals;
  int round = 0;
  for (int j : run.selected) {
    ++round;
    auto& r = (*reports)[j];
    r.stage = "mes";
    r.round = round;
  }
  for (const auto& pur : run.purchases) {
    auto& r = (*reports)[pur.project];
    r.supporters_paid_full = pur.paid_full;
    r.supporters_paid_less = pur.paid_less;
    r.supporters_paid_nothing = pur.paid_nothing;
    r.max_payment = MoneyString(pur.max_payment, d);
    for (auto it = pur.partial_payments.rbegin(); it != pur.partial_payments.rend(); ++it) {
      if (r.partial_payments.size() < 20) {
        r.partial_payments.emplace_back(MoneyString(it->first, d), it->second);
      } else {
        r.partial_payments_more_voters += it->second;
      }
    }
    mpq_class price = pur.rho;
    if (p.uniform_sat) {
      price *= p.supporters[pur.project].empty() ? 0 : p.supporters[pur.project][0].sat;
      r.price_per_supporter = MoneyString(price, d);
    } else {
      r.price_per_point = MoneyString(price, d);
    }
    r.price_units = price.get_str();
    r.price_units_rounded = RoundedUnits(price);
    r.price_per_supporter_approx = MoneyApprox(price, d);
    r.note = "bought by its supporters in round " + std::to_string(r.round);
  }
  for (int j : run.selected) {
    auto& r = (*reports)[j];
    if (r.note.empty()) {
      r.note = "costs nothing; bought first";
      (p.uniform_sat ? r.price_per_supporter : r.price_per_point) = "0";
      r.price_units = "0";
    }
  }
  if (run.unaffordable_after.empty()) return;
  for (int j = 0; j < p.num_projects; ++j) {
    auto& r = (*reports)[j];
    if (r.round > 0) continue;
    if (run.unaffordable_after[j] >= 0) {
      mpq_class share = run.supporters_money[j] / mpq_class(static_cast<long>(p.cost[j]));
      share.canonicalize();
      r.unaffordable_after = run.unaffordable_after[j];
      r.effective_support = share.get_str();
      mpz_class pct = share.get_num() * 100 / share.get_den();
      r.effective_support_percent = static_cast<int>(pct.get_si());
      r.spent_on = run.spent_on[j];
    }
    if (p.supporters[j].empty()) {
      r.note = "no supporter under this utility";
    } else if (p.cost[j] > p.budget) {
      r.note = "costs more than the whole budget";
    } else if (r.unaffordable_after < 0) {
      r.note = "not bought";  // not reached: every candidate MES leaves has become unaffordable
    } else {
      r.note = "its supporters could pay only " + std::to_string(r.effective_support_percent) +
               "% of its cost";
      if (r.spent_on.empty()) {
        r.note += " from their whole shares";
      } else {
        r.note += " after paying for";
        for (size_t i = 0; i < r.spent_on.size(); ++i) {
          r.note += (i ? ", " : " ") + e.projects[r.spent_on[i]].id;
        }
        r.note += " (after round " + std::to_string(r.unaffordable_after) + ")";
      }
    }
  }
}

}  // namespace

Result<Outcome> Count(const Election& e, const CountOptions& o) {
  TING_RETURN_IF_ERROR(CheckCountable(e));
  const Utility utility = Resolve(e, o);
  if (utility == Utility::kPoints && !e.HasPoints()) {
    return Error::Invalid(std::string("points utility needs cumulative or scoring ballots; this file has ") +
                          VoteTypeName(e.vote_type) + " ballots");
  }
  if (o.rule != Rule::kMes && o.completion != Completion::kNone) {
    return Error::Invalid("--completion applies to --rule mes only");
  }
  Profile p = internal::BuildProfile(e, o.rule == Rule::kPhragmen ? Utility::kApproval : utility, o.tie);
  Outcome out;
  out.projects.resize(p.num_projects);
  for (int j = 0; j < p.num_projects; ++j) {
    out.projects[j].index = j;
    out.projects[j].votes = p.votes[j];
    out.projects[j].score = p.score[j];
  }
  const int d = e.money_decimals;
  const bool by_points = GreedyByPoints(e, o);

  auto greedy_fill = [&](const std::string& stage) {
    auto steps = internal::Greedy(p, out.selected, by_points);
    for (const auto& s : steps) {
      auto& r = out.projects[s.project];
      r.money_left = s.money_left;
      if (s.selected) {
        out.selected.push_back(s.project);
        r.stage = stage;
        r.round = static_cast<int>(out.selected.size());
        r.note = "fits: " + FormatDecimal(s.money_left, d) + " left when considered";
      } else if (r.note.empty() || o.rule == Rule::kGreedy) {
        r.note = "does not fit: " + FormatDecimal(s.money_left, d) + " left when considered, costs " +
                 FormatDecimal(p.cost[s.project], d);
      }
    }
  };

  if (o.rule == Rule::kGreedy) {
    greedy_fill("greedy");
  } else if (o.rule == Rule::kPhragmen) {
    // The certified run decides almost always; the rational one computes the loads shown by
    // --explain and decides whatever the certified run could not.
    std::optional<internal::PhragmenRun> certain;
    if (!o.explain) certain = internal::PhragmenCertified(p);
    internal::PhragmenRun run = certain ? std::move(*certain) : internal::Phragmen(p);
    out.selected = run.selected;
    int round = 0;
    for (int j : run.selected) {
      auto& r = out.projects[j];
      r.stage = "phragmen";
      r.round = ++round;
      r.note = certain ? "bought in round " + std::to_string(r.round)
                       : "bought when its supporters' load reached " + MoneyString(run.load[j], d);
    }
    if (run.stopped_at >= 0) {
      out.projects[run.stopped_at].note = "next in line but does not fit: the rule stops here";
    }
    for (auto& r : out.projects) {
      if (r.note.empty()) {
        r.note = p.cost[r.index] > p.budget ? "costs more than the whole budget"
                                            : "not reached before the rule stopped";
      }
    }
  } else {
    internal::Mes mes(p);
    internal::CertifiedMes fast(p);
    // MES outcome for one per-voter budget: the certified engine, or the rational one when the
    // certified engine cannot decide (exact ties it cannot see, out-of-range numbers).
    auto mes_at = [&](const mpq_class& b) {
      auto certain = fast.Run(b, b);
      if (certain) return *certain;
      return mes.Run(b, false).selected;
    };
    auto cost_of = [&](const std::vector<int>& sel) {
      int64_t c = 0;
      for (int j : sel) c += p.cost[j];
      return c;
    };
    if (p.num_voters == 0) {
      // pabutools returns the empty allocation when nobody voted.
    } else {
      // Canonical, as GMP requires of mpq operands (equality tests give wrong answers otherwise,
      // e.g. whether a supporter paid the full price).
      mpq_class base_(mpz_class(static_cast<long>(p.budget)), mpz_class(static_cast<long>(p.num_voters)));
      base_.canonicalize();
      const mpq_class base = base_;
      const mpz_class unit = Pow10z(d);  // one currency unit per voter
      if (!IsAdd1(o.completion)) {
        out.selected = mes_at(base);
        out.mes_runs = 1;
        out.final_budget_per_voter = MoneyString(base, d);
        if (o.explain) FillMesExplanation(e, p, mes.Run(base, true), &out.projects);
      } else {
        const bool exhaustive_stop =
            o.completion == Completion::kAdd1Exhaustive || o.completion == Completion::kAdd1ExhaustiveGreedy;
        // Per-voter budget base + k * unit for k = 0, 1, ...: the outcome of the last k before the
        // first infeasible one (or the first exhaustive one, or the first that funds every
        // supported project). A certified run over [k, k + width] proves one outcome for all
        // those k, so they are skipped together; the width doubles after each success and
        // halves after each failure.
        std::vector<int> previous = mes.free_projects();
        bool previous_known = true;  // false: only known to be one of several outcomes
        mpz_class previous_k = -1, k = 0, width = 0, stop_k;
        int cooldown = 0, backoff = 1;
        std::vector<char> in(p.num_projects);
        // Whether a selection ends the iteration: over budget, or (exhaustive variant) nothing
        // else fits, or every supported project is in.
        enum class Verdict { kGoOn, kInfeasible, kStop };
        auto verdict = [&](const std::vector<int>& outcome) {
          int64_t total = cost_of(outcome);
          if (total > p.budget) return Verdict::kInfeasible;
          std::fill(in.begin(), in.end(), 0);
          for (int j : outcome) in[j] = 1;
          bool all = true, exhaustive = true;
          for (int j : mes.eligible()) {
            if (in[j]) continue;
            all = false;
            if (total + p.cost[j] <= p.budget) exhaustive = false;
          }
          if (exhaustive_stop && exhaustive) {
            out.add1_stop = "exhaustive";
            return Verdict::kStop;
          }
          if (all) {
            out.add1_stop = "all_supported_selected";
            return Verdict::kStop;
          }
          return Verdict::kGoOn;
        };
        constexpr size_t kMaxOutcomes = 8;
        while (true) {
          mpq_class lo = base + mpq_class(k * unit);
          if (width > 0) {
            // Skip [k, k + width] at once if no outcome MES can give there ends the iteration.
            bool single_path = false;
            auto outcomes = fast.Outcomes(lo, base + mpq_class((k + width) * unit), kMaxOutcomes, &single_path);
            bool go_on = outcomes.has_value();
            for (size_t i = 0; go_on && i < outcomes->size(); ++i) {
              go_on = verdict((*outcomes)[i]) == Verdict::kGoOn;
            }
            if (!go_on) {
              if (width == 1) {
                // Even two budgets disagree: step one by one for a while before trying ranges
                // again, backing off further each time that happens.
                cooldown = backoff;
                backoff = std::min(backoff * 2, 64);
              }
              width /= 2;
              continue;
            }
            previous_known = single_path;
            if (previous_known) previous = std::move(outcomes->front());
            previous_k = k + width;
            k += width + 1;
            width *= 2;
            backoff = std::max(1, backoff / 2);
            continue;
          }
          std::vector<int> outcome = mes_at(lo);
          Verdict v = verdict(outcome);
          if (v == Verdict::kInfeasible) {
            out.add1_stop = "next_infeasible";
            stop_k = k;
            break;
          }
          if (v == Verdict::kStop) {
            previous = std::move(outcome);
            previous_known = true;
            previous_k = k;
            stop_k = k;
            break;
          }
          previous = std::move(outcome);
          previous_known = true;
          previous_k = k;
          k += 1;
          if (cooldown > 0) {
            --cooldown;
          } else {
            width = 1;
          }
        }
        mpq_class final_budget = base + mpq_class(previous_k * unit);
        if (previous_k < 0) final_budget = base;
        if (!previous_known) previous = mes_at(final_budget);
        out.selected = previous;
        // As pabutools counts them: one MES run per k up to the stopping one.
        out.mes_runs = static_cast<int>(stop_k.get_si()) + 1;
        out.final_budget_per_voter = MoneyString(final_budget, d);
        if (o.explain) {
          auto run = mes.Run(final_budget, true);
          FillMesExplanation(e, p, run, &out.projects);
          for (int j : run.selected) out.projects[j].stage = "mes+add1";
        }
      }
    }
    for (int j : out.selected) out.projects[j].selected = true;
    if (EndsWithGreedy(o.completion)) greedy_fill("greedy completion");
  }
  out.total_cost = 0;
  for (int j : out.selected) {
    out.total_cost += p.cost[j];
    out.projects[j].selected = true;
  }
  for (auto& r : out.projects) {
    if (!r.selected) r.round = 0;
  }
  return out;
}

std::string RuleKey(const Election& e, const CountOptions& o) {
  switch (o.rule) {
    case Rule::kPhragmen:
      return "phragmen";
    case Rule::kGreedy: {
      Utility u = Resolve(e, o);
      return e.HasPoints() && u != Utility::kPoints ? "greedy_votes" : "greedy";
    }
    case Rule::kMes:
      break;
  }
  std::string key = "mes_";
  switch (Resolve(e, o)) {
    case Utility::kApproval: key += "card"; break;
    case Utility::kPoints: key += "score"; break;
    default: key += "cost"; break;
  }
  switch (o.completion) {
    case Completion::kNone: break;
    case Completion::kGreedy: key += "_greedy"; break;
    case Completion::kAdd1: key += "_add1_nx"; break;
    case Completion::kAdd1Greedy: key += "_add1_nx_greedy"; break;
    case Completion::kAdd1Exhaustive: key += "_add1"; break;
    case Completion::kAdd1ExhaustiveGreedy: key += "_add1_greedy"; break;
  }
  return key;
}

Result<CountOptions> ParseRuleKey(const std::string& key) {
  CountOptions o;
  if (key == "greedy") {
    o.rule = Rule::kGreedy;
    return o;
  }
  if (key == "greedy_votes") {
    o.rule = Rule::kGreedy;
    o.utility = Utility::kApproval;
    return o;
  }
  if (key == "phragmen") {
    o.rule = Rule::kPhragmen;
    return o;
  }
  if (key.rfind("mes_", 0) != 0) return Error::Invalid("unknown rule key '" + key + "'");
  o.rule = Rule::kMes;
  std::string rest = key.substr(4);
  auto take = [&](const std::string& prefix) {
    if (rest.rfind(prefix, 0) == 0) {
      rest = rest.substr(prefix.size());
      return true;
    }
    return false;
  };
  if (take("cost")) {
    o.utility = Utility::kCost;
  } else if (take("card")) {
    o.utility = Utility::kApproval;
  } else if (take("score")) {
    o.utility = Utility::kPoints;
  } else {
    return Error::Invalid("unknown rule key '" + key + "'");
  }
  if (rest.empty()) {
    o.completion = Completion::kNone;
  } else if (rest == "_greedy") {
    o.completion = Completion::kGreedy;
  } else if (rest == "_add1_nx") {
    o.completion = Completion::kAdd1;
  } else if (rest == "_add1_nx_greedy") {
    o.completion = Completion::kAdd1Greedy;
  } else if (rest == "_add1") {
    o.completion = Completion::kAdd1Exhaustive;
  } else if (rest == "_add1_greedy") {
    o.completion = Completion::kAdd1ExhaustiveGreedy;
  } else {
    return Error::Invalid("unknown rule key '" + key + "'");
  }
  return o;
}

}  // namespace ting::pb
