#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "results_internal.h"
#include "ting/pb/count.h"
#include "ting/pb/pabulib.h"

namespace ting::components {
namespace {

Budget MakeBudget(BallotType type, CountingRule rule, int64_t amount) {
  Budget b;
  b.id = 7;
  b.slug = "norr";
  b.name_sv = "Norr";
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
    out.push_back({++voter, b, "online", 0, 0});
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
  std::vector<std::vector<int64_t>> choices(60, {101});
  for (int i = 0; i < 40; ++i) choices.push_back({102, 103});
  auto r = CountBudget(MakeBudget(BallotType::kApproval, CountingRule::kMes, 1000), kProjects, Approvals(choices));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->rule, "mes");
  EXPECT_LE(r->spent, 1000);
  ASSERT_FALSE(r->selected.empty());
  const auto& funded = Find(*r, r->selected.front());
  EXPECT_TRUE(funded.explanation_key == "results.explain.mes_funded" || funded.explanation_key == "results.explain.completion_funded")
      << funded.explanation_key;
  for (const auto& p : r->projects) EXPECT_FALSE(p.explanation_key.empty()) << p.id;
}

TEST(CountBudget, CumulativeCountsPoints) {
  std::vector<StoredBallot> ballots;
  for (int v = 0; v < 5; ++v) {
    Ballot b;
    b.type = BallotType::kCumulative;
    b.points = {{101, 2}, {103, 8}};
    ballots.push_back({v + 1, b, "online", 0, 0});
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
  process.title_sv = "Medborgarbudget";
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

}  // namespace
}  // namespace ting::components
