#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "ting/base/digest.h"
#include "ting/core/accounts.h"
#include "ting/core/security.h"

namespace ting::core {
namespace {

class CoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = std::filesystem::temp_directory_path() / ("ting_core_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    path_ = (dir / (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db")).string();
    std::filesystem::remove(path_);
    auto db = db::OpenSqlite(path_, {.durable = false});
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    ASSERT_TRUE(db::Migrate(*db_, CoreMigrations()).ok());
  }
  std::string path_;
  std::unique_ptr<db::Database> db_;
};

TEST(Passwords, PolicyRejectsShortCommonAndPersonal) {
  EXPECT_EQ(CheckPassword("kort", "a@b.se", "A"), "auth.password_short");
  EXPECT_EQ(CheckPassword("lösenord1", "a@b.se", "A"), "auth.password_short") << "9 characters, 10 bytes";
  EXPECT_EQ(CheckPassword("Password123", "a@b.se", "A"), "auth.password_common");
  EXPECT_EQ(CheckPassword("zzzzzzzzzzzz", "a@b.se", "A"), "auth.password_common");
  EXPECT_EQ(CheckPassword("anna.andersson", "anna.andersson@b.se", "Anna"), "auth.password_is_email");
  EXPECT_EQ(CheckPassword("tre gröna äpplen", "a@b.se", "A"), std::nullopt);
}

TEST(Passwords, Argon2idHashVerifies) {
  auto h = HashPassword("tre gröna äpplen");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(*h, "tre gröna äpplen"));
  EXPECT_FALSE(VerifyPassword(*h, "tre gröna äpplen!"));
  EXPECT_NE(*h, *HashPassword("tre gröna äpplen")) << "salted";
}

TEST(Emails, Normalise) {
  EXPECT_EQ(NormaliseEmail("  Anna@Example.SE "), "anna@example.se");
  EXPECT_FALSE(NormaliseEmail("anna@").has_value());
  EXPECT_FALSE(NormaliseEmail("anna@localhost").has_value());
  EXPECT_FALSE(NormaliseEmail("a b@c.se").has_value());
}

TEST_F(CoreTest, RegisterAuthenticateAndChangePassword) {
  Accounts accounts(*db_);
  auto u = accounts.Register("Sara@Example.se", "tre gröna äpplen", "Sara", "en");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->email, "sara@example.se");
  auto dup = accounts.Register("sara@example.se", "another good one", "S2", "sv");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(dup.error().message, "auth.email_taken");
  EXPECT_TRUE(accounts.Authenticate("SARA@example.se", "tre gröna äpplen").ok());
  auto wrong = accounts.Authenticate("sara@example.se", "wrong password here");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, "auth.wrong_credentials");
  EXPECT_EQ(accounts.Authenticate("nobody@example.se", "whatever1234").error().message, "auth.wrong_credentials");
  EXPECT_EQ(accounts.ChangePassword(u->id, "not it at all", "fyra blå bilar").error().key, "auth.current_wrong");
  EXPECT_EQ(accounts.ChangePassword(u->id, "tre gröna äpplen", "short").error().message, "auth.password_short");
  ASSERT_TRUE(accounts.ChangePassword(u->id, "tre gröna äpplen", "fyra blå bilar").ok());
  EXPECT_TRUE(accounts.Authenticate("sara@example.se", "fyra blå bilar").ok());
}

TEST_F(CoreTest, RolesPerOrganisationAndPermissions) {
  Accounts accounts(*db_);
  Organisations orgs(*db_);
  auto a = orgs.Create("malmo", "Malmö stad", "malmo.example");
  auto b = orgs.Create("lund", "Lunds kommun", "lund.example");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(orgs.ForHost("LUND.example")->slug, "lund");
  EXPECT_EQ(orgs.ForHost("localhost")->slug, "malmo") << "the first organisation is the default";
  auto u = accounts.Register("rev@example.se", "granska noga nu", "Rev", "sv");
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(accounts.Grant(a->id, u->id, Role::kReviewer).ok());
  ASSERT_TRUE(accounts.Grant(a->id, u->id, Role::kReviewer).ok()) << "granting twice is harmless";
  auto roles_a = *accounts.RolesOf(a->id, u->id);
  auto roles_b = *accounts.RolesOf(b->id, u->id);
  EXPECT_EQ(roles_a, std::vector<Role>{Role::kReviewer});
  EXPECT_TRUE(roles_b.empty());
  EXPECT_TRUE(Allowed(roles_a, Action::kReviewProposals));
  EXPECT_FALSE(Allowed(roles_a, Action::kManageProcesses));
  EXPECT_FALSE(Allowed(roles_b, Action::kViewAdmin));
  EXPECT_TRUE(Allowed({Role::kAdmin}, Action::kManageRoles));
  EXPECT_FALSE(Allowed({Role::kManager}, Action::kManageRoles));
  EXPECT_EQ(accounts.Members(a->id)->size(), 1u);
}

