#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include <gmpxx.h>

#include "../results_internal.h"
#include "ting/pb/count.h"
#include "ting/pb/pabulib.h"
// The engine's internals, to record its payments: the explanations are checked against what
// the voters actually paid, not against the engine's own report of it.
#include "../../../pb/mes.h"
#include "../../../pb/profile.h"

namespace ting::components {
namespace {

Budget MakeBudget(BallotType type, CountingRule rule, int64_t amount) {
  Budget b;
  b.id = 7;
  b.slug = "norr";
  b.name = Translated("sv", "Norr");
  b.amount = amount;
  b.ballot.type = type;
  b.ballot.points = 10;
  b.rule = rule;
  return b;
}

const std::vector<Project> kProjects = {{101, 7, "Lekplats", "", 600}, {102, 7, "Bänkar", "", 500}, {103, 7, "Belysning", "", 300}};

std::vector<StoredBallot> Approvals(const std::vector<std::vector<int64_t>>& choices) {
  std::vector<StoredBallot> out;
  int64_t voter = 0;
  for (const auto& c : choices) {
    Ballot b;
    b.type = BallotType::kApproval;
    b.projects = c;
    out.push_back({"a:" + std::to_string(++voter), b, "online", 0, 0});
  }
  return out;
}

const ProjectOutcome& Find(const BudgetResult& r, int64_t id) {
  return *std::find_if(r.projects.begin(), r.projects.end(), [&](const auto& p) { return p.id == id; });
}

TEST(CountBudget, GreedyExplainsMoneyLeft) {
  auto ballots = Approvals({{101, 102}, {101, 103}, {101, 102}, {103}});
  auto r = CountBudget(MakeBudget(BallotType::kApproval, CountingRule::kGreedy, 1000), kProjects, ballots);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->selected, (std::vector<int64_t>{101, 103})) << "102 (500) does not fit after 101 (600)";
  EXPECT_EQ(r->spent, 900);
  EXPECT_EQ(r->ballots, 4);
  const auto& skipped = Find(*r, 102);
  EXPECT_FALSE(skipped.funded);
  EXPECT_EQ(skipped.explanation_key, "results.explain.greedy_no_fit");
  EXPECT_EQ(skipped.vars.at("left"), "400");
  EXPECT_EQ(skipped.vars.at("stage"), "not_funded");
  EXPECT_EQ(Find(*r, 101).vars.at("stage"), "greedy");
  EXPECT_EQ(Find(*r, 101).votes, 3);
  EXPECT_EQ(Find(*r, 101).position, 1);
}

TEST(CountBudget, SameBallotsInAnyOrderGiveTheSameResult) {
  std::vector<std::vector<int64_t>> choices;
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::vector<int64_t> c;
    for (int64_t id : {101, 102, 103})
      if (rng() % 2) c.push_back(id);
    choices.push_back(c);
  }
  for (auto rule : {CountingRule::kGreedy, CountingRule::kMes}) {
    Budget budget = MakeBudget(BallotType::kApproval, rule, 1000);
    auto first = CountBudget(budget, kProjects, Approvals(choices));
    ASSERT_TRUE(first.ok()) << first.error().message;
    std::shuffle(choices.begin(), choices.end(), rng);
    auto second = CountBudget(budget, kProjects, Approvals(choices));
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(first->selected, second->selected);
    EXPECT_LE(first->spent, budget.amount);
  }
}

