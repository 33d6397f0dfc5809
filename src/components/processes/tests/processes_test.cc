#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "../processes_internal.h"
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
  EXPECT_EQ(p->FindBudget("syd")->name_en, "Syd");
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
    auto dir = std::filesystem::temp_directory_path() / ("ting_proc_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::string path = (dir / (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db")).string();
    std::filesystem::remove(path);
    db_ = std::move(*db::OpenSqlite(path, {.durable = false}));
    auto migrations = core::CoreMigrations();
    for (auto& m : ProcessesMigrations()) migrations.push_back(m);
    ASSERT_TRUE(db::Migrate(*db_, migrations).ok());
    org_ = core::Organisations(*db_).Create("o", "Org", "")->id;
  }
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
  EXPECT_EQ(renamed->FindBudget("norr")->name_sv, "Norra");
  EXPECT_EQ(store.Update(org_, "nope", json{{"phase", "voting"}}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store.Update(org_, "mb-2026", json{{"colour", "red"}}).error().code, ErrorCode::kInvalidArgument);
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

}  // namespace
}  // namespace ting::components
