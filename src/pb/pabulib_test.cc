#include "ting/pb/pabulib.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <string>

#include "ting/base/strings.h"
#include "ting/pb/count.h"

namespace ting::pb {
namespace {

const std::string kDataDir = std::string(TING_SOURCE_DIR) + "/tests/data/pabulib";

constexpr const char* kSmall =
    "META\n"
    "key;value\n"
    "description;\"A test; with a semicolon and \"\"quotes\"\"\"\n"
    "num_projects;3\n"
    "budget;100.5\n"
    "vote_type;approval\n"
    "PROJECTS\n"
    "project_id;cost;name\n"
    "A1;50;First\n"
    "b2;50.25;\"Second; quoted\"\n"
    "3;1,5;Third\n"
    "VOTES\n"
    "voter_id;vote;age\n"
    "1;A1,b2;30\n"
    "2;;41\n"
    "3;3;\n";

TEST(PabulibTest, ReadsQuotedFieldsDecimalCostsAndEmptyBallots) {
  auto e = ParsePabulib(kSmall, "small.pb");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->vote_type, VoteType::kApproval);
  EXPECT_EQ(e->Meta("description"), "A test; with a semicolon and \"quotes\"");
  ASSERT_EQ(e->projects.size(), 3u);
  EXPECT_EQ(e->money_decimals, 2);
  EXPECT_EQ(e->budget, 10050);
  EXPECT_EQ(e->projects[0].cost, 5000);
  EXPECT_EQ(e->projects[1].cost, 5025);
  EXPECT_EQ(e->projects[2].cost, 150);
  EXPECT_EQ(e->projects[1].name, "Second; quoted");
  ASSERT_EQ(e->NumVoters(), 3u);
  EXPECT_EQ(e->ballot_offsets[1] - e->ballot_offsets[0], 2u);
  EXPECT_EQ(e->ballot_offsets[2] - e->ballot_offsets[1], 0u);  // empty ballot
  EXPECT_EQ(e->ballot_projects[e->ballot_offsets[2]], 2);
  EXPECT_EQ(FormatDecimal(e->budget, e->money_decimals), "100.5");
}

TEST(PabulibTest, BomAndCrlfAreAccepted) {
  std::string crlf;
  for (char c : std::string(kSmall)) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto a = ParsePabulib(kSmall, "lf.pb");
  auto b = ParsePabulib("\xEF\xBB\xBF" + crlf, "crlf.pb");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(WritePabulib(*a), WritePabulib(*b));
}

TEST(PabulibTest, CumulativeScoringAndOrdinal) {
  auto e = ParsePabulib(
      "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\nx;4\ny;6\n"
      "VOTES\nvoter_id;vote;points\n1;x,y;3,7\n2;y;0.5\n3;;\n",
      "cum.pb");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->points_decimals, 1);
  ASSERT_EQ(e->ballot_points.size(), 3u);
  EXPECT_EQ(e->ballot_points[0], 30);
  EXPECT_EQ(e->ballot_points[1], 70);
  EXPECT_EQ(e->ballot_points[2], 5);
  auto o = ParsePabulib(
      "META\nkey;value\nbudget;10\nvote_type;ordinal\nPROJECTS\nproject_id;cost\nx;4\ny;6\n"
      "VOTES\nvoter_id;vote\n1;y,x\n",
      "ord.pb");
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->vote_type, VoteType::kOrdinal);
  EXPECT_EQ(o->ballot_projects[0], 1);  // ranking order kept
  auto s = ParsePabulib(
      "META\nkey;value\nbudget;10\nvote_type;scoring\nPROJECTS\nproject_id;cost\nx;4\n"
      "VOTES\nvoter_id;vote;points\n1;x;2\n",
      "score.pb");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->HasPoints());
}

struct BadCase {
  const char* name;
  std::string content;
  int line;
  const char* message;
};

std::string Head(const std::string& meta_extra = "vote_type;approval\n") {
  return "META\nkey;value\nbudget;100\n" + meta_extra;
}
const std::string kProjects = "PROJECTS\nproject_id;cost\np1;10\np2;20\n";

class PabulibErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(PabulibErrorTest, NamesFileLineAndProblem) {
  const BadCase& c = GetParam();
  auto e = ParsePabulib(c.content, "bad.pb");
  ASSERT_FALSE(e.ok()) << c.name;
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
  const std::string prefix = "bad.pb:" + std::to_string(c.line) + ": ";
  EXPECT_EQ(e.error().message.substr(0, prefix.size()), prefix) << e.error().message;
  EXPECT_NE(e.error().message.find(c.message), std::string::npos) << e.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, PabulibErrorTest,
    ::testing::Values(
        BadCase{"NoBudget", "META\nkey;value\nvote_type;approval\n" + kProjects + "VOTES\nvoter_id;vote\n1;p1\n", 1,
                "META has no budget"},
        BadCase{"NoVoteType", "META\nkey;value\nbudget;100\n" + kProjects + "VOTES\nvoter_id;vote\n1;p1\n", 9,
                "no vote_type"},
        BadCase{"UnknownVoteType", Head("vote_type;quadratic\n") + kProjects, 4, "unknown vote_type 'quadratic'"},
        BadCase{"BadBudget", "META\nkey;value\nbudget;lots\n", 3, "budget 'lots'"},
        BadCase{"NegativeBudget", "META\nkey;value\nbudget;-5\n", 3, "budget '-5'"},
        BadCase{"MetaWithoutValue", "META\nkey;value\nbudget\n", 3, "key;value"},
        BadCase{"NoCost", Head() + "PROJECTS\nproject_id;cost\np1;\n", 7, "has no cost"},
        BadCase{"BadCost", Head() + "PROJECTS\nproject_id;cost\np1;12x\n", 7, "cost '12x'"},
        BadCase{"NoCostColumn", Head() + "PROJECTS\nproject_id;price\np1;1\n", 6, "no 'cost' column"},
        BadCase{"DuplicateProject", Head() + "PROJECTS\nproject_id;cost\np1;1\np1;2\n", 8, "duplicate project id 'p1'"},
        BadCase{"EmptyProjectId", Head() + "PROJECTS\nproject_id;cost\n;1\n", 7, "project without an id"},
        BadCase{"TooManyProjectFields", Head() + "PROJECTS\nproject_id;cost\np1;1;x\n", 7, "3 fields, header has 2"},
        BadCase{"UnknownProjectInVote", Head() + kProjects + "VOTES\nvoter_id;vote\n1;p1,p9\n", 11,
                "unknown project 'p9'"},
        BadCase{"ProjectTwiceInBallot", Head() + kProjects + "VOTES\nvoter_id;vote\n1;p1\n2;p2,p2\n", 12,
                "appears twice"},
        BadCase{"TooManyVoteFields", Head() + kProjects + "VOTES\nvoter_id;vote\n1;p1;x\n", 11, "3 fields"},
        BadCase{"NoVoteColumn", Head() + kProjects + "VOTES\nvoter_id;ballot\n", 10, "no 'vote' column"},
        BadCase{"PointsMismatch", Head("vote_type;cumulative\n") + kProjects + "VOTES\nvoter_id;vote;points\n1;p1,p2;3\n",
                11, "2 projects but 1 points"},
        BadCase{"BadPoints", Head("vote_type;cumulative\n") + kProjects + "VOTES\nvoter_id;vote;points\n1;p1;x\n", 11,
                "points 'x'"},
        BadCase{"NegativePoints", Head("vote_type;scoring\n") + kProjects + "VOTES\nvoter_id;vote;points\n1;p1;-2\n", 11,
                "points '-2'"},
        BadCase{"UnterminatedQuote", "META\nkey;value\ndescription;\"open\nbudget;1\n", 3, "unterminated quoted field"},
        BadCase{"DataBeforeMeta", "hello;world\nMETA\n", 1, "data before the META section"},
        BadCase{"VotesBeforeProjects", Head() + "VOTES\nvoter_id;vote\n", 5, "VOTES must follow PROJECTS"},
        BadCase{"ProjectsTwice", Head() + kProjects + "PROJECTS\n", 9, "PROJECTS must follow META"},
        BadCase{"NoProjects", Head(), 4, "no PROJECTS section"},
        BadCase{"NoVotes", Head() + kProjects, 8, "no VOTES section"},
        BadCase{"MissingHeader", Head() + kProjects + "VOTES\n", 9, "section header line missing"},
        BadCase{"NulByte", Head() + std::string("PROJECTS\nproject_id;cost\np\0;1\n", 29), 7, "NUL byte"},
        BadCase{"HugeCost", Head() + "PROJECTS\nproject_id;cost\np1;123456789012345678901234\n", 7, "cost"},
        BadCase{"EmptyFile", "", 1, "no META section"},
        BadCase{"DuplicateColumn", Head() + kProjects + "VOTES\nvoter_id;vote;vote\n", 10, "column 'vote' appears twice"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return std::string(info.param.name); });

TEST(PabulibTest, ReadFileErrorNamesPath) {
  auto e = ReadPabulibFile("/nonexistent/dir/x.pb");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("/nonexistent/dir/x.pb"), std::string::npos);
}

TEST(PabulibTest, CanonicalFileRoundTripsByteForByte) {
  const std::string canonical =
      "META\nkey;value\ndescription;\"semi;colon\"\nbudget;100.5\nvote_type;cumulative\n"
      "PROJECTS\nproject_id;cost;name;category\nA1;50;First;x\nb2;50.25;Second;\n"
      "VOTES\nvoter_id;age;vote;points\n1;30;A1,b2;2,8\n2;41;;\n3;;b2;10\n";
  auto e = ParsePabulib(canonical, "c.pb");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(WritePabulib(*e), canonical);
}