TEST(CountBudget, MesExplainsPayments) {
  // Two groups: 60 voters want 101, 40 want 102 and 103. MES gives each group its share.
  const std::vector<Project> projects = {{101, 7, "Lekplats", "", 600}, {102, 7, "Bänkar", "", 300}, {103, 7, "Belysning", "", 300}};
  std::vector<std::vector<int64_t>> choices(60, {101});
  for (int i = 0; i < 40; ++i) choices.push_back({102, 103});
  auto r = CountBudget(MakeBudget(BallotType::kApproval, CountingRule::kMes, 1000), projects, Approvals(choices));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->rule, "mes");
  EXPECT_LE(r->spent, 1000);
  // Each voter has 1000/100 = 10 öre (add1 would give each 1 kr more, enough for everything:
  // over budget). With cost utility the project with the most supporters per unit of cost
  // comes first: the 60 pay 10 each for 101; then the 40 pay 7.50 each for 102 (it ties with
  // 103 and has the smaller id) and keep 100 of the 300 that 103 costs: 33 %.
  EXPECT_EQ(r->selected, (std::vector<int64_t>{101, 102}));
  // The probe's case: under add1 the engine's stage is "mes+add1"; these projects were still
  // funded by Equal Shares, not "with money left over".
  for (int64_t id : r->selected) {
    const auto& funded = Find(*r, id);
    EXPECT_EQ(funded.vars.at("stage"), "mes");
    EXPECT_EQ(funded.explanation_key, "results.explain.mes_paid") << id;
  }
  EXPECT_EQ(Find(*r, 101).vars.at("price_per_supporter"), "10");
  EXPECT_EQ(Find(*r, 101).vars.at("supporters"), 60);
  EXPECT_EQ(Find(*r, 102).vars.at("price_per_supporter"), "15/2");
  EXPECT_EQ(Find(*r, 102).vars.at("price"), "8");
  EXPECT_EQ(Find(*r, 102).vars.at("paid_full"), 40);
  EXPECT_EQ(Find(*r, 102).vars.at("paid_less"), 0);
  const auto& unfunded = Find(*r, 103);
  EXPECT_EQ(unfunded.vars.at("stage"), "not_funded");
  EXPECT_EQ(unfunded.vars.at("percent"), 33);
  EXPECT_EQ(unfunded.vars.at("after"), 2);
  EXPECT_EQ(unfunded.vars.at("spent_on"), nlohmann::json::array({102}));
  EXPECT_EQ(unfunded.explanation_key, "results.explain.mes_spent");
  for (const auto& p : r->projects) EXPECT_FALSE(p.explanation_key.empty()) << p.id;
}

TEST(CountBudget, CumulativeCountsPoints) {
  std::vector<StoredBallot> ballots;
  for (int v = 0; v < 5; ++v) {
    Ballot b;
    b.type = BallotType::kCumulative;
    b.points = {{101, 2}, {103, 8}};
    ballots.push_back({"a:" + std::to_string(v + 1), b, "online", 0, 0});
  }
  auto r = CountBudget(MakeBudget(BallotType::kCumulative, CountingRule::kGreedy, 900), kProjects, ballots);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(Find(*r, 103).votes, 40);
  EXPECT_EQ(r->selected.front(), 103) << "most points first";
}

TEST(Export, PabulibRoundTripsAndCountsTheSame) {
  auto ballots = Approvals({{101, 102}, {101, 103}, {101, 102}, {103}});
  Budget budget = MakeBudget(BallotType::kApproval, CountingRule::kGreedy, 1000);
  Process process;
  process.id = 1;
  process.slug = "mb";
  process.title = Translated("sv", "Medborgarbudget");
  auto result = CountBudget(budget, kProjects, ballots);
  ASSERT_TRUE(result.ok());
  std::string text = ExportPabulib(process, budget, kProjects, ballots, *result, "secret");
  auto election = pb::ParsePabulib(text, "export.pb");
  ASSERT_TRUE(election.ok()) << election.error().message << "\n" << text;
  EXPECT_EQ(election->NumVoters(), 4u);
  EXPECT_EQ(election->projects.size(), 3u);
  auto outcome = pb::Count(*election, pb::CountOptions{});
  ASSERT_TRUE(outcome.ok());
  std::vector<std::string> ids;
  for (int i : outcome->selected) ids.push_back(election->projects[i].id);
  EXPECT_EQ(ids, (std::vector<std::string>{"101", "103"}));
  EXPECT_EQ(text, ExportPabulib(process, budget, kProjects, ballots, *result, "secret")) << "stable";
  EXPECT_NE(text, ExportPabulib(process, budget, kProjects, ballots, *result, "other")) << "the voter order depends on the secret";
}

