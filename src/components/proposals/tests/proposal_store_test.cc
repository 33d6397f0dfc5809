// The proposals store on a fake clock: what depends on time (the phase by date, the comment edit
// window) is tested without waiting, and uploaded images live in memory.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "../proposal_store.h"
#include "fresh_database.h"
#include "ting/core/accounts.h"

namespace ting::components {
namespace {

class ProposalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto migrations = core::CoreMigrations();
    for (auto& m : ProcessesManifest().migrations()) migrations.push_back(m);
    for (auto& m : ProposalMigrations()) migrations.push_back(m);
    db_ = test_support::FreshDatabase(migrations, &path_);
    ASSERT_TRUE(db_);
    org_ = core::Organisations(*db_, env_).Create("o", "Org", "")->id;
    auto hash = core::HashPassword("a long test password");
    author_ = core::Accounts(*db_, env_).RegisterHashed("a@example.se", "A", "sv", *hash)->id;
    ProcessStore processes(*db_, env_);
    auto body = json::parse(R"({"slug": "p", "title": "P", "budgets": [{"slug": "b", "name": "B", "amount": 100000}],
                                "phases": [{"phase": "proposals", "start": "2026-05-01"}, {"phase": "review", "start": "2026-06-01"}]})");
    auto created = processes.Create(org_, *ProcessFromJson(body));
    ASSERT_TRUE(created.ok()) << created.error().message;
    process_ = *processes.FindFresh(org_, "p").value();
  }
  void TearDown() override { std::filesystem::remove(path_); }

  ProposalDraft Draft() const {
    ProposalDraft d;
    d.title = "Bänkar";
    d.body = "Fler bänkar på torget.";
    d.budget_slug = "b";
    d.cost = 5000;
    return d;
  }

  FakeEnv env_{1779969600};  // 2026-05-28 12:00 UTC: the proposals phase
  std::string path_;
  std::unique_ptr<db::Database> db_;
  int64_t org_ = 0, author_ = 0;
  Process process_;
};

TEST_F(ProposalStoreTest, CommentsCanBeEditedForFifteenMinutes) {
  ProposalStore store(*db_, env_);
  auto proposal = store.Create(process_, author_, Draft());
  ASSERT_TRUE(proposal.ok()) << proposal.error().message;
  auto comment = store.AddComment(proposal->id, author_, 0, "Bra idé");
  ASSERT_TRUE(comment.ok());
  env_.Advance(std::chrono::seconds(ProposalStore::kCommentEditWindowSeconds - 1));
  EXPECT_TRUE(store.EditComment(proposal->id, comment->id, author_, "Bra idé!").ok());
  env_.Advance(std::chrono::seconds(2));
  auto late = store.EditComment(proposal->id, comment->id, author_, "Ändrat för sent");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().key, "proposals.comment_edit_window");
  EXPECT_EQ((*store.Comments(proposal->id))[0].body, "Bra idé!") << "the late edit changed nothing";
}

TEST_F(ProposalStoreTest, ProposalsCloseAtLocalMidnightWhenReviewStarts) {
  ProposalStore store(*db_, env_);
  env_.SetNow(1780264800 - 60);  // 2026-05-31 21:59 UTC = 23:59 in Stockholm
  EXPECT_TRUE(store.Create(process_, author_, Draft()).ok());
  env_.Advance(std::chrono::seconds(120));  // 00:01 on 1 June in Stockholm, still 31 May in UTC
  auto closed = store.Create(process_, author_, Draft());
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(closed.error().key, "proposals.not_proposal_phase");
}

TEST_F(ProposalStoreTest, TimesComeFromTheEnv) {
  ProposalStore store(*db_, env_);
  auto proposal = store.Create(process_, author_, Draft());
  ASSERT_TRUE(proposal.ok());
  EXPECT_EQ(proposal->created_at, env_.NowSeconds());
  env_.Advance(std::chrono::hours(1));
  auto comment = store.AddComment(proposal->id, author_, 0, "Senare");
  EXPECT_EQ(comment->created_at, env_.NowSeconds());
}

}  // namespace
}  // namespace ting::components