TEST_F(CoreTest, SessionsAreHashedExpireAndCanBeDestroyed) {
  Accounts accounts(*db_);
  Sessions sessions(*db_);
  auto u = accounts.Register("s@example.se", "tre gröna äpplen", "S", "sv");
  ASSERT_TRUE(u.ok());
  auto token = sessions.Create(u->id, SessionKind::kWeb);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ((*sessions.Lookup(*token, SessionKind::kWeb))->user_id, u->id);
  EXPECT_FALSE(sessions.Lookup(*token, SessionKind::kApi)->has_value()) << "a web cookie is not an API token";
  EXPECT_FALSE(sessions.Lookup(*token + "x", SessionKind::kWeb)->has_value());
  bool stored_plain = true;
  ASSERT_TRUE(db_->Read([&](db::Connection& c) -> Status {
    auto row = c.QueryOne("SELECT COUNT(*) FROM sessions WHERE token_hash = ?", {*token});
    stored_plain = (*row)->Int(0) > 0;
    return {};
  }).ok());
  EXPECT_FALSE(stored_plain);
  ASSERT_TRUE(sessions.Destroy(*token).ok());
  EXPECT_FALSE(sessions.Lookup(*token, SessionKind::kWeb)->has_value());
}

TEST(Security, CsrfTokensBindToTheirSession) {
  Csrf csrf("secret");
  std::string t = csrf.Token("session-a");
  EXPECT_TRUE(csrf.Verify("session-a", t));
  EXPECT_FALSE(csrf.Verify("session-b", t));
  EXPECT_FALSE(csrf.Verify("session-a", t.substr(1)));
  EXPECT_FALSE(csrf.Verify("", csrf.Token("")));
  EXPECT_FALSE(Csrf("other").Verify("session-a", t));
}

TEST(Security, RateLimiterBlocksThenRecovers) {
  FakeEnv env;
  RateLimiter limiter(env, 3, std::chrono::seconds(60));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.Blocked("k").has_value());
    limiter.Record("k");
  }
  auto wait = (env.Advance(std::chrono::seconds(10)), limiter.Blocked("k"));
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 50) << "the oldest of the three leaves the window in 50 s";
  EXPECT_FALSE(limiter.Blocked("other").has_value());
  EXPECT_FALSE((env.Advance(std::chrono::seconds(51)), limiter.Blocked("k")).has_value());
}

