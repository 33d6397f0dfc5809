// The proposals store on a fake clock: what depends on time (the phase by date, the comment edit
// window) is tested without waiting, and uploaded images live in memory.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "../group_store.h"
#include "../proposal_store.h"
#include "fresh_database.h"
#include "ting/base/digest.h"
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

TEST_F(ProposalStoreTest, GroupSlugsComeFromNames) {
  EXPECT_EQ(GroupSlugFromName("Klass 8B, Solbackaskolan"), "klass-8b-solbackaskolan");
  EXPECT_EQ(GroupSlugFromName("  Föreningen Grönare Söder – Åby! "), "foreningen-gronare-soder-aby");
  EXPECT_EQ(GroupSlugFromName("نادي الحي"), "grupp") << "nothing left to spell it with";
  EXPECT_EQ(GroupSlugFromName("New"), "grupp") << "the pages' own words are not slugs";
  EXPECT_EQ(GroupSlugFromName(std::string(80, 'a')).size(), 50u);
  GroupStore groups(*db_, env_);
  EXPECT_EQ(groups.Create(org_, author_, "", "Klass 8B", "")->slug, "klass-8b");
  EXPECT_EQ(groups.Create(org_, author_, "", "Klass 8B", "")->slug, "klass-8b-2");
  auto taken = groups.Create(org_, author_, "klass-8b", "Annan", "");
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, ErrorCode::kAlreadyExists);
}

TEST_F(ProposalStoreTest, InvitationsAreHashedExpireAndMailedOnesWorkOnce) {
  GroupStore groups(*db_, env_);
  auto g = groups.Create(org_, author_, "", "Klass 8B", "");
  ASSERT_TRUE(g.ok()) << g.error().message;
  auto hash = core::HashPassword("a long test password");
  core::Accounts accounts(*db_, env_);
  const int64_t b = accounts.RegisterHashed("b@example.se", "B", "sv", *hash)->id;
  const int64_t c = accounts.RegisterHashed("c@example.se", "C", "sv", *hash)->id;
  const int64_t d = accounts.RegisterHashed("d@example.se", "D", "sv", *hash)->id;

  auto link = groups.Invite(*g, author_, "", nullptr);
  ASSERT_TRUE(link.ok());
  EXPECT_FALSE(link->single_use);
  EXPECT_EQ(link->expires_at, env_.NowSeconds() + GroupStore::kInvitationLifetimeSeconds);
  std::string stored;
  ASSERT_TRUE(db_->Read([&](db::Connection& conn) -> Status {
                   TING_ASSIGN_OR_RETURN(auto row, conn.QueryOne("SELECT token_hash FROM proposal_group_invitations WHERE group_id = ?", {g->id}));
                   stored = row->Str(0);
                   return {};
                 }).ok());
  EXPECT_EQ(stored, Sha256Hex(link->token)) << "only the token's SHA-256 is stored";
  auto by_member = groups.Invite(*g, b, "", nullptr);
  ASSERT_FALSE(by_member.ok());
  EXPECT_EQ(by_member.error().code, ErrorCode::kPermissionDenied);

  env_.Advance(std::chrono::seconds(GroupStore::kInvitationLifetimeSeconds - 1));
  EXPECT_TRUE(groups.Accept(org_, link->token, b).ok());
  env_.Advance(std::chrono::seconds(2));
  auto late = groups.Accept(org_, link->token, c);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().key, "proposals.group.invitation_not_found");

  // A mailed invitation: its mail is queued in the invitation's write (a failing mail stores no
  // invitation), and its link works once.
  auto failed = groups.Invite(*g, author_, "c@example.se", [](db::Connection&, const std::string&) -> Status { return Error::Io("no mail"); });
  EXPECT_FALSE(failed.ok());
  std::string mailed_token;
  auto mailed = groups.Invite(*g, author_, "c@example.se", [&](db::Connection&, const std::string& token) -> Status {
    mailed_token = token;
    return {};
  });
  ASSERT_TRUE(mailed.ok());
  EXPECT_TRUE(mailed->single_use);
  EXPECT_EQ(mailed_token, mailed->token);
  const int64_t other_org = core::Organisations(*db_, env_).Create("b", "B", "b.example")->id;
  EXPECT_FALSE(groups.InvitationGroup(other_org, mailed->token)->has_value()) << "another organisation's host does not know it";
  EXPECT_TRUE(groups.InvitationGroup(org_, mailed->token)->has_value());
  EXPECT_TRUE(groups.Accept(org_, mailed->token, c).ok());
  EXPECT_FALSE(groups.Accept(org_, mailed->token, d).ok());
  EXPECT_EQ((*groups.Find(org_, g->slug))->member_count, 3);
  int64_t invitations = 0;
  ASSERT_TRUE(db_->Read([&](db::Connection& conn) -> Status {
                   TING_ASSIGN_OR_RETURN(auto row, conn.QueryOne("SELECT COUNT(*) FROM proposal_group_invitations WHERE group_id = ?", {g->id}));
                   invitations = row->Int(0);
                   return {};
                 }).ok());
  EXPECT_EQ(invitations, 2) << "the invitation whose mail failed was rolled back";
}

}  // namespace
}  // namespace ting::components