// Random small budgets as residents would fill them: approval or cumulative ballots, greedy or
// Equal Shares (with add1, and with greedy completions the platform does not use), costs in
// öre, some project nobody votes for, some dearer than the budget, empty ballots.
struct RandomBudget {
  Budget budget;
  std::vector<Project> projects;
  std::vector<StoredBallot> ballots;
};

RandomBudget MakeRandomBudget(uint32_t seed, BallotType type, CountingRule rule) {
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  RandomBudget r;
  r.budget = MakeBudget(type, rule, 100 * uniform(10, 100));
  const int m = uniform(2, 8);
  for (int j = 0; j < m; ++j) {
    int64_t cost = uniform(0, 9) == 0 ? r.budget.amount + uniform(1, 5000) : 100 * uniform(1, 4) * 5 + (uniform(0, 2) == 0 ? uniform(1, 99) : 0);
    r.projects.push_back({201 + j * 3, 7, "Projekt " + std::to_string(j), "", cost});
  }
  const int n = uniform(0, 40);
  std::vector<Ballot> pool;
  for (int v = 0; v < n; ++v) {
    Ballot b;
    b.type = type;
    if (!pool.empty() && uniform(0, 2) == 0) {
      b = pool[uniform(0, static_cast<int>(pool.size()) - 1)];
    } else {
      for (const auto& p : r.projects) {
        if (uniform(0, 2) != 0) continue;
        if (type == BallotType::kCumulative) {
          b.points[p.id] = uniform(1, 4);
        } else {
          b.projects.push_back(p.id);
        }
      }
      pool.push_back(b);
    }
    r.ballots.push_back({"a:" + std::to_string(v + 1), b, "online", 0, 0});
  }
  return r;
}

mpq_class Exact(const std::string& s) {
  mpq_class q(s, 10);
  q.canonicalize();
  return q;
}