// Mailed links: single use, an hour for a reset and a week for a verification, only the newest
// reset link works, and a link mailed to an address no longer the account's does nothing.
TEST_F(CoreTest, MailedLinksAreSingleUseAndExpire) {
  FakeEnv env;
  Accounts accounts(*db_, env);
  Sessions sessions(*db_, env);
  auto user = accounts.Register("klara@example.se", "tre gröna äpplen", "Klara", "sv");
  ASSERT_TRUE(user.ok());
  EXPECT_FALSE(user->email_verified);
  auto issue = [&](TokenPurpose purpose) {
    std::string token;
    EXPECT_TRUE(db_->Write([&](db::Connection& c) -> Status {
                     TING_ASSIGN_OR_RETURN(token, Accounts::IssueToken(c, env, user->id, purpose));
                     return {};
                   }).ok());
    return token;
  };
  // A reset link: an hour, once; a newer one replaces it.
  std::string first = issue(TokenPurpose::kPasswordReset), second = issue(TokenPurpose::kPasswordReset);
  std::string stored;
  ASSERT_TRUE(db_->Read([&](db::Connection& c) -> Status {
                   TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT token_hash, email FROM account_tokens"));
                   for (const auto& r : rows) stored += r.Str(0) + " " + r.Str(1) + "\n";
                   return {};
                 }).ok());
  EXPECT_EQ(stored.find(first), std::string::npos) << "only hashes are stored";
  EXPECT_EQ(stored.find(second), std::string::npos);
  EXPECT_NE(stored.find(Sha256Hex(second)), std::string::npos);
  EXPECT_EQ(accounts.PasswordResetFor(first).error().code, ErrorCode::kGone) << "replaced by the newer link";
  ASSERT_TRUE(accounts.PasswordResetFor(second).ok());
  auto session = sessions.Create(user->id, SessionKind::kWeb);
  EXPECT_EQ(accounts.ResetPassword(second, "kort").error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(accounts.PasswordResetFor(second).ok()) << "a refused password does not use the link";
  env.Advance(std::chrono::minutes(59));
  auto reset = accounts.ResetPassword(second, "fyra blå päron");
  ASSERT_TRUE(reset.ok()) << reset.error().message;
  EXPECT_TRUE(reset->email_verified) << "the mail reached its owner";
  EXPECT_FALSE((*sessions.Lookup(*session, SessionKind::kWeb)).has_value()) << "every session ended";
  EXPECT_EQ(accounts.ResetPassword(second, "fem röda plommon").error().code, ErrorCode::kGone) << "used";
  EXPECT_TRUE(accounts.Authenticate("klara@example.se", "fyra blå päron").ok());
  std::string late = issue(TokenPurpose::kPasswordReset);
  env.Advance(std::chrono::minutes(61));
  EXPECT_EQ(accounts.ResetPassword(late, "fem röda plommon").error().code, ErrorCode::kGone) << "expired after an hour";
  EXPECT_EQ(accounts.PasswordResetFor("not-a-token").error().code, ErrorCode::kGone);

  // A verification link: a week, once.
  std::string verify = issue(TokenPurpose::kVerifyEmail);
  env.Advance(std::chrono::hours(24 * 6));
  EXPECT_TRUE(accounts.VerifyEmail(verify).ok());
  EXPECT_EQ(accounts.VerifyEmail(verify).error().code, ErrorCode::kGone);
  std::string old = issue(TokenPurpose::kVerifyEmail);
  env.Advance(std::chrono::hours(24 * 7 + 1));
  EXPECT_EQ(accounts.VerifyEmail(old).error().code, ErrorCode::kGone) << "expired after a week";
  EXPECT_EQ(accounts.VerifyEmail(first).error().code, ErrorCode::kGone) << "a reset link verifies nothing";

  // A link for an address the account no longer has does nothing.
  std::string moved = issue(TokenPurpose::kPasswordReset);
  ASSERT_TRUE(db_->Write([&](db::Connection& c) { return StatusOf(c.Exec("UPDATE users SET email = 'ny@example.se' WHERE id = ?", {user->id})); }).ok());
  EXPECT_EQ(accounts.PasswordResetFor(moved).error().code, ErrorCode::kGone);
}

TEST_F(CoreTest, ResetRequestsAreCountedPerAddressForAnHour) {
  FakeEnv env;
  int64_t count = 0;
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(db_->Write([&](db::Connection& c) -> Status {
                     TING_ASSIGN_OR_RETURN(count, Accounts::RecordResetRequest(c, env, i == 1 ? " Nobody@Example.se" : "nobody@example.se"));
                     return {};
                   }).ok());
  EXPECT_EQ(count, 3) << "the same address however written";
  env.Advance(std::chrono::minutes(61));
  ASSERT_TRUE(db_->Write([&](db::Connection& c) -> Status {
                   TING_ASSIGN_OR_RETURN(count, Accounts::RecordResetRequest(c, env, "nobody@example.se"));
                   return {};
                 }).ok());
  EXPECT_EQ(count, 1) << "an hour later the count starts again";
}

TEST_F(CoreTest, RegistrationRefusesInvalidDomainsAndRunsItsHookInItsTransaction) {
  Accounts accounts(*db_);
  EXPECT_EQ(accounts.Register("eid-0123@eid.invalid", "tre gröna äpplen", "X", "sv").error().key, "auth.email_invalid");
  auto failed = accounts.Register("hook@example.se", "tre gröna äpplen", "X", "sv",
                                  [](db::Connection&, const User&) -> Status { return Error::Internal("the mail could not be queued"); });
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE((*accounts.FindByEmail("hook@example.se")).has_value()) << "undone with its hook";
}

}  // namespace
}  // namespace ting::core
