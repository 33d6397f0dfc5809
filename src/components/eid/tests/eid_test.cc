// The eid component without a network: which issuers and settings are accepted, attempts good
// once and for ten minutes, identities keyed the register's way, providers kept until their
// settings change.

#include <gtest/gtest.h>

#include <filesystem>

#include "../eid_internal.h"
#include "fresh_database.h"
#include "ting/base/digest.h"
#include "ting/core/accounts.h"

namespace ting::components {
namespace {

TEST(EidSettings, IssuersAreHttpsOrThisMachine) {
  for (const char* good : {"https://kommunen.idura.broker", "https://ting.criipto.id/", "https://login.example/tenant/v2.0",
                           "http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:8443", "https://[2001:db8::1]"})
    EXPECT_TRUE(AllowedIssuer(good)) << good;
  for (const char* bad : {"", "http://idp.example", "ftp://idp.example", "https://", "https:///path", "https://idp.example?x=1",
                          "https://idp.example#top", "https://user@idp.example", "https://idp .example", "https://idp.example\n",
                          "HTTPS://idp.example", "http://127.0.0.1.evil.example", "http://localhost.evil.example", "javascript:alert(1)"})
    EXPECT_FALSE(AllowedIssuer(bad)) << bad;
}

EidConfig Good() {
  EidConfig k;
  k.issuer = "https://kommunen.idura.broker";
  k.client_id = "urn:my:application";
  k.client_secret = "s3cret";
  return k;
}

// The field the settings are refused for, or "ok".
std::string Refused(const EidConfig& k) {
  Status st = CheckConfig(k);
  if (st.ok()) return "ok";
  EXPECT_EQ(st.error().code, ErrorCode::kInvalidArgument);
  return st.error().args.count("field") ? st.error().args.at("field") : "?";
}

TEST(EidSettings, TheDefaultsServeAndEachFieldIsChecked) {
  EXPECT_EQ(Refused(Good()), "ok") << "scopes openid, claims ssn and name, label BankID";
  auto with = [](auto change) {
    EidConfig k = Good();
    change(k);
    return Refused(k);
  };
  EXPECT_EQ(with([](EidConfig& k) { k.issuer = "http://idp.example"; }), "issuer");
  EXPECT_EQ(with([](EidConfig& k) { k.client_id = ""; }), "client_id");
  EXPECT_EQ(with([](EidConfig& k) { k.client_id = std::string(501, 'x'); }), "client_id");
  EXPECT_EQ(with([](EidConfig& k) { k.client_secret = ""; }), "client_secret");
  EXPECT_EQ(with([](EidConfig& k) { k.scopes = "profile"; }), "scopes") << "openid is required";
  EXPECT_EQ(with([](EidConfig& k) { k.scopes = "openid  profile"; }), "scopes");
  EXPECT_EQ(with([](EidConfig& k) { k.scopes = "openid profile ssn"; }), "ok");
  EXPECT_EQ(with([](EidConfig& k) { k.ssn_claim = "\xff"; }), "ssn_claim") << "not UTF-8";
  EXPECT_EQ(with([](EidConfig& k) { k.name_claim = ""; }), "name_claim");
  EXPECT_EQ(with([](EidConfig& k) { k.label = std::string(101, 'x'); }), "label");
  EXPECT_EQ(with([](EidConfig& k) { k.label = "Bank\nID"; }), "label");
  EXPECT_EQ(with([](EidConfig& k) { k.label = "Freja eID+"; }), "ok");
  EXPECT_EQ(with([](EidConfig& k) { k.acr_values = "urn:grn:authn:se:bankid:same-device"; }), "ok");
}

class EidStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto migrations = core::CoreMigrations();
    for (auto& m : EidMigrations()) migrations.push_back(std::move(m));
    db_ = test_support::FreshDatabase(std::move(migrations), &path_);
    ASSERT_TRUE(db_);
    auto org = core::Organisations(*db_, env_).Create("a", "A", "");
    ASSERT_TRUE(org.ok()) << org.error().message;
    org_ = org->id;
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove(path_);
  }
  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(db_->Read([&](db::Connection& c) -> Status {
                     TING_ASSIGN_OR_RETURN(auto rows, c.Query(sql));
                     n = rows.at(0).Int(0);
                     return {};
                   }).ok());
    return n;
  }

  FakeEnv env_;
  std::string path_;
  std::unique_ptr<db::Database> db_;
  int64_t org_ = 0;
};