TEST(CountBudget, ExplanationsAgreeWithTheEnginesPayments) {
  using nlohmann::json;
  int mes_checked = 0, unaffordable_checked = 0, spent_on_checked = 0, left_checked = 0;
  for (uint32_t seed = 0; seed < 240; ++seed) {
    const BallotType type = seed % 2 ? BallotType::kCumulative : BallotType::kApproval;
    const CountingRule rule = seed % 4 < 2 ? CountingRule::kMes : CountingRule::kGreedy;
    RandomBudget rb = MakeRandomBudget(seed, type, rule);
    std::vector<pb::CountOptions> variants = {CountOptionsFor(rb.budget)};
    if (rule == CountingRule::kMes) {
      for (auto c : {pb::Completion::kGreedy, pb::Completion::kAdd1Greedy}) {
        variants.push_back(variants.front());
        variants.back().completion = c;
      }
    }
    for (const auto& options : variants) {
      SCOPED_TRACE("seed " + std::to_string(seed) + " completion " + std::to_string(static_cast<int>(options.completion)));
      auto counted = CountBudgetWith(rb.budget, rb.projects, rb.ballots, options);
      ASSERT_TRUE(counted.ok()) << counted.error().message;
      // Stored and loaded again: the same numbers, with their JSON types.
      auto stored = BudgetResult::FromJson(json::parse(counted->ToJson().dump()));
      ASSERT_TRUE(stored.ok()) << stored.error().message;
      const BudgetResult& r = *stored;
      ASSERT_EQ(r.projects.size(), rb.projects.size());
      for (size_t k = 0; k < r.projects.size(); ++k) EXPECT_EQ(r.projects[k].vars, counted->projects[k].vars);

      // The engine's view: project index j is rb.projects[j]; its payments in the MES run.
      Process none;
      pb::Election e = ToElection(none, rb.budget, rb.projects, rb.ballots, std::nullopt, "count");
      auto outcome = pb::Count(e, options);
      ASSERT_TRUE(outcome.ok());
      const int m = static_cast<int>(rb.projects.size());
      auto index_of = [&](int64_t id) {
        for (int j = 0; j < m; ++j)
          if (rb.projects[j].id == id) return j;
        return -1;
      };
      std::vector<int> position(m, 0);  // 1-based selection order, 0 when not funded
      for (size_t k = 0; k < r.selected.size(); ++k) position[index_of(r.selected[k])] = static_cast<int>(k) + 1;
      const bool mes = options.rule == pb::Rule::kMes && !rb.ballots.empty();
      pb::internal::Profile profile = pb::internal::BuildProfile(e, options.utility, options.tie);
      pb::internal::Mes engine(profile);
      mpq_class b = 0;
      pb::internal::MesRun run;
      if (mes) {
        b = Exact(outcome->final_budget_per_voter) * 100;  // kr -> öre
        run = engine.Run(b, false, /*record_payments=*/true);
      }
      const int free_count = static_cast<int>(engine.free_projects().size());
      std::vector<int> purchase_of(m, -1);
      for (size_t i = 0; i < run.purchases.size(); ++i) purchase_of[run.purchases[i].project] = static_cast<int>(i);
      // What the supporters of j had left after the first n funded projects.
      auto money_after = [&](int j, int n) {
        mpq_class money = 0;
        for (const auto& s : profile.supporters[j]) money += b * static_cast<long>(profile.weight[s.group]);
        for (size_t i = 0; i < run.purchases.size(); ++i) {
          const int bought = run.purchases[i].project;
          if (position[bought] > n) continue;
          const auto& paying = profile.supporters[bought];
          for (size_t k = 0; k < paying.size(); ++k)
            for (const auto& s : profile.supporters[j])
              if (s.group == paying[k].group) money -= run.payments[i][k] * static_cast<long>(profile.weight[s.group]);
        }
        return money;
      };

      for (const auto& o : r.projects) {
        const int j = index_of(o.id);
        const json& v = o.vars;
        SCOPED_TRACE("project " + std::to_string(o.id) + " " + v.dump());
        const std::string stage = v.at("stage").get<std::string>();
        const mpq_class cost(static_cast<long>(o.cost));
        EXPECT_EQ(v.at("cost"), std::to_string(o.cost));
        EXPECT_EQ(o.funded, stage != "not_funded");
        if (stage == "greedy" || stage == "completion") {
          // The money left when its turn came: the budget minus what was funded before it.
          int64_t before = 0;
          for (int k = 0; k < m; ++k)
            if (position[k] > 0 && position[k] < position[j]) before += rb.projects[k].cost;
          EXPECT_EQ(v.at("left"), std::to_string(rb.budget.amount - before));
          ++left_checked;
        } else if (stage == "mes") {
          ASSERT_TRUE(mes);
          const bool per_point = type == BallotType::kCumulative;
          const mpq_class price = Exact(v.at(per_point ? "price_per_point" : "price_per_supporter").get<std::string>());
          EXPECT_EQ(v.at("price"), mpz_class((2 * price.get_num() + price.get_den()) / (2 * price.get_den())).get_str());
          int64_t full = 0, less = 0;
          mpq_class full_sat = 0, partial = 0;
          if (purchase_of[j] >= 0) {
            const auto& sup = profile.supporters[j];
            for (size_t k = 0; k < sup.size(); ++k) {
              const mpq_class& pay = run.payments[purchase_of[j]][k];
              const int64_t w = profile.weight[sup[k].group];
              const int64_t sat = per_point ? sup[k].sat : 1;
              const mpq_class due = price * static_cast<long>(sat);
              EXPECT_LE(pay, due);
              if (pay == due) {
                full += w;
                full_sat += mpq_class(static_cast<long>(w * sat));
              } else if (pay > 0) {
                less += w;
                partial += pay * static_cast<long>(w);
              }
            }
          } else {
            EXPECT_EQ(o.cost, 0) << "funded by Equal Shares but nobody paid";
          }
          EXPECT_EQ(price * full_sat + partial, cost) << "price * full payers + partial payments != cost";
          EXPECT_EQ(v.at("supporters"), full + less) << "supporters = voters who paid more than 0";
          EXPECT_EQ(v.at("paid_full"), full);
          EXPECT_EQ(v.at("paid_less"), less);
          ++mes_checked;
        } else {
          ASSERT_EQ(stage, "not_funded");
          if (!mes || profile.supporters[j].empty() || o.cost == 0) {
            EXPECT_FALSE(v.contains("percent"));
            if (rule == CountingRule::kGreedy) {
              // Did not fit into what was left after some of the funded projects.
              const int64_t left = std::stoll(v.at("left").get<std::string>());
              EXPECT_GT(o.cost, left);
              bool prefix = false;
              int64_t remaining = rb.budget.amount;
              for (size_t k = 0; k <= r.selected.size() && !prefix; ++k) {
                prefix = remaining == left;
                if (k < r.selected.size()) remaining -= rb.projects[index_of(r.selected[k])].cost;
              }
              EXPECT_TRUE(prefix);
              ++left_checked;
            }
            continue;
          }
          // The deciding moment, found here from the payments: the first point at which its
          // supporters' money fell below its cost.
          int moment = -1;
          for (int n = free_count; n <= static_cast<int>(run.selected.size()) && moment < 0; ++n)
            if (money_after(j, n) < cost) moment = n;
          ASSERT_GE(moment, 0) << "its supporters could always pay for it, yet it was not funded";
          EXPECT_EQ(v.at("after"), moment);
          const mpq_class money = money_after(j, moment);
          const mpz_class percent = money.get_num() * 100 / (money.get_den() * o.cost);
          ASSERT_TRUE(v.at("percent").is_number_integer());
          EXPECT_EQ(v.at("percent").get<int64_t>(), percent.get_si());
          EXPECT_LT(v.at("percent").get<int64_t>(), 100);
          EXPECT_GE(v.at("percent").get<int64_t>(), 0);
          ++unaffordable_checked;
          // spent_on: funded projects, funded before the moment, that a supporter paid for; and
          // every such project.
          std::vector<int64_t> expected;
          for (int bought : run.selected) {
            const int i = purchase_of[bought];
            if (i < 0 || position[bought] > moment) continue;
            bool paid = false;
            const auto& paying = profile.supporters[bought];
            for (size_t k = 0; k < paying.size(); ++k)
              for (const auto& s : profile.supporters[j]) paid |= s.group == paying[k].group && run.payments[i][k] > 0;
            if (paid) expected.push_back(rb.projects[bought].id);
          }
          if (expected.empty()) {
            EXPECT_FALSE(v.contains("spent_on"));
          } else {
            ASSERT_TRUE(v.contains("spent_on"));
            EXPECT_EQ(v.at("spent_on"), json(expected));
            for (const auto& id : v.at("spent_on"))
              EXPECT_NE(std::find(r.selected.begin(), r.selected.end(), id.get<int64_t>()), r.selected.end());
            ++spent_on_checked;
          }
          if (o.cost <= rb.budget.amount) {
            EXPECT_EQ(o.explanation_key, expected.empty() ? "results.explain.mes_short" : "results.explain.mes_spent");
          }
        }
      }
    }
  }
  EXPECT_GT(mes_checked, 300);
  EXPECT_GT(unaffordable_checked, 300);
  EXPECT_GT(spent_on_checked, 150);
  EXPECT_GT(left_checked, 300);
  std::printf("checked %d Equal Shares payments, %d unaffordable (%d naming spent_on), %d money left\n", mes_checked,
              unaffordable_checked, spent_on_checked, left_checked);
}