TEST(PabulibTest, ElectionBuiltInCodeWritesAndReadsBack) {
  Election e;
  e.vote_type = VoteType::kApproval;
  e.budget = 1000;
  e.projects = {{"p1", "Park", 600, {}}, {"p2", "Bench; new", 500, {}}};
  e.AddBallot({0, 1}, {});
  e.AddBallot({}, {});
  e.AddBallot({1}, {});
  std::string text = WritePabulib(e);
  auto back = ParsePabulib(text, "export.pb");
  ASSERT_TRUE(back.ok()) << back.error().message << "\n" << text;
  EXPECT_EQ(back->budget, 1000);
  ASSERT_EQ(back->projects.size(), 2u);
  EXPECT_EQ(back->projects[1].name, "Bench; new");
  EXPECT_EQ(back->NumVoters(), 3u);
  EXPECT_EQ(back->ballot_projects, e.ballot_projects);
  EXPECT_EQ(back->ballot_offsets, e.ballot_offsets);
  EXPECT_EQ(WritePabulib(*back), text);
}

// Every shared file: read, write, read again gives the same election and the same text;
// files that are already canonical (LF, no BOM, no quoting) come back byte for byte.
TEST(PabulibTest, EverySharedFileRoundTrips) {
  int files = 0, byte_exact = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kDataDir)) {
    if (entry.path().extension() != ".pb") continue;
    SCOPED_TRACE(entry.path().filename().string());
    auto text = ReadFile(entry.path().string());
    ASSERT_TRUE(text.ok());
    auto a = ParsePabulib(*text, entry.path().string());
    ASSERT_TRUE(a.ok()) << a.error().message;
    std::string w1 = WritePabulib(*a);
    auto b = ParsePabulib(w1, "rewritten.pb");
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_EQ(WritePabulib(*b), w1);
    EXPECT_EQ(a->budget, b->budget);
    EXPECT_EQ(a->meta, b->meta);
    EXPECT_EQ(a->ballot_offsets, b->ballot_offsets);
    EXPECT_EQ(a->ballot_projects, b->ballot_projects);
    EXPECT_EQ(a->ballot_points, b->ballot_points);
    EXPECT_EQ(a->extra_values, b->extra_values);
    ASSERT_EQ(a->projects.size(), b->projects.size());
    for (size_t j = 0; j < a->projects.size(); ++j) {
      EXPECT_EQ(a->projects[j].id, b->projects[j].id);
      EXPECT_EQ(a->projects[j].cost, b->projects[j].cost);
      EXPECT_EQ(a->projects[j].fields, b->projects[j].fields);
    }
    if (text->find('\r') == std::string::npos && text->find('"') == std::string::npos &&
        text->rfind("\xEF\xBB\xBF", 0) != 0 && !text->empty() && text->back() == '\n') {
      size_t diff = 0;
      while (diff < w1.size() && diff < text->size() && w1[diff] == (*text)[diff]) ++diff;
      EXPECT_EQ(diff, text->size()) << "first difference at byte " << diff << ": "
                                    << text->substr(diff > 40 ? diff - 40 : 0, 80);
      EXPECT_EQ(w1.size(), text->size());
      ++byte_exact;
    }
    ++files;
  }
  EXPECT_EQ(files, 27);
  RecordProperty("byte_exact_files", byte_exact);
}

}  // namespace
}  // namespace ting::pb

namespace ting::pb {
namespace {

TEST(Pabulib, InvalidUtf8IsAnErrorWithFileAndLine) {
  std::string text = "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;10;bad\xC0\xAF\nVOTES\nvoter_id;vote\n1;1\n";
  auto e = ParsePabulib(text, "x.pb");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message.rfind("x.pb:7: not valid UTF-8", 0), 0u) << e.error().message;
}

// Elections built in code (by the platform) pass through the same limits as files: the engine
// refuses, never wraps.
TEST(Count, RefusesImpossibleInputInsteadOfWrapping) {
  Election e;
  e.vote_type = VoteType::kCumulative;
  e.budget = 100;
  e.projects = {{"a", "A", 50, {}}, {"b", "B", 60, {}}};
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  e.AddBallot({0, 1}, {kMax, kMax});
  e.AddBallot({1}, {1});
  for (Rule rule : {Rule::kGreedy, Rule::kMes, Rule::kPhragmen}) {
    CountOptions o;
    o.rule = rule;
    if (rule == Rule::kMes) o.utility = Utility::kPoints;
    auto out = Count(e, o);
    ASSERT_FALSE(out.ok()) << static_cast<int>(rule);
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
  }
  Election costly;
  costly.budget = 100;
  costly.projects = {{"a", "A", kMax, {}}, {"b", "B", kMax, {}}};
  costly.AddBallot({0, 1}, {});
  EXPECT_FALSE(Count(costly, {}).ok());
  Election negative;
  negative.vote_type = VoteType::kCumulative;
  negative.budget = 100;
  negative.projects = {{"a", "A", 10, {}}};
  negative.AddBallot({0}, {-5});
  EXPECT_FALSE(Count(negative, {}).ok());
  Election fine = negative;
  fine.ballot_points = {kMaxPoints};
  EXPECT_TRUE(Count(fine, {}).ok());
}

}  // namespace
}  // namespace ting::pb