TEST_F(EidStoreTest, AnAttemptIsGoodOnceAndForTenMinutes) {
  EidStore store(*db_, env_);
  ASSERT_TRUE(store.StartAttempt("state-1", {org_, "nonce-1", "verifier-1", "/processes/pb"}).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM eid_attempts WHERE state_hash = 'state-1'"), 0) << "only the state's hash is kept";
  auto taken = store.TakeAttempt("state-1");
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ((*taken)->organisation_id, org_);
  EXPECT_EQ((*taken)->nonce, "nonce-1");
  EXPECT_EQ((*taken)->code_verifier, "verifier-1");
  EXPECT_EQ((*taken)->next, "/processes/pb");
  EXPECT_FALSE(store.TakeAttempt("state-1")->has_value()) << "used";
  EXPECT_FALSE(store.TakeAttempt("no-such-state")->has_value());

  ASSERT_TRUE(store.StartAttempt("state-2", {org_, "n", "v", "/"}).ok());
  ASSERT_TRUE(store.StartAttempt("state-3", {org_, "n", "v", "/"}).ok());
  env_.Advance(std::chrono::seconds(kAttemptSeconds - 1));
  EXPECT_TRUE(store.TakeAttempt("state-2")->has_value()) << "just in time";
  env_.Advance(std::chrono::seconds(2));
  EXPECT_FALSE(store.TakeAttempt("state-3")->has_value()) << "expired";
  ASSERT_TRUE(store.StartAttempt("state-4", {org_, "n", "v", "/"}).ok());
  ASSERT_TRUE(store.StartAttempt("state-5", {org_, "n", "v", "/"}).ok());
  env_.Advance(std::chrono::seconds(kAttemptSeconds + 1));
  ASSERT_TRUE(store.StartAttempt("state-6", {org_, "n", "v", "/"}).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM eid_attempts"), 1) << "abandoned attempts are dropped as new ones start";
}

TEST_F(EidStoreTest, IdentitiesAreKeyedLikeTheRegisterAndHaveOneAccount) {
  EidStore store(*db_, env_);
  auto key = store.IdentityKey("19700101-1234");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, *store.IdentityKey("197001011234")) << "any spelling the register takes as the same";
  EXPECT_NE(*key, *store.IdentityKey("197001011235"));
  EXPECT_EQ(*key, HmacSha256Hex(*core::InstanceSecret(*db_, "eid_identity"), "197001011234"));
  EXPECT_EQ(*key, *EidStore(*db_, env_).IdentityKey("197001011234")) << "the same after a restart";

  core::Accounts accounts(*db_, env_);
  auto record = [&](db::Connection& c, const core::User& u) { return store.RecordIdentityIn(c, *key, u.id, org_); };
  auto user = accounts.RegisterHashed("first@example.se", "First", "sv", "hash", record);
  ASSERT_TRUE(user.ok()) << user.error().message;
  EXPECT_EQ(*store.AccountOf(*key), user->id);
  EXPECT_EQ(*store.AccountOf(*store.IdentityKey("197001011235")), 0);
  auto twice = accounts.RegisterHashed("second@example.se", "Second", "sv", "hash", record);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kAlreadyExists);
  EXPECT_FALSE(accounts.FindByEmail("second@example.se")->has_value()) << "the account went with its identity";
}

TEST_F(EidStoreTest, SettingsAreReplacedAndRemoved) {
  EidStore store(*db_, env_);
  EXPECT_FALSE(store.Config(org_)->has_value());
  EidConfig k = Good();
  ASSERT_TRUE(store.SaveConfig(org_, k).ok());
  k.label = "Freja";
  k.acr_values = "urn:grn:authn:se:freja";
  ASSERT_TRUE(store.SaveConfig(org_, k).ok());
  auto stored = store.Config(org_);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->label, "Freja");
  EXPECT_EQ((*stored)->acr_values, "urn:grn:authn:se:freja");
  EXPECT_EQ((*stored)->client_secret, "s3cret");
  ASSERT_TRUE(store.StartAttempt("pending", {org_, "n", "v", "/"}).ok());
  EXPECT_TRUE(*store.DeleteConfig(org_));
  EXPECT_FALSE(*store.DeleteConfig(org_));
  EXPECT_FALSE(store.TakeAttempt("pending")->has_value()) << "its pending sign-ins went with it";
}

TEST_F(EidStoreTest, ProvidersAreKeptUntilTheSettingsChange) {
  EidStore store(*db_, env_);
  EidProviders providers(store, env_);
  EXPECT_FALSE((*providers.Config(org_))->has_value());
  EidConfig k = Good();
  ASSERT_TRUE(store.SaveConfig(org_, k).ok());
  EXPECT_FALSE((*providers.Config(org_))->has_value()) << "cached for a few seconds";
  providers.Forget(org_);
  EXPECT_TRUE((*providers.Config(org_))->has_value()) << "at once after Forget";
  k.label = "Freja";
  ASSERT_TRUE(store.SaveConfig(org_, k).ok());
  env_.Advance(std::chrono::seconds(11));
  EXPECT_EQ((**providers.Config(org_))->label, "Freja") << "another server's change, seen within seconds";

  auto first = providers.Provider(org_, k);
  EXPECT_EQ(providers.Provider(org_, k), first) << "its discovery and keys are kept";
  k.client_secret = "new secret";
  auto second = providers.Provider(org_, k);
  EXPECT_NE(second, first);
  EXPECT_EQ(second->config().client_secret, "new secret");
}

}  // namespace
}  // namespace ting::components
