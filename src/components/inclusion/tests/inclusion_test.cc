// The inclusion model without a server: the tally against a hand-computed case, small-cell
// suppression (primary and secondary), the population file's problems, answers' checks and
// the settings' JSON.

#include <gtest/gtest.h>

#include "../inclusion_internal.h"

namespace ting::components::inclusion {
namespace {

Participant P(int n, const std::string& channel = "online", int64_t at = 1780000000) {
  return {"a:" + std::to_string(n), channel, {"a:" + std::to_string(n)}, at};
}

// 20 participants; 18 answered gender (11 women, 5 men, 2 other), 2 did not answer at all.
// Population: 600 women, 400 men (no figure for "other").
TallyInputs Case() {
  TallyInputs in;
  in.settings = DefaultSettings();
  in.districts = {"norr", "söder"};
  for (int i = 0; i < 20; ++i) in.participants.push_back(P(i, i < 15 ? "online" : "desk", 1780000000 + i * 86400));
  for (int i = 0; i < 18; ++i) {
    Answers a;
    a["gender"] = i < 11 ? "woman" : i < 16 ? "man" : "other";
    a["district"] = i % 2 ? "söder" : "norr";
    in.answers["a:" + std::to_string(i)] = a;
  }
  in.population["norr"]["gender"] = {{"woman", 300}, {"man", 200}};
  in.population["söder"]["gender"] = {{"woman", 300}, {"man", 200}};
  in.population["norr"]["age"] = {{"30-44", 700}};
  in.population["söder"]["age"] = {{"30-44", 300}};
  return in;
}

const Dimension& Dim(const Tally& t, const std::string& key) {
  for (const auto& d : t.dimensions)
    if (d.key == key) return d;
  throw std::runtime_error("no dimension " + key);
}
const Cell& CellOf(const Dimension& d, const std::string& value) {
  for (const auto& c : d.cells)
    if (c.value == value) return c;
  throw std::runtime_error("no value " + value);
}

TEST(Tally, CountsSharesAndRatiosAgainstAHandComputedCase) {
  Tally t = CountTally(Stage::kAny, Case());
  EXPECT_EQ(t.participants, 20);
  const Dimension& g = Dim(t, "gender");
  EXPECT_EQ(g.answered, 18);
  EXPECT_EQ(CellOf(g, "woman").count, 11);
  EXPECT_EQ(CellOf(g, "man").count, 5);
  EXPECT_EQ(CellOf(g, "other").count, 2);
  EXPECT_EQ(CellOf(g, "no_answer").count, 0);
  // Shares among those who answered: 11/18 and 5/18; population shares 600/1000 and 400/1000.
  EXPECT_DOUBLE_EQ(*Share(g, CellOf(g, "woman")), 11.0 / 18.0);
  EXPECT_DOUBLE_EQ(*CellOf(g, "woman").population_share, 0.6);
  EXPECT_DOUBLE_EQ(*Ratio(g, CellOf(g, "woman")), (11.0 / 18.0) / 0.6);
  EXPECT_DOUBLE_EQ(*Ratio(g, CellOf(g, "man")), (5.0 / 18.0) / 0.4);
  EXPECT_FALSE(CellOf(g, "other").population_share) << "no population figure for other";
  EXPECT_FALSE(Ratio(g, CellOf(g, "other")));
  // A district's population is the sum of its age bands: 700 and 300.
  const Dimension& d = Dim(t, "district");
  EXPECT_EQ(CellOf(d, "norr").count, 9);
  EXPECT_EQ(CellOf(d, "söder").count, 9);
  EXPECT_DOUBLE_EQ(*CellOf(d, "norr").population_share, 0.7);
  // Channels and weeks add up to the participants.
  ASSERT_EQ(t.channels.size(), 2u);
  EXPECT_EQ(t.channels[0].label, "desk");
  EXPECT_EQ(t.channels[0].count, 5);
  int64_t weekly = 0;
  for (const auto& w : t.weeks) weekly += w.count;
  EXPECT_EQ(weekly, 20);
  EXPECT_EQ(t.weeks.front().label, "2026-05-25") << "2026-05-28 is a Thursday; its week starts on Monday the 25th";
}

TEST(Tally, SuppressesSmallCellsAndTheCellThatWouldRevealThem) {
  Tally t = CountTally(Stage::kAny, Case());
  Suppress(t);
  const Dimension& g = Dim(t, "gender");
  EXPECT_TRUE(CellOf(g, "other").suppressed) << "2 is a small cell";
  // Only one small cell: 18 - 11 - 0 would give it back if "man" (5, the smallest other) showed.
  EXPECT_TRUE(CellOf(g, "man").suppressed);
  EXPECT_FALSE(CellOf(g, "woman").suppressed);
  EXPECT_FALSE(CellOf(g, "no_answer").suppressed) << "0 is shown as 0";
  EXPECT_FALSE(Share(g, CellOf(g, "man")));
  EXPECT_FALSE(Ratio(g, CellOf(g, "man")));
  ASSERT_TRUE(Share(g, CellOf(g, "woman")));
  EXPECT_FALSE(t.participants_suppressed);
  // Two small cells hide each other: no second suppression needed.
  TallyInputs in = Case();
  in.answers["a:15"]["gender"] = "no_answer";  // man 4, other 2, no_answer 1
  Tally t2 = CountTally(Stage::kAny, in);
  Suppress(t2);
  const Dimension& g2 = Dim(t2, "gender");
  EXPECT_TRUE(CellOf(g2, "man").suppressed);
  EXPECT_TRUE(CellOf(g2, "no_answer").suppressed);
  EXPECT_FALSE(CellOf(g2, "woman").suppressed);
}

TEST(Tally, ADistrictFilterCountsOnlyItsPeopleAgainstItsPopulation) {
  TallyInputs in = Case();
  in.district = "norr";
  Tally t = CountTally(Stage::kAny, in);
  EXPECT_EQ(t.participants, 9);  // answers 0, 2, …, 16
  const Dimension& g = Dim(t, "gender");
  EXPECT_EQ(CellOf(g, "woman").count, 6);  // 0, 2, 4, 6, 8, 10
  EXPECT_DOUBLE_EQ(*CellOf(g, "woman").population_share, 0.6);
  Suppress(t);
  EXPECT_FALSE(t.participants_suppressed);
  in.participants.resize(4);
  Tally small = CountTally(Stage::kAny, in);
  Suppress(small);
  EXPECT_EQ(small.participants, 2);
  EXPECT_TRUE(small.participants_suppressed);
  for (const auto& c : Dim(small, "gender").cells) EXPECT_TRUE(c.count == 0 || c.suppressed);
}

TEST(Tally, GapsListTheGroupsFurthestBelowTheirShareFirst) {
  TallyInputs in = Case();
  in.answers.clear();
  for (int i = 0; i < 20; ++i) in.answers["a:" + std::to_string(i)] = {{"gender", i < 14 ? "woman" : "man"}};
  Tally t = CountTally(Stage::kAny, in);
  Suppress(t);
  auto gaps = Gaps({t}, 5);
  ASSERT_FALSE(gaps.empty());
  EXPECT_EQ(gaps[0].dimension, "gender");
  EXPECT_EQ(gaps[0].value, "man");
  EXPECT_DOUBLE_EQ(gaps[0].ratio, (6.0 / 20.0) / 0.4);
}

TEST(Answers, OnlyEnabledQuestionsAndTheirValues) {
  Settings s = DefaultSettings();
  std::string field;
  const std::vector<std::string> districts = {"norr"};
  EXPECT_TRUE(CheckAnswers({{"age", "16-19"}, {"gender", "woman"}, {"district", "norr"}, {"born", "outside_europe"}, {"language", "ar"}}, s,
                           districts, field)
                  .ok());
  EXPECT_TRUE(CheckAnswers({{"language", "wo"}}, s, districts, field).ok()) << "any language code";
  EXPECT_FALSE(CheckAnswers({{"age", "17"}}, s, districts, field).ok());
  EXPECT_FALSE(CheckAnswers({{"district", "söder"}}, s, districts, field).ok());
  EXPECT_FALSE(CheckAnswers({{"shoe_size", "42"}}, s, districts, field).ok());
  EXPECT_FALSE(CheckAnswers({{"language", "Arabic"}}, s, districts, field).ok());
  s.questions[0].enabled = false;
  EXPECT_FALSE(CheckAnswers({{"age", "16-19"}}, s, districts, field).ok()) << "a switched-off question takes no answers";
}

TEST(Settings, BuiltInQuestionsSwitchOwnQuestionsAddAndRoundTrip) {
  auto s = SettingsFromJson(nlohmann::json::parse(R"({"questions": [{"key": "age", "enabled": false},
      {"key": "work", "label": {"sv": "Vad gör du?", "en": "What do you do?"},
       "choices": [{"value": "student", "label": "Studerar"}, {"value": "working", "label": "Arbetar"}]}],
      "districts": ["norr", "söder", "norr"]})"),
                            {"sv", "en"});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_FALSE(s->questions[0].enabled);
  ASSERT_EQ(s->questions.size(), BuiltinQuestions().size() + 1);
  EXPECT_EQ(s->questions.back().label.Get("en", "sv"), "What do you do?");
  EXPECT_EQ(s->districts, (std::vector<std::string>{"norr", "söder"}));
  auto again = SettingsFromJson(SettingsToJson(*s), {"sv", "en"});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(SettingsToJson(*again), SettingsToJson(*s));
  EXPECT_FALSE(SettingsFromJson(nlohmann::json::parse(R"({"questions": [{"key": "age", "label": "x"}]})"), {"sv"}).ok());
  EXPECT_FALSE(SettingsFromJson(nlohmann::json::parse(R"({"questions": [{"key": "work", "label": "x", "choices": []}]})"), {"sv"}).ok());
  EXPECT_FALSE(SettingsFromJson(nlohmann::json::parse(R"({"questions": [{"key": "Work!", "label": "x"}]})"), {"sv"}).ok());
  EXPECT_FALSE(SettingsFromJson(nlohmann::json::parse(R"({"questions": [{"key": "age", "enabled": "no"}]})"), {"sv"}).ok());
}

