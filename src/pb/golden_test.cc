// Golden tests: every rule key in tests/data/pabulib/expected/*.json, on every file, against
// the outcome pabutools 1.2.3 computed. Entries pabutools did not finish ("timeout") have no
// reference; for those we assert that they are timeouts, still count, and check feasibility.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ting/pb/count.h"
#include "ting/pb/pabulib.h"

namespace ting::pb {
namespace {

const std::string kDataDir = std::string(TING_SOURCE_DIR) + "/tests/data/pabulib";

std::vector<std::string> ExpectedFiles() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kDataDir + "/expected")) {
    std::string name = entry.path().filename().string();
    if (name.size() > 8 && name.substr(name.size() - 8) == ".pb.json") {
      names.push_back(name.substr(0, name.size() - 5));
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, EveryRuleMatchesPabutools) {
  const std::string file = GetParam();
  std::ifstream in(kDataDir + "/expected/" + file + ".json");
  ASSERT_TRUE(in) << file;
  nlohmann::json expected = nlohmann::json::parse(in);
  auto election = ReadPabulibFile(kDataDir + "/" + file);
  ASSERT_TRUE(election.ok()) << election.error().message;
  EXPECT_EQ(election->NumVoters(), expected["instance"]["num_voters"].get<size_t>());
  EXPECT_EQ(election->projects.size(), expected["instance"]["num_projects"].get<size_t>());
  EXPECT_EQ(FormatDecimal(election->budget, election->money_decimals),
            expected["instance"]["budget"].get<std::string>());
  int checked = 0;
  for (auto& [key, rule] : expected["rules"].items()) {
    SCOPED_TRACE(file + " " + key);
    auto options = ParseRuleKey(key);
    ASSERT_TRUE(options.ok()) << options.error().message;
    EXPECT_EQ(RuleKey(*election, *options), key);
    auto outcome = Count(*election, *options);
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    EXPECT_LE(outcome->total_cost, election->budget) << "over budget";
    if (rule["status"] != "ok") {
      EXPECT_EQ(rule["status"], "timeout") << "reference neither ok nor a timeout";
      continue;
    }
    std::vector<std::string> got;
    for (int j : outcome->selected) got.push_back(election->projects[j].id);
    std::vector<std::string> want = rule["selected"].get<std::vector<std::string>>();
    if (key == "phragmen") {
      // pabutools sorts Phragmén's allocation by name before returning it.
      std::sort(got.begin(), got.end());
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(FormatDecimal(outcome->total_cost, election->money_decimals),
              rule["total_cost"].get<std::string>());
    if (rule.contains("add1_final_budget_per_voter")) {
      EXPECT_EQ(outcome->final_budget_per_voter,
                rule["add1_final_budget_per_voter"].get<std::string>());
      EXPECT_EQ(outcome->mes_runs, rule["add1_mes_runs"].get<int>());
    }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Pabulib, GoldenTest, ::testing::ValuesIn(ExpectedFiles()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param.substr(0, info.param.size() - 3);
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace ting::pb