// A project taken off the ballot during voting: ballots that chose it count without it, and the
// report accounts for every ballot (none dropped silently), also after storing and loading.
TEST(CountBudget, ReportsWhatHappenedToEveryBallot) {
  Budget budget = MakeBudget(BallotType::kApproval, CountingRule::kGreedy, 1000);
  std::vector<Project> remaining = {kProjects[0], kProjects[2]};  // 102 was removed
  auto ballots = Approvals({{101, 102}, {102}, {101, 103}, {}, {102, 103}, {999}});
  std::vector<BallotChange> changes = {{1, 7, 102, "Bänkar", "Marken är inte kommunens.", 42, 1700000000}};
  auto r = CountBudget(budget, remaining, ballots, changes);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const BallotReport& report = r->ballot_report;
  EXPECT_EQ(report.ballots, 6);
  EXPECT_EQ(report.counted_in_full, 2) << "{101,103} and the empty ballot";
  EXPECT_EQ(report.counted_in_part, 2) << "{101,102} and {102,103}";
  EXPECT_EQ(report.counted_for_nothing, 2) << "{102} and {999}";
  EXPECT_EQ(report.ballots, report.counted_in_full + report.counted_in_part + report.counted_for_nothing);
  ASSERT_EQ(report.removed.size(), 2u);
  EXPECT_EQ(report.removed[0].id, 102);
  EXPECT_EQ(report.removed[0].ballots, 3);
  EXPECT_EQ(report.removed[0].reason, "Marken är inte kommunens.");
  EXPECT_EQ(report.removed[1].id, 999) << "a choice of a project gone without a record is reported too";
  EXPECT_EQ(report.removed[1].ballots, 1);
  // The count itself saw 101 twice and 103 twice: the removed project's votes went nowhere.
  for (const auto& p : r->projects) EXPECT_EQ(p.votes, 2) << p.id;
  auto loaded = BudgetResult::FromJson(r->ToJson());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->ballot_report.ToJson(), report.ToJson());
}

