#include <gtest/gtest.h>

#include "ting/components/voting.h"

namespace ting::components {
namespace {

using json = nlohmann::json;

Budget MakeBudget(BallotRules rules, int64_t amount = 1000) {
  Budget b;
  b.id = 1;
  b.amount = amount;
  b.ballot = rules;
  return b;
}

const std::vector<Project> kProjects = {{11, 1, "Lekplats", "", 600}, {12, 1, "Parkbänkar", "", 300}, {13, 1, "Belysning", "", 200}};

Ballot Parse(BallotType t, const char* text) {
  auto b = Ballot::FromJson(t, json::parse(text));
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().message);
  return b.ok() ? *b : Ballot{};
}

std::string Problem(const Ballot& b, const Budget& budget) {
  auto p = ValidateBallot(b, budget, kProjects);
  return p ? p->key : "";
}

TEST(Ballot, ApprovalLimits) {
  Budget budget = MakeBudget({BallotType::kApproval, 1, 2, 0, 0});
  EXPECT_EQ(Problem(Parse(BallotType::kApproval, R"({"projects":[11,12]})"), budget), "");
  EXPECT_EQ(Problem(Parse(BallotType::kApproval, R"({"projects":[11,12,13]})"), budget), "ballot.problem.too_many");
  EXPECT_EQ(Problem(Parse(BallotType::kApproval, R"({"projects":[]})"), budget), "ballot.problem.too_few");
  EXPECT_EQ(Problem(Parse(BallotType::kApproval, R"({"projects":[11,11]})"), budget), "ballot.problem.duplicate");
  EXPECT_EQ(Problem(Parse(BallotType::kApproval, R"({"projects":[99]})"), budget), "ballot.problem.unknown_project");
  EXPECT_EQ(Problem(Parse(BallotType::kApproval, R"({"projects":["12"]})"), budget), "") << "string ids are accepted";
}

TEST(Ballot, KnapsackMustFitTheBudget) {
  Budget budget = MakeBudget({BallotType::kKnapsack}, 900);
  EXPECT_EQ(Problem(Parse(BallotType::kKnapsack, R"({"projects":[11,12]})"), budget), "") << "600 + 300 = 900 fits exactly";
  auto over = ValidateBallot(Parse(BallotType::kKnapsack, R"({"projects":[11,12,13]})"), budget, kProjects);
  ASSERT_TRUE(over.has_value());
  EXPECT_EQ(over->key, "ballot.problem.over_budget");
  EXPECT_EQ(over->vars.at("cost"), "1100");
}

TEST(Ballot, CumulativePoints) {
  Budget budget = MakeBudget({BallotType::kCumulative, 0, 0, 10, 6});
  EXPECT_EQ(Problem(Parse(BallotType::kCumulative, R"({"points":{"11":6,"12":4}})"), budget), "");
  EXPECT_EQ(Problem(Parse(BallotType::kCumulative, R"({"points":{"11":6,"12":5}})"), budget), "ballot.problem.too_many_points");
  EXPECT_EQ(Problem(Parse(BallotType::kCumulative, R"({"points":{"11":7}})"), budget), "ballot.problem.too_many_on_one");
  EXPECT_EQ(Problem(Parse(BallotType::kCumulative, R"({"points":{"99":1}})"), budget), "ballot.problem.unknown_project");
  EXPECT_FALSE(Ballot::FromJson(BallotType::kCumulative, json::parse(R"({"points":{"11":-1}})")).ok());
  EXPECT_TRUE(Parse(BallotType::kCumulative, R"({"points":{"11":0}})").points.empty()) << "zero points are no points";
}

TEST(Ballot, RankingKeepsOrderAndRoundTrips) {
  Budget budget = MakeBudget({BallotType::kRanking, 0, 2, 0, 0});
  Ballot b = Parse(BallotType::kRanking, R"({"ranking":[13,11]})");
  EXPECT_EQ(b.projects, (std::vector<int64_t>{13, 11}));
  EXPECT_EQ(Problem(b, budget), "");
  EXPECT_EQ(b.ToJson(), json::parse(R"({"ranking":[13,11]})"));
  EXPECT_EQ(Problem(Parse(BallotType::kRanking, R"({"ranking":[13,11,12]})"), budget), "ballot.problem.too_many");
  Ballot approval = Parse(BallotType::kApproval, R"({"projects":[13,11]})");
  EXPECT_EQ(approval.ToJson(), json::parse(R"({"projects":[11,13]})")) << "approval choices are a set";
  EXPECT_EQ(Problem(approval, budget), "ballot.problem.wrong_type");
}

TEST(Ballot, MalformedJsonIsRejected) {
  EXPECT_FALSE(Ballot::FromJson(BallotType::kApproval, json::parse(R"({"ranking":[1]})")).ok());
  EXPECT_FALSE(Ballot::FromJson(BallotType::kApproval, json::parse(R"({"projects":[1.5]})")).ok());
  EXPECT_FALSE(Ballot::FromJson(BallotType::kApproval, json::parse(R"([1,2])")).ok());
  EXPECT_FALSE(Ballot::FromJson(BallotType::kCumulative, json::parse(R"({"points":[1]})")).ok());
}

}  // namespace
}  // namespace ting::components
