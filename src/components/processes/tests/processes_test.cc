#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "../processes_internal.h"
#include "fresh_database.h"
#include "ting/base/env.h"
#include "ting/core/accounts.h"

namespace ting::components {
namespace {

using json = nlohmann::json;

json Sample() {
  return json::parse(R"({
    "slug": "mb-2026", "title": {"sv": "Medborgarbudget 2026", "en": "Citizens' budget 2026"},
    "phases": [{"phase": "information", "start": "2026-01-01"}, {"phase": "proposals", "start": "2026-02-01", "end": "2026-03-31"},
               {"phase": "voting", "start": "2026-05-01", "end": "2026-05-31"}, {"phase": "results", "start": "2026-06-01"}],
    "budgets": [{"slug": "norr", "name": {"sv": "Norr", "en": "North"}, "amount": 150000000, "currency": "SEK",
                 "ballot": {"type": "approval", "max": 3}, "rule": "greedy"},
                {"slug": "syd", "name": "Syd", "amount": 100000000, "ballot": {"type": "cumulative", "points": 10}, "rule": "mes"}]
  })");
}

TEST(Process, PhaseFollowsDatesUnlessSetByHand) {
  auto p = ProcessFromJson(Sample());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->CurrentPhase("2025-12-31"), Phase::kInformation) << "before anything starts: the first phase";
  EXPECT_EQ(p->CurrentPhase("2026-02-15"), Phase::kProposals);
  EXPECT_EQ(p->CurrentPhase("2026-04-15"), Phase::kProposals) << "review is skipped; proposals lasts until voting";
  EXPECT_EQ(p->CurrentPhase("2026-05-01"), Phase::kVoting);
  EXPECT_EQ(p->CurrentPhase("2027-01-01"), Phase::kResults);
  EXPECT_FALSE(p->HasPhase(Phase::kReview));
  p->phase_override = Phase::kReview;
  EXPECT_EQ(p->CurrentPhase("2026-05-10"), Phase::kReview);
  EXPECT_EQ(p->FindBudget("syd")->ballot.points, 10);
  EXPECT_EQ(p->FindBudget("syd")->Name("en"), "Syd") << "a plain string is the default language's, shown in every language";
}

TEST(Process, ContentInAnyOfTheOrganisationsLanguages) {
  json j = Sample();
  j["title"] = {{"sv", "Medborgarbudget"}, {"ar", "\u0645\u064a\u0632\u0627\u0646\u064a\u0629"}};
  EXPECT_FALSE(ProcessFromJson(j).ok()) << "ar is not enabled by default (sv, en)";
  auto p = ProcessFromJson(j, {"sv", "ar", "en"});
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->Title("ar"), "\u0645\u064a\u0632\u0627\u0646\u064a\u0629");
  EXPECT_EQ(p->Title("en"), "Medborgarbudget") << "no English text: the default language's";
  EXPECT_EQ(ProcessToJson(*p, "2026-01-01")["title"], j["title"]);
  j["title"] = {{"sv", 5}};
  EXPECT_FALSE(ProcessFromJson(j, {"sv"}).ok());
  j["title"] = json::object();
  EXPECT_FALSE(ProcessFromJson(j, {"sv"}).ok()) << "a title in no language is no title";
  auto fi = ProcessFromJson(Sample(), {"fi", "sv"});
  ASSERT_FALSE(fi.ok()) << "sample names sv and en; en is not enabled";
}