TEST(BudgetResult, ResultsStoredBeforeStagesStillLoad) {
  // As stored by earlier versions: every value a string, no "stage"; Equal Shares projects
  // funded under add1 were said to be "funded with money left over".
  auto stored = nlohmann::json::parse(R"({"rule": "mes", "budget": 1000, "currency": "SEK", "ballots": 3,
    "selected": [101], "spent": 600, "counted_at": 5, "projects": [
    {"id": 101, "title": "Lekplats", "cost": 600, "votes": 3, "funded": true, "position": 1, "money_left_at_turn": -1,
     "explanation_key": "results.explain.completion_funded", "explanation_vars": {"cost": "600", "left": "0"}},
    {"id": 102, "title": "Bänkar", "cost": 500, "votes": 2, "funded": false, "position": 0,
     "explanation_key": "results.explain.mes_not_funded", "explanation_vars": {"cost": "500", "percent": "100"}},
    {"id": 103, "title": "Belysning", "cost": 300, "votes": 0, "funded": false, "position": 0,
     "explanation_key": "results.explain.no_votes", "explanation_vars": {"cost": "300"}}]})");
  auto r = BudgetResult::FromJson(stored);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(Find(*r, 101).vars, nlohmann::json({{"stage", "mes"}, {"cost", "600"}}));
  EXPECT_EQ(Find(*r, 101).explanation_key, "results.explain.outdated_funded");
  EXPECT_EQ(Find(*r, 102).vars, nlohmann::json({{"stage", "not_funded"}, {"cost", "500"}}));
  EXPECT_EQ(Find(*r, 102).explanation_key, "results.explain.outdated_not_funded");
  EXPECT_EQ(Find(*r, 103).explanation_key, "results.explain.no_votes");
  stored["rule"] = "greedy";
  stored["projects"][1]["explanation_key"] = "results.explain.greedy_no_fit";
  stored["projects"][1]["explanation_vars"] = {{"cost", "500"}, {"left", "400"}};
  r = BudgetResult::FromJson(stored);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Find(*r, 102).explanation_key, "results.explain.greedy_no_fit") << "greedy explanations were true";
  EXPECT_EQ(Find(*r, 102).vars.at("left"), "400");
  EXPECT_EQ(Find(*r, 102).vars.at("stage"), "not_funded");
  stored["projects"][1]["explanation_vars"] = "damaged";
  EXPECT_FALSE(BudgetResult::FromJson(stored).ok());
}

}  // namespace
}  // namespace ting::components
