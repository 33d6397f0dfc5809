#include <gtest/gtest.h>

#include <limits>

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

// The probe's ballot: two projects at INT64_MAX points each once passed (the sum wrapped
// negative). Every ballot type's arithmetic at the limits of 64 bits must refuse, not wrap.
TEST(Ballot, CumulativeAtTheLimitsOf64Bits) {
  for (int max_per_project : {0, 6}) {
    Budget budget = MakeBudget({BallotType::kCumulative, 0, 0, 10, max_per_project});
    EXPECT_NE(Problem(Parse(BallotType::kCumulative, R"({"points":{"11":9223372036854775807,"12":9223372036854775807}})"), budget), "");
    EXPECT_NE(Problem(Parse(BallotType::kCumulative, R"({"points":{"11":9223372036854775807}})"), budget), "");
    EXPECT_NE(Problem(Parse(BallotType::kCumulative, R"({"points":{"11":9223372036854775807,"12":1}})"), budget), "");
    EXPECT_NE(Problem(Parse(BallotType::kCumulative, R"({"points":{"11":4611686018427387904,"12":4611686018427387904,"13":1}})"), budget), "");
    EXPECT_EQ(Problem(Parse(BallotType::kCumulative, R"({"points":{"11":5,"12":5}})"), budget), "");
  }
  // Without a per-project maximum, one project may still not get more than the ballot's points.
  Budget open = MakeBudget({BallotType::kCumulative, 0, 0, 10, 0});
  EXPECT_EQ(Problem(Parse(BallotType::kCumulative, R"({"points":{"11":11}})"), open), "ballot.problem.too_many_points");
  EXPECT_EQ(Problem(Parse(BallotType::kCumulative, R"({"points":{"11":10}})"), open), "");
  // Numbers past int64 (unsigned in JSON) and negative ones are not points.
  EXPECT_FALSE(Ballot::FromJson(BallotType::kCumulative, json::parse(R"({"points":{"11":18446744073709551615}})")).ok());
  EXPECT_FALSE(Ballot::FromJson(BallotType::kCumulative, json::parse(R"({"points":{"11":-9223372036854775808}})")).ok());
  EXPECT_FALSE(Ballot::FromJson(BallotType::kCumulative, json::parse(R"({"points":{"11":1.5}})")).ok());
  EXPECT_FALSE(Ballot::FromJson(BallotType::kCumulative, json::parse(R"({"points":{"11":"5"}})")).ok());
  EXPECT_FALSE(Ballot::FromJson(BallotType::kCumulative, json::parse(R"({"points":{"11":1,"011":1}})")).ok()) << "one project twice";
}

TEST(Ballot, KnapsackAndApprovalAtTheLimitsOf64Bits) {
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  std::vector<Project> huge = {{11, 1, "A", "", kMax}, {12, 1, "B", "", kMax}, {13, 1, "C", "", 1}};
  Budget budget = MakeBudget({BallotType::kKnapsack}, kMax);
  auto two = ValidateBallot(Parse(BallotType::kKnapsack, R"({"projects":[11,12]})"), budget, huge);
  ASSERT_TRUE(two.has_value()) << "INT64_MAX + INT64_MAX must not wrap into a fitting sum";
  EXPECT_EQ(two->key, "ballot.problem.over_budget");
  EXPECT_FALSE(ValidateBallot(Parse(BallotType::kKnapsack, R"({"projects":[11]})"), budget, huge).has_value());
  // Ids at the limits are just unknown projects; ids past int64 are refused when read.
  Budget approval = MakeBudget({BallotType::kApproval, 0, 2, 0, 0});
  EXPECT_EQ(Problem(Parse(BallotType::kApproval, R"({"projects":[9223372036854775807]})"), approval), "ballot.problem.unknown_project");
  EXPECT_EQ(Problem(Parse(BallotType::kApproval, R"({"projects":[-9223372036854775808]})"), approval), "ballot.problem.unknown_project");
  EXPECT_FALSE(Ballot::FromJson(BallotType::kApproval, json::parse(R"({"projects":[18446744073709551615]})")).ok());
  EXPECT_FALSE(Ballot::FromJson(BallotType::kRanking, json::parse(R"({"ranking":[18446744073709551615]})")).ok());
  EXPECT_FALSE(Ballot::FromJson(BallotType::kApproval, json::parse(R"({"projects":[1e300]})")).ok());
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
