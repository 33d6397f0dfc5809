// Property tests: invariance under shuffling ballots and order-preserving renaming, budget
// feasibility, greedy exhaustiveness, MES payments forming a price system, and the fast
// certified MES/add1 agreeing with a plain rational implementation on random elections.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "certified_mes.h"
#include "greedy.h"
#include "mes.h"
#include "profile.h"
#include "random_election_for_tests.h"
#include "ting/pb/count.h"
#include "ting/pb/pabulib.h"

namespace ting::pb {
namespace {

const std::string kDataDir = std::string(TING_SOURCE_DIR) + "/tests/data/pabulib";

const char* kAllKeys[] = {"greedy", "greedy_votes", "phragmen", "mes_cost", "mes_card", "mes_score",
                          "mes_cost_greedy", "mes_cost_add1", "mes_cost_add1_greedy", "mes_cost_add1_nx",
                          "mes_cost_add1_nx_greedy", "mes_score_add1", "mes_score_add1_greedy"};

std::vector<CountOptions> ApplicableOptions(const Election& e) {
  std::vector<CountOptions> out;
  for (const char* key : kAllKeys) {
    auto o = ParseRuleKey(key);
    EXPECT_TRUE(o.ok());
    if (o->utility == Utility::kPoints && !e.HasPoints()) continue;
    if (std::string(key) == "greedy_votes" && !e.HasPoints()) continue;
    for (TieBreak tie : {TieBreak::kId, TieBreak::kCost}) {
      CountOptions c = *o;
      c.tie = tie;
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> SelectedIds(const Election& e, const Outcome& o) {
  std::vector<std::string> ids;
  for (int j : o.selected) ids.push_back(e.projects[j].id);
  return ids;
}

// The same election with voters in another order.
Election Shuffled(const Election& e, uint32_t seed) {
  std::vector<size_t> order(e.NumVoters());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  Election s = e;
  s.ballot_offsets = {0};
  s.ballot_projects.clear();
  s.ballot_points.clear();
  s.extra_values.clear();
  const size_t extra = e.NumExtraColumns();
  for (size_t v : order) {
    for (uint32_t k = e.ballot_offsets[v]; k < e.ballot_offsets[v + 1]; ++k) {
      s.ballot_projects.push_back(e.ballot_projects[k]);
      if (e.HasPoints()) s.ballot_points.push_back(e.ballot_points[k]);
    }
    s.ballot_offsets.push_back(static_cast<uint32_t>(s.ballot_projects.size()));
    for (size_t c = 0; c < extra; ++c) s.extra_values.push_back(e.extra_values[v * extra + c]);
  }
  return s;
}

// Ids replaced by "P" + a zero-padded rank in the old lexicographic order: same order.
Election Renamed(const Election& e) {
  std::vector<int> order(e.projects.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return e.projects[a].id < e.projects[b].id; });
  Election r = e;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "P%05zu", rank);
    r.projects[order[rank]].id = buf;
  }
  return r;
}

class InvarianceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(InvarianceTest, ShufflingBallotsAndRenamingProjectsChangeNothing) {
  auto e = ReadPabulibFile(kDataDir + "/" + GetParam());
  ASSERT_TRUE(e.ok()) << e.error().message;
  Election shuffled = Shuffled(*e, 12345);
  Election renamed = Renamed(*e);
  // Through the writer and reader too: the exported file counts the same.
  auto reread = ParsePabulib(WritePabulib(shuffled), "shuffled.pb");
  ASSERT_TRUE(reread.ok()) << reread.error().message;
  for (const auto& o : ApplicableOptions(*e)) {
    SCOPED_TRACE(RuleKey(*e, o) + (o.tie == TieBreak::kCost ? " tie=cost" : " tie=id"));
    auto a = Count(*e, o);
    auto b = Count(shuffled, o);
    auto c = Count(renamed, o);
    auto d = Count(*reread, o);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
    EXPECT_EQ(a->selected, b->selected);
    EXPECT_EQ(a->selected, c->selected);
    EXPECT_EQ(a->selected, d->selected);
    EXPECT_LE(a->total_cost, e->budget);
  }
}

INSTANTIATE_TEST_SUITE_P(Files, InvarianceTest,
                         ::testing::Values("Poland_Wieliczka_2023_Green_Budget.pb", "Poland_Katowice_2024_Murcki.pb",
                                           "Switzerland_Zurich_D10.pb", "Netherlands_Assen_2024.pb",
                                           "Poland_Swiecie_2023.pb", "France_Toulouse_2019.pb"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.size() - 3);
                           for (char& ch : n) {
                             if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

Election RandomElection(uint32_t seed, bool cumulative) {
  return test_support::RandomElection(seed, {cumulative, /*free_projects=*/false});
}

// add1 by the book: step the per-voter budget by one unit with the rational engine.
std::vector<int> NaiveAdd1(const internal::Profile& p, internal::Mes& mes, bool exhaustive_stop) {
  if (p.num_voters == 0) return {};
  mpq_class b(mpz_class(static_cast<long>(p.budget)), mpz_class(static_cast<long>(p.num_voters)));
  b.canonicalize();
  std::vector<int> previous = mes.free_projects();
  for (int step = 0; step < 200000; ++step) {
    auto run = mes.Run(b, false);
    if (run.total_cost > p.budget) return previous;
    std::vector<char> in(p.num_projects, 0);
    for (int j : run.selected) in[j] = 1;
    bool all = true, exhaustive = true;
    for (int j : mes.eligible()) {
      if (in[j]) continue;
      all = false;
      if (run.total_cost + p.cost[j] <= p.budget) exhaustive = false;
    }
    if ((exhaustive_stop && exhaustive) || all) return run.selected;
    previous = run.selected;
    b += 1;
  }
  ADD_FAILURE() << "naive add1 did not stop";
  return previous;
}

void CheckPriceSystem(const internal::Profile& p, const mpq_class& b, const internal::MesRun& run) {
  ASSERT_EQ(run.payments.size(), run.purchases.size());
  std::vector<mpq_class> spent(p.weight.size(), 0);
  for (size_t i = 0; i < run.purchases.size(); ++i) {
    const int j = run.purchases[i].project;
    const auto& sup = p.supporters[j];
    ASSERT_EQ(run.payments[i].size(), sup.size());
    mpq_class total = 0;
    for (size_t k = 0; k < sup.size(); ++k) {
      const mpq_class& pay = run.payments[i][k];
      const int g = sup[k].group;
      EXPECT_GE(pay, 0);
      const mpq_class full = run.purchases[i].rho * static_cast<long>(sup[k].sat);
      EXPECT_LE(pay, full) << "pays more than the price";
      spent[g] += pay;
      EXPECT_LE(spent[g], b) << "a voter pays more than their budget";
      // Equal shares: a supporter pays the full price unless that leaves them with nothing.
      if (pay != full) EXPECT_EQ(spent[g], b) << "paid less while money was left";
      total += pay * static_cast<long>(p.weight[g]);
    }
    EXPECT_EQ(total, mpq_class(static_cast<long>(p.cost[j]))) << "project not exactly paid for";
  }
  for (size_t g = 0; g < p.weight.size(); ++g) EXPECT_EQ(spent[g] + run.final_budget[g], b);
  // MES stops only when no remaining project can be paid for by its supporters.
  std::vector<char> in(p.num_projects, 0);
  for (int j : run.selected) in[j] = 1;
  for (int j = 0; j < p.num_projects; ++j) {
    if (in[j] || p.supporters[j].empty() || p.cost[j] == 0) continue;
    mpq_class can = 0;
    for (const auto& s : p.supporters[j]) can += run.final_budget[s.group] * static_cast<long>(p.weight[s.group]);
    EXPECT_LT(can, mpq_class(static_cast<long>(p.cost[j]))) << "an affordable project was left";
  }
}

TEST(RandomElectionTest, InvariantsAndFastEnginesAgreeWithRationalOnes) {
  int add1_checked = 0, ranges_checked = 0, phragmen_checked = 0;
  for (uint32_t seed = 0; seed < 400; ++seed) {
    const bool cumulative = seed % 2 == 1;
    Election e = RandomElection(seed, cumulative);
    SCOPED_TRACE("seed " + std::to_string(seed));
    for (const auto& o : ApplicableOptions(e)) {
      SCOPED_TRACE(RuleKey(e, o));
      auto out = Count(e, o);
      ASSERT_TRUE(out.ok()) << out.error().message;
      EXPECT_LE(out->total_cost, e.budget);
      std::vector<int> sorted = out->selected;
      std::sort(sorted.begin(), sorted.end());
      EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << "selected twice";
      if (o.rule == Rule::kGreedy || o.completion == Completion::kGreedy ||
          o.completion == Completion::kAdd1Greedy || o.completion == Completion::kAdd1ExhaustiveGreedy) {
        // Greedy (and greedy completion) leaves nothing that would still fit.
        std::vector<char> in(e.projects.size(), 0);
        for (int j : out->selected) in[j] = 1;
        for (size_t j = 0; j < e.projects.size(); ++j) {
          if (!in[j]) EXPECT_GT(e.projects[j].cost, e.budget - out->total_cost) << "greedy not exhaustive";
        }
      }
    }
    for (TieBreak tie : {TieBreak::kId, TieBreak::kCost}) {
      internal::Profile p = internal::BuildProfile(e, Utility::kApproval, tie);
      auto certain = internal::PhragmenCertified(p);
      auto exact = internal::Phragmen(p);
      if (certain) {
        ++phragmen_checked;
        EXPECT_EQ(certain->selected, exact.selected) << "certified Phragmén disagrees";
        EXPECT_EQ(certain->stopped_at, exact.stopped_at);
      }
    }
    for (Utility u : {Utility::kCost, Utility::kApproval, Utility::kPoints}) {
      if (u == Utility::kPoints && !cumulative) continue;
      for (TieBreak tie : {TieBreak::kId, TieBreak::kCost}) {
        internal::Profile p = internal::BuildProfile(e, u, tie);
        if (p.num_voters == 0) continue;
        internal::Mes mes(p);
        internal::CertifiedMes fast(p);
        mpq_class base(mpz_class(static_cast<long>(p.budget)), mpz_class(static_cast<long>(p.num_voters)));
        base.canonicalize();
        for (int k = 0; k < 6; ++k) {
          mpq_class b = base + k * 3;
          auto exact = mes.Run(b, false, true);
          CheckPriceSystem(p, b, exact);
          auto certain = fast.Run(b, b);
          if (certain) EXPECT_EQ(*certain, exact.selected) << "certified engine disagrees at k=" << k;
          // A certified range must contain the exact outcome of each budget in it.
          bool single = false;
          auto range = fast.Outcomes(b, b + 5, 8, &single);
          if (range) {
            ++ranges_checked;
            for (int step = 0; step <= 5; ++step) {
              auto at = mes.Run(b + step, false).selected;
              std::sort(at.begin(), at.end());
              bool found = false;
              for (auto sel : *range) {
                if (single) EXPECT_EQ(sel, mes.Run(b + step, false).selected);
                std::sort(sel.begin(), sel.end());
                found |= sel == at;
              }
              EXPECT_TRUE(found) << "range outcome misses budget +" << step;
            }
          }
        }
        if (u == Utility::kApproval) continue;  // add1 is defined for cost and points utilities
        for (bool exhaustive : {true, false}) {
          CountOptions o;
          o.rule = Rule::kMes;
          o.utility = u;
          o.tie = tie;
          o.completion = exhaustive ? Completion::kAdd1Exhaustive : Completion::kAdd1;
          auto out = Count(e, o);
          ASSERT_TRUE(out.ok());
          EXPECT_EQ(out->selected, NaiveAdd1(p, mes, exhaustive)) << "add1 differs from stepping by one";
          ++add1_checked;
        }
      }
    }
  }
  EXPECT_GT(add1_checked, 500);
  EXPECT_GT(ranges_checked, 500);
  EXPECT_GT(phragmen_checked, 300);
}

TEST(CountTest, OptionsThatDoNotApplyAreErrors) {
  Election e = RandomElection(3, false);
  CountOptions o;
  o.rule = Rule::kMes;
  o.utility = Utility::kPoints;
  auto out = Count(e, o);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("points"), std::string::npos);
  o.utility = Utility::kCost;
  o.rule = Rule::kGreedy;
  o.completion = Completion::kGreedy;
  EXPECT_FALSE(Count(e, o).ok());
  EXPECT_FALSE(ParseRuleKey("mes_magic").ok());
  EXPECT_FALSE(ParseRuleKey("borda").ok());
}

TEST(CountTest, ExplanationsSayWhy) {
  auto e = ReadPabulibFile(kDataDir + "/Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb");
  ASSERT_TRUE(e.ok());
  CountOptions o;
  o.rule = Rule::kMes;
  o.explain = true;
  auto out = Count(*e, o);
  ASSERT_TRUE(out.ok());
  ASSERT_FALSE(out->selected.empty());
  for (const auto& r : out->projects) {
    EXPECT_FALSE(r.note.empty());
    if (r.selected) {
      EXPECT_FALSE(r.price_per_supporter.empty());
      EXPECT_GT(r.supporters_paid_full + r.supporters_paid_less, 0);
    } else {
      EXPECT_GE(r.effective_support_percent, 0);
      EXPECT_LT(r.effective_support_percent, 100);
    }
  }
  // With add1 too (as the platform counts): every supported project left unfunded has the
  // moment it became unaffordable, and a share below 100 %.
  auto w = ReadPabulibFile(kDataDir + "/Poland_Wieliczka_2023_Green_Budget.pb");
  ASSERT_TRUE(w.ok());
  CountOptions add1 = o;
  add1.completion = Completion::kAdd1;
  auto counted = Count(*w, add1);
  ASSERT_TRUE(counted.ok());
  int unaffordable = 0;
  for (const auto& r : counted->projects) {
    if (r.selected) {
      EXPECT_EQ(r.stage, "mes+add1");
      EXPECT_FALSE(r.price_units.empty());
    } else if (r.votes > 0) {
      EXPECT_GE(r.unaffordable_after, 0) << w->projects[r.index].id;
      EXPECT_LT(r.effective_support_percent, 100);
      ++unaffordable;
    }
  }
  EXPECT_GT(unaffordable, 0);
  o.rule = Rule::kGreedy;
  out = Count(*e, o);
  ASSERT_TRUE(out.ok());
  int64_t left = e->budget;
  for (int j : out->selected) {
    EXPECT_EQ(out->projects[j].money_left, left);
    left -= e->projects[j].cost;
  }
}

}  // namespace
}  // namespace ting::pb