TEST(Population, ReadsTheFileAndListsEveryProblemWithItsLine) {
  std::vector<PopulationProblem> problems;
  auto p = ParsePopulation("district,dimension,value,count\nnorr,age,16-19,120\nnorr,gender,woman,300\nsöder,born,sweden,4000\n", DefaultSettings(),
                           problems);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(p["norr"]["age"]["16-19"], 120);
  EXPECT_EQ(p["söder"]["born"]["sweden"], 4000);
  problems.clear();
  ParsePopulation("district,dimension,value,count\nnorr,age,17,120\nnorr,shoe,41,3\nnorr,gender,woman,-1\nnorr,gender,man,x\n"
                  "norr,age,16-19,1\nnorr,age,16-19,2\n,age,16-19,2\nnorr,age\n",
                  DefaultSettings(), problems);
  ASSERT_EQ(problems.size(), 7u);
  EXPECT_EQ(problems[0].line, 2);
  EXPECT_EQ(problems[0].key, "inclusion.population.value");
  EXPECT_EQ(problems[1].key, "inclusion.population.dimension");
  EXPECT_EQ(problems[2].key, "inclusion.population.count");
  EXPECT_EQ(problems[3].key, "inclusion.population.count");
  EXPECT_EQ(problems[4].line, 7);
  EXPECT_EQ(problems[4].key, "inclusion.population.twice");
  EXPECT_EQ(problems[5].key, "inclusion.population.district");
  EXPECT_EQ(problems[6].key, "inclusion.population.columns");
  problems.clear();
  ParsePopulation("area,dimension,value,count\n", DefaultSettings(), problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].key, "inclusion.population.header");
}

}  // namespace
}  // namespace ting::components::inclusion