TEST(Process, InvalidInputIsExplained) {
  auto with = [](const std::function<void(json&)>& edit) {
    json j = Sample();
    edit(j);
    auto p = ProcessFromJson(j);
    return p.ok() ? std::string() : p.error().message;
  };
  EXPECT_NE(with([](json& j) { j["slug"] = "Bad Slug"; }).find("slug"), std::string::npos);
  EXPECT_NE(with([](json& j) { j.erase("title"); }).find("title"), std::string::npos);
  EXPECT_NE(with([](json& j) { j["budgets"][0]["amount"] = -5; }).find("amount"), std::string::npos);
  EXPECT_NE(with([](json& j) { j["budgets"][0]["ballot"]["type"] = "borda"; }).find("borda"), std::string::npos);
  EXPECT_NE(with([](json& j) { j["budgets"][1]["ballot"].erase("points"); }).find("points"), std::string::npos);
  EXPECT_NE(with([](json& j) { j["budgets"][1]["rule"] = "dice"; }).find("rule"), std::string::npos);
  EXPECT_NE(with([](json& j) { j["budgets"][1]["slug"] = "norr"; }).find("twice"), std::string::npos);
  EXPECT_NE(with([](json& j) { j["phases"][1]["end"] = "2026-01-01"; }).find("ends before"), std::string::npos);
  EXPECT_NE(with([](json& j) { j["phases"][0]["start"] = "2026-13-01"; }).find("YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(with([](json& j) { j["budgets"] = json::array(); }).find("at least one"), std::string::npos);
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto migrations = core::CoreMigrations();
    for (auto& m : ProcessesMigrations()) migrations.push_back(m);
    db_ = test_support::FreshDatabase(migrations, &path_);
    ASSERT_TRUE(db_);
    org_ = core::Organisations(*db_).Create("o", "Org", "")->id;
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove(path_);
  }
  std::string path_;
  std::unique_ptr<db::Database> db_;
  int64_t org_ = 0;
  FakeEnv env_;
};

TEST_F(StoreTest, CreateFindAndDuplicateSlug) {
  ProcessStore store(*db_, env_);
  auto created = store.Create(org_, *ProcessFromJson(Sample()));
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto found = store.Find(org_, "mb-2026");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->budgets.size(), 2u);
  EXPECT_EQ((*found)->budgets[0].slug, "norr");
  EXPECT_EQ((*found)->phases.size(), 4u);
  EXPECT_EQ(store.Create(org_, *ProcessFromJson(Sample())).error().code, ErrorCode::kAlreadyExists);
  EXPECT_FALSE(store.Find(org_ + 1, "mb-2026")->has_value()) << "processes belong to their organisation";
}

