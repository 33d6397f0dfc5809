// Explanations against the engine's own payments: on many small random elections, for every
// rule and completion, each project's explanation is checked against what its supporters
// actually paid in the (final) MES run, recomputed here from the recorded payments.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "mes.h"
#include "profile.h"
#include "random_election_for_tests.h"
#include "ting/pb/count.h"

namespace ting::pb {
namespace {

Election RandomElection(uint32_t seed, bool cumulative) {
  return test_support::RandomElection(seed, {cumulative, /*free_projects=*/true});
}

mpq_class Rational(const std::string& s) {
  mpq_class q(s, 10);
  q.canonicalize();
  return q;
}

mpq_class Pow10(int e) {
  mpz_class r = 1;
  while (e-- > 0) r *= 10;
  return mpq_class(r);
}

mpq_class Units(int64_t v) { return mpq_class(static_cast<long>(v)); }

// Checks every explanation of `out` against a recorded MES run at the outcome's final budget
// per voter; greedy explanations against the selection. Returns how many explanations of each
// kind were checked: {mes funded, unaffordable, greedy funded, greedy not funded}.
std::vector<int> CheckExplanations(const Election& e, const CountOptions& o, const Outcome& out) {
  std::vector<int> checked(4, 0);
  const int m = static_cast<int>(e.projects.size());
  auto position = [&](int j) { return out.projects[j].round; };
  // Greedy parts: the money left when a funded project's turn came is the budget minus what
  // was funded before it; an unfunded one did not fit into what some prefix left.
  for (int j = 0; j < m; ++j) {
    const ProjectReport& r = out.projects[j];
    if (r.stage == "greedy" || r.stage == "greedy completion") {
      int64_t before = 0;
      for (int i : out.selected) {
        if (position(i) < r.round) before += e.projects[i].cost;
      }
      EXPECT_EQ(r.money_left, e.budget - before) << e.projects[j].id;
      EXPECT_LE(e.projects[j].cost, r.money_left);
      ++checked[2];
    } else if (!r.selected && r.money_left >= 0) {
      EXPECT_GT(e.projects[j].cost, r.money_left) << e.projects[j].id << " fitted";
      bool prefix = false;
      int64_t left = e.budget;
      for (size_t k = 0; k <= out.selected.size() && !prefix; ++k) {
        prefix = left == r.money_left;
        if (k < out.selected.size()) left -= e.projects[out.selected[k]].cost;
      }
      EXPECT_TRUE(prefix) << e.projects[j].id << ": money left " << r.money_left << " is no prefix of the selection";
      ++checked[3];
    }
  }
  if (o.rule != Rule::kMes || e.NumVoters() == 0) return checked;

  // The MES run the explanation speaks of, with its payments recorded.
  internal::Profile p = internal::BuildProfile(e, o.utility, o.tie);
  internal::Mes mes(p);
  const mpq_class b = Rational(out.final_budget_per_voter) * Pow10(e.money_decimals);
  internal::MesRun run = mes.Run(b, false, /*record_payments=*/true);
  const int free_count = static_cast<int>(mes.free_projects().size());
  // The run's selection is the start of the outcome's (a greedy completion may follow).
  EXPECT_GE(out.selected.size(), run.selected.size());
  EXPECT_TRUE(std::equal(run.selected.begin(), run.selected.end(), out.selected.begin()))
      << "the explained run is not the counted one";
  std::vector<int> purchase_of(m, -1);
  for (size_t i = 0; i < run.purchases.size(); ++i) purchase_of[run.purchases[i].project] = static_cast<int>(i);

  for (int j = 0; j < m; ++j) {
    const ProjectReport& r = out.projects[j];
    const mpq_class cost = Units(e.projects[j].cost);
    const bool by_mes = r.stage == "mes" || r.stage == "mes+add1";
    SCOPED_TRACE("project " + e.projects[j].id + " stage " + r.stage);
    if (by_mes) {
      EXPECT_EQ(r.unaffordable_after, -1);
      if (e.projects[j].cost == 0) {
        EXPECT_EQ(r.price_units, "0");
        EXPECT_EQ(purchase_of[j], -1);
        continue;
      }
      const int i = purchase_of[j];
      if (i < 0) {
        ADD_FAILURE() << "funded by MES without payments";
        continue;
      }
      const auto& sup = p.supporters[j];
      const mpq_class price = Rational(r.price_units);
      EXPECT_EQ(r.price_units_rounded, mpz_class((2 * price.get_num() + price.get_den()) / (2 * price.get_den())).get_si());
      EXPECT_EQ(Rational(p.uniform_sat ? r.price_per_supporter : r.price_per_point) * Pow10(e.money_decimals), price);
      int64_t full = 0, less = 0, nothing = 0;
      mpq_class full_sat = 0, partial = 0;
      for (size_t k = 0; k < sup.size(); ++k) {
        const mpq_class& pay = run.payments[i][k];
        const int64_t w = p.weight[sup[k].group];
        // price per supporter (uniform) or per point: the full price of this supporter
        const mpq_class due = p.uniform_sat ? price : price * static_cast<long>(sup[k].sat);
        EXPECT_LE(pay, due) << "paid more than the explained price";
        if (pay == due) {
          full += w;
          full_sat += mpq_class(static_cast<long>(w)) * (p.uniform_sat ? 1 : sup[k].sat);
        } else if (pay > 0) {
          less += w;
          partial += pay * static_cast<long>(w);
        } else {
          nothing += w;
        }
      }
      EXPECT_EQ(price * full_sat + partial, cost) << "price * full payers + partial payments != cost";
      EXPECT_EQ(r.supporters_paid_full, full);
      EXPECT_EQ(r.supporters_paid_less, less);
      EXPECT_EQ(r.supporters_paid_nothing, nothing);
      ++checked[0];
      continue;
    }
    // Not funded by MES (possibly funded by a greedy completion afterwards).
    if (p.supporters[j].empty() || e.projects[j].cost == 0) {
      EXPECT_EQ(r.unaffordable_after, -1);
      EXPECT_EQ(r.effective_support_percent, -1);
      continue;
    }
    const int after = r.unaffordable_after;
    if (after < free_count || after > static_cast<int>(run.selected.size())) {
      ADD_FAILURE() << "no moment at which it became unaffordable: " << after;
      continue;
    }
    // The supporters' money after the first `n` funded projects, from the payments.
    auto money_after = [&](int n) {
      mpq_class money = 0;
      for (const auto& s : p.supporters[j]) money += b * static_cast<long>(p.weight[s.group]);
      for (size_t i = 0; i < run.purchases.size(); ++i) {
        const int bought = run.purchases[i].project;
        if (position(bought) > n) continue;
        const auto& bsup = p.supporters[bought];
        for (size_t k = 0; k < bsup.size(); ++k) {
          for (const auto& s : p.supporters[j]) {
            if (s.group == bsup[k].group) money -= run.payments[i][k] * static_cast<long>(p.weight[s.group]);
          }
        }
      }
      return money;
    };
    const mpq_class money = money_after(after);
    EXPECT_LT(money, cost) << "still affordable at the moment named";
    if (after > free_count) {
      EXPECT_GE(money_after(after - 1), cost) << "already unaffordable before the moment named";
    }
    mpq_class share = money / cost;
    share.canonicalize();
    EXPECT_EQ(Rational(r.effective_support), share);
    const mpz_class percent = money.get_num() * 100 / (money.get_den() * cost.get_num());
    EXPECT_EQ(r.effective_support_percent, percent.get_si());
    EXPECT_LT(r.effective_support_percent, 100);
    // spent_on: exactly the projects funded before the moment that a supporter paid for.
    std::vector<int> spent;
    for (int bought : run.selected) {
      const int i = purchase_of[bought];
      if (i < 0 || position(bought) > after) continue;
      bool paid = false;
      const auto& bsup = p.supporters[bought];
      for (size_t k = 0; k < bsup.size() && !paid; ++k) {
        for (const auto& s : p.supporters[j]) paid |= s.group == bsup[k].group && run.payments[i][k] > 0;
      }
      if (paid) spent.push_back(bought);
    }
    EXPECT_EQ(r.spent_on, spent);
    EXPECT_EQ(r.spent_on.empty(), after == free_count) << "money falls only when supporters pay";
    ++checked[1];
  }
  return checked;
}

TEST(ExplanationTest, EveryExplanationAgreesWithThePayments) {
  struct Variant {
    Rule rule;
    Utility utility;
    Completion completion;
  };
  const std::vector<Variant> variants = {
      {Rule::kGreedy, Utility::kApproval, Completion::kNone},
      {Rule::kGreedy, Utility::kPoints, Completion::kNone},
      {Rule::kMes, Utility::kCost, Completion::kNone},
      {Rule::kMes, Utility::kApproval, Completion::kNone},
      {Rule::kMes, Utility::kPoints, Completion::kNone},
      {Rule::kMes, Utility::kCost, Completion::kGreedy},
      {Rule::kMes, Utility::kPoints, Completion::kGreedy},
      {Rule::kMes, Utility::kCost, Completion::kAdd1},
      {Rule::kMes, Utility::kPoints, Completion::kAdd1},
      {Rule::kMes, Utility::kCost, Completion::kAdd1Greedy},
      {Rule::kMes, Utility::kCost, Completion::kAdd1Exhaustive},
      {Rule::kMes, Utility::kPoints, Completion::kAdd1ExhaustiveGreedy},
  };
  std::vector<int> total(4, 0);
  int spent_on_named = 0;
  for (uint32_t seed = 0; seed < 300; ++seed) {
    const bool cumulative = seed % 2 == 1;
    Election e = RandomElection(seed, cumulative);
    SCOPED_TRACE("seed " + std::to_string(seed));
    for (const auto& v : variants) {
      if (v.utility == Utility::kPoints && !cumulative) continue;
      for (TieBreak tie : {TieBreak::kId, TieBreak::kCost}) {
        CountOptions o;
        o.rule = v.rule;
        o.utility = v.utility;
        o.completion = v.completion;
        o.tie = tie;
        o.explain = true;
        SCOPED_TRACE(RuleKey(e, o));
        auto out = Count(e, o);
        ASSERT_TRUE(out.ok()) << out.error().message;
        auto checked = CheckExplanations(e, o, *out);
        for (int k = 0; k < 4; ++k) total[k] += checked[k];
        for (const auto& r : out->projects) spent_on_named += !r.spent_on.empty();
      }
    }
  }
  // The elections exercise every kind of explanation many times.
  EXPECT_GT(total[0], 5000) << "MES purchases";
  EXPECT_GT(total[1], 3000) << "unaffordable projects";
  EXPECT_GT(total[2], 3000) << "greedy funded";
  EXPECT_GT(total[3], 1000) << "greedy not funded";
  EXPECT_GT(spent_on_named, 1000);
  std::printf("checked: %d MES purchases, %d unaffordable, %d greedy funded, %d greedy not funded; %d name spent_on\n",
              total[0], total[1], total[2], total[3], spent_on_named);
}

}  // namespace
}  // namespace ting::pb