namespace ting::components::inclusion {
namespace {

// Two districts: norr has 9 who answered gender (6 women, 3 men), söder 6 (5 women, 1 man);
// 2 more people answered gender but not their district (1 woman, 1 man).
TEST(Tally, ViewsOfOneStageAreSuppressedTogether) {
  TallyInputs in;
  in.settings = DefaultSettings();
  in.districts = {"norr", "söder"};
  int n = 0;
  auto person = [&](const std::string& district, const std::string& gender) {
    in.participants.push_back(P(n));
    Answers a{{"gender", gender}};
    if (!district.empty()) a["district"] = district;
    in.answers["a:" + std::to_string(n++)] = a;
  };
  for (int i = 0; i < 6; ++i) person("norr", "woman");
  for (int i = 0; i < 3; ++i) person("norr", "man");
  for (int i = 0; i < 5; ++i) person("söder", "woman");
  person("söder", "man");
  person("", "woman");
  person("", "man");
  Tally overall = CountTally(Stage::kVoted, in);
  std::vector<Tally> districts;
  for (const auto& d : in.districts) {
    in.district = d;
    districts.push_back(CountTally(Stage::kVoted, in));
  }
  Suppress(overall);
  for (auto& t : districts) Suppress(t);
  SuppressAcross(overall, districts);
  // Overall: 12 women, 5 men, shown. norr: 3 men is small, so 6 women is hidden with it;
  // söder: 1 man small, 5 women hidden. Over the districts, men 3 + 1 (+ 1 without a district)
  // add up to 5, all hidden already.
  const Dimension& g = Dim(overall, "gender");
  EXPECT_FALSE(CellOf(g, "woman").suppressed);
  EXPECT_FALSE(CellOf(g, "man").suppressed);
  EXPECT_TRUE(CellOf(Dim(districts[0], "gender"), "man").small);
  EXPECT_TRUE(CellOf(Dim(districts[0], "gender"), "woman").suppressed);
  EXPECT_FALSE(CellOf(Dim(districts[0], "gender"), "woman").small);
  EXPECT_TRUE(districts[0].channels.empty()) << "a district view would give back the overall channels";
  // A district whose own count is small shows nothing at all.
  TallyInputs few = in;
  few.participants.resize(12);  // söder keeps 3 (women), the 2 without a district go
  few.district.clear();
  Tally o2 = CountTally(Stage::kVoted, few);
  std::vector<Tally> d2;
  for (const auto& d : few.districts) {
    few.district = d;
    d2.push_back(CountTally(Stage::kVoted, few));
  }
  Suppress(o2);
  for (auto& t : d2) Suppress(t);
  SuppressAcross(o2, d2);
  EXPECT_TRUE(CellOf(Dim(o2, "district"), "söder").small);
  EXPECT_TRUE(d2[1].participants_suppressed);
  EXPECT_TRUE(CellOf(Dim(o2, "district"), "norr").suppressed) << "the only other district would give söder back";
  EXPECT_TRUE(d2[0].participants_suppressed) << "…so norr's view shows nothing either";
}

}  // namespace
}  // namespace ting::components::inclusion