TEST_F(StoreTest, BallotRulesFreezeOnceVotingHasOpened) {
  ProcessStore store(*db_, env_);
  json body = Sample();
  body["phase"] = "proposals";
  ASSERT_TRUE(store.Create(org_, *ProcessFromJson(body)).ok());
  auto before = store.Update(org_, "mb-2026", json::parse(R"({"budgets": [{"slug": "norr", "ballot": {"type": "knapsack"}}]})"));
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(before->FindBudget("norr")->ballot.type, BallotType::kKnapsack);
  EXPECT_EQ(before->FindBudget("norr")->amount, 150000000) << "a partial patch keeps the rest";

  ASSERT_TRUE(store.Update(org_, "mb-2026", json{{"phase", "voting"}}).ok());
  auto changed = store.Update(org_, "mb-2026", json::parse(R"({"budgets": [{"slug": "norr", "rule": "mes"}]})"));
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(web::Site::StatusFor(changed.error().code), 422);
  auto limits = store.Update(org_, "mb-2026", json::parse(R"({"budgets": [{"slug": "syd", "ballot": {"type": "cumulative", "points": 20}}]})"));
  EXPECT_FALSE(limits.ok());
  // Going back to proposals by hand does not unfreeze (the Consul bug).
  ASSERT_TRUE(store.Update(org_, "mb-2026", json{{"phase", "proposals"}}).ok());
  EXPECT_FALSE(store.Update(org_, "mb-2026", json::parse(R"({"budgets": [{"slug": "norr", "rule": "mes"}]})")).ok());
  auto renamed = store.Update(org_, "mb-2026", json::parse(R"({"budgets": [{"slug": "norr", "name": {"sv": "Norra", "en": "Northern"}}]})"));
  ASSERT_TRUE(renamed.ok()) << "names may still change: " << renamed.error().message;
  EXPECT_EQ(renamed->FindBudget("norr")->Name("sv"), "Norra");
  EXPECT_EQ(renamed->FindBudget("norr")->Name("en"), "Northern");
  EXPECT_EQ(store.Update(org_, "nope", json{{"phase", "voting"}}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store.Update(org_, "mb-2026", json{{"colour", "red"}}).error().code, ErrorCode::kInvalidArgument);
}

// A database from before content had languages (title_sv, title_en, ... columns) keeps every
// text: a copy of the Swedish text in English (a plain string then) becomes one Swedish text.
TEST(ProcessesMigration, OldLanguageColumnsBecomeTranslatedTexts) {
  auto path = std::filesystem::temp_directory_path() / ("ting_proc_upgrade_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  auto db = std::move(*db::OpenSqlite(path.string(), {.durable = false}));
  auto all = core::CoreMigrations();
  for (auto& m : ProcessesMigrations()) all.push_back(m);
  std::vector<db::Migration> before;
  for (const auto& m : all)
    if (m.version < 230) before.push_back(m);
  ASSERT_TRUE(db::Migrate(*db, before).ok());
  ASSERT_TRUE(db->Write([](db::Connection& c) -> Status {
                  TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO organisations(slug, name, host, created_at) VALUES('o', 'O', '', 0)")));
                  TING_RETURN_IF_ERROR(StatusOf(c.Exec(
                      "INSERT INTO processes(organisation_id, slug, title_sv, title_en, description_sv, description_en, created_at) "
                      "VALUES(1, 'a', 'Budget', 'Budget', 'Om', 'About', 0), (1, 'b', 'Bara svenska', '', '', '', 0)")));
                  return StatusOf(c.Exec("INSERT INTO budgets(process_id, slug, name_sv, name_en, amount, ballot_type, rule) "
                                         "VALUES(1, 'norr', 'Norr', 'North', 100, 'approval', 'greedy')"));
                }).ok());
  auto migrated = db::Migrate(*db, all);
  ASSERT_TRUE(migrated.ok()) << migrated.error().message;
  FakeEnv env;
  ProcessStore store(*db, env);
  auto a = store.FindFresh(1, "a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->title.ToJson(), json({{"sv", "Budget"}})) << "the English copy of the Swedish text is dropped";
  EXPECT_EQ((*a)->description.ToJson(), json({{"sv", "Om"}, {"en", "About"}}));
  EXPECT_EQ((*a)->budgets.at(0).name.ToJson(), json({{"sv", "Norr"}, {"en", "North"}}));
  auto b = store.FindFresh(1, "b");
  EXPECT_EQ((*b)->Title("en"), "Bara svenska");
  EXPECT_TRUE((*b)->description.empty());
  std::filesystem::remove(path);
}

// Phases change at local midnight in the organisation's time zone (Europe/Stockholm unless it
// chose another), not at UTC midnight: at 23:30 UTC on the day before voting starts it is
// already voting day in Stockholm, and still the day before in New York.
TEST_F(StoreTest, PhasesChangeAtLocalMidnight) {
  ProcessStore store(*db_, env_);
  json body = Sample();
  body.erase("phase");
  body["phases"] = json::parse(R"([{"phase": "proposals", "start": "2026-03-01"}, {"phase": "voting", "start": "2026-03-29"}])");
  ASSERT_TRUE(store.Create(org_, *ProcessFromJson(body)).ok());
  env_.SetNow(1774740600 - 3600);  // 2026-03-28 22:30 UTC = 23:30 in Stockholm
  auto p = store.FindFresh(org_, "mb-2026");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->time_zone, "Europe/Stockholm");
  EXPECT_EQ((*p)->PhaseNow(env_), Phase::kProposals);
  env_.Advance(std::chrono::hours(1));  // 23:30 UTC = 00:30 on the 29th in Stockholm
  EXPECT_EQ((*p)->PhaseNow(env_), Phase::kVoting);
  ASSERT_TRUE(core::Organisations(*db_).Configure(org_, "America/New_York", {"sv", "en"}).ok());
  auto ny = store.FindFresh(org_, "mb-2026");
  EXPECT_EQ((*ny)->time_zone, "America/New_York");
  EXPECT_EQ((*ny)->PhaseNow(env_), Phase::kProposals) << "still the 28th in New York";
  EXPECT_FALSE(core::Organisations(*db_).Configure(org_, "Mars/Base", {"sv"}).ok());
}

// Ages in whole years on the day: a birthday counts from its own day, 29 February from 1 March
// in other years; anything that is not a date has no age.
TEST(Eligibility, AgeOnTheDay) {
  EXPECT_EQ(AgeOn("2014-06-15", "2026-06-14"), 11);
  EXPECT_EQ(AgeOn("2014-06-15", "2026-06-15"), 12);
  EXPECT_EQ(AgeOn("2014-02-29", "2026-02-28"), 11);
  EXPECT_EQ(AgeOn("2014-02-29", "2026-03-01"), 12);
  EXPECT_EQ(AgeOn("2014-12-31", "2026-12-31"), 12);
  EXPECT_EQ(AgeOn("", "2026-01-01"), std::nullopt);
  EXPECT_EQ(AgeOn("2030-01-01", "2026-01-01"), std::nullopt) << "born in the future";
  EXPECT_EQ(AgeOn("20x4-01-01", "2026-01-01"), std::nullopt);
}

TEST(Eligibility, EachRuleRefusesWithItsReason) {
  auto e = EligibilityFromJson(json::parse(R"({"register": true, "districts": ["söder", "norr"], "min_age": 12, "max_age": 25})"));
  ASSERT_TRUE(e.ok()) << e.error().message;
  const std::string today = "2026-06-15";
  EXPECT_EQ(CheckEligibility(*e, true, "norr", "2000-06-15", today), std::optional(Ineligible::kAge)) << "26 is too old";
  EXPECT_EQ(CheckEligibility(*e, true, "norr", "2000-06-16", today), std::nullopt) << "25 until tomorrow";
  EXPECT_EQ(CheckEligibility(*e, true, "norr", "2014-06-15", today), std::nullopt);
  EXPECT_EQ(CheckEligibility(*e, true, "norr", "2014-06-16", today), std::optional(Ineligible::kAge));
  EXPECT_EQ(CheckEligibility(*e, true, "söder", "2010-01-01", today), std::nullopt);
  EXPECT_EQ(CheckEligibility(*e, true, "centrum", "2010-01-01", today), std::optional(Ineligible::kDistrict));
  EXPECT_EQ(CheckEligibility(*e, true, "norr", "", today), std::optional(Ineligible::kAge)) << "no birth date: no age shown";
  EXPECT_EQ(CheckEligibility(*e, false, "", "", today), std::optional(Ineligible::kRegister));
  EXPECT_EQ(CheckEligibility(Eligibility{}, false, "", "", today), std::nullopt) << "open to any account";
  // The stored form reads back the same.
  auto again = EligibilityFromJson(EligibilityToJson(*e));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *e);
  EXPECT_EQ(EligibilityToJson(Eligibility{}), json(nullptr));
}

TEST(Eligibility, BadRulesAreRefusedAndAProcessGivesItsBudgetsADefault) {
  for (const char* bad : {R"({"districts": ["norr"]})", R"({"register": 1})", R"({"register": true, "min_age": 151})",
                          R"({"register": true, "min_age": 1.5})", R"({"register": true, "min_age": 9223372036854775808})",
                          R"({"register": true, "districts": [""]})", R"({"register": true, "districts": "norr"})",
                          R"({"register": true, "per": "flat"})", R"({"register": true, "age": 12})", R"([true])"})
    EXPECT_FALSE(EligibilityFromJson(json::parse(bad)).ok()) << bad;
  json body = {{"slug", "p"}, {"title", "P"}, {"eligibility", {{"register", true}, {"min_age", 16}}},
               {"budgets", {{{"slug", "a"}, {"name", "A"}, {"amount", 1}}, {{"slug", "b"}, {"name", "B"}, {"amount", 1}, {"eligibility", nullptr}}}}};
  auto p = ProcessFromJson(body);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_TRUE(p->budgets[0].eligibility.register_only);
  EXPECT_EQ(p->budgets[0].eligibility.min_age, std::optional(16));
  EXPECT_TRUE(p->budgets[1].eligibility.Open()) << "a budget may say its own";
}

}  // namespace
}  // namespace ting::components
