// The outbox without a network: rendering, back-off, claims, retries, the newsletter rate. The
// SMTP transport against a real server is tested in tests/integration/mail_test.cc.

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "fresh_database.h"
#include "ting/outbox/outbox.h"

namespace ting::outbox {
namespace {

// A transport that records what it was given and fails while `down` is set.
class RecordingTransport final : public Transport {
 public:
  struct Sent {
    std::string to, data;
  };
  Status Send(const std::string& to, const std::string& data) override {
    ++calls;
    if (down) return Error::Io("connection refused");
    sent.push_back({to, data});
    return {};
  }
  std::vector<Sent> sent;
  bool down = false;
  int calls = 0;
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = test_support::FreshDatabase(Migrations(), &path_);
    ASSERT_TRUE(db_);
    auto transport = std::make_unique<RecordingTransport>();
    transport_ = transport.get();
    sender_ = std::make_unique<Sender>(*db_, env_, std::move(transport), "Ting <noreply@ting.example>",
                                       SenderOptions{.newsletters_per_minute = 3});
  }
  int64_t Queue(Kind kind, const std::string& to = "a@example.org", int64_t org = 1) {
    int64_t id = 0;
    EXPECT_TRUE(db_->Write([&](db::Connection& c) -> Status {
                     Message m{.organisation_id = org, .to = to, .subject = "Hej", .text = "Text", .html = "<p>Text</p>", .kind = kind};
                     if (kind != Kind::kTransactional) m.unsubscribe_url = "https://ting.example/unsubscribe/t";
                     TING_ASSIGN_OR_RETURN(id, Enqueue(c, env_, m));
                     return {};
                   }).ok());
    return id;
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
  FakeEnv env_;
  std::unique_ptr<db::Database> db_;
  RecordingTransport* transport_ = nullptr;
  std::unique_ptr<Sender> sender_;
};

TEST(Render, HeadersAreOneLineAndUtf8SubjectsAreEncodedWords) {
  Message m{.to = "klara@example.org\r\nBcc: x@evil.example", .subject = "Återställ ditt lösenord\r\nX-Evil: 1", .text = "Hej Klara", .html = "<p>Hej</p>"};
  std::string data = Render(m, "Ting Sundsvall <noreply@ting.example>", "<ting.1.2@ting.example>", 1780000000);
  EXPECT_EQ(data.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(data.find("\r\nX-Evil:"), std::string::npos);
  EXPECT_NE(data.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(data.find("Message-ID: <ting.1.2@ting.example>\r\n"), std::string::npos);
  EXPECT_NE(data.find("Date: Thu, 28 May 2026"), std::string::npos);
  EXPECT_NE(data.find("multipart/alternative"), std::string::npos);
  EXPECT_NE(data.find("Auto-Submitted: auto-generated"), std::string::npos);
  EXPECT_EQ(data.find("List-Unsubscribe"), std::string::npos) << "transactional mail has no unsubscribe";
  // Every line of the message is at most 998 characters (RFC 5322) and ends in CRLF.
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 998u);
    EXPECT_EQ(data.substr(start, end - start).find('\n'), std::string::npos);
    start = end + 2;
  }
}

TEST(Render, NotificationsCarryOneClickUnsubscribe) {
  Message m{.to = "a@example.org", .subject = "Hi", .text = "t", .kind = Kind::kNotification, .unsubscribe_url = "https://x.example/unsubscribe/abc"};
  std::string data = Render(m, "noreply@x.example", "<id@x.example>", 0);
  EXPECT_NE(data.find("List-Unsubscribe: <https://x.example/unsubscribe/abc>\r\n"), std::string::npos);
  EXPECT_NE(data.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), std::string::npos);
  EXPECT_NE(data.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
}

TEST(Render, AddressOfFromSetting) {
  EXPECT_EQ(AddressOf("Ting <noreply@ting.example>"), "noreply@ting.example");
  EXPECT_EQ(AddressOf(" noreply@ting.example "), "noreply@ting.example");
}

TEST(Smtp, APasswordGoesToAnotherMachineOnlyOverTls) {
  EXPECT_FALSE(TlsRequired({.url = "smtp://smtp.example.se:587"})) << "no password: STARTTLS when offered";
  EXPECT_TRUE(TlsRequired({.url = "smtp://smtp.example.se:587", .user = "ting", .password = "x"}));
  EXPECT_TRUE(TlsRequired({.url = "smtp://127.0.0.1.example.se:25", .user = "ting", .password = "x"}));
  EXPECT_FALSE(TlsRequired({.url = "smtp://127.0.0.1:25", .user = "ting", .password = "x"})) << "a local relay";
  EXPECT_FALSE(TlsRequired({.url = "smtp://localhost", .user = "ting", .password = "x"}));
  EXPECT_FALSE(TlsRequired({.url = "smtp://[::1]:25/", .user = "ting", .password = "x"}));
}

TEST(Backoff, FirstRetryWithinThirtySecondsThenDoublesToAnHour) {
  EXPECT_EQ(BackoffSeconds(1), 15);
  EXPECT_EQ(BackoffSeconds(2), 30);
  EXPECT_EQ(BackoffSeconds(3), 60);
  EXPECT_EQ(BackoffSeconds(9), 3600);
  EXPECT_EQ(BackoffSeconds(1000), 3600);
}

TEST_F(OutboxTest, SendsDueMailOnceTransactionalFirst) {
  Queue(Kind::kNewsletter, "n@example.org");
  Queue(Kind::kTransactional, "t@example.org");
  auto n = sender_->RunOnce();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  ASSERT_EQ(transport_->sent.size(), 2u);
  EXPECT_EQ(transport_->sent[0].to, "t@example.org");
  EXPECT_EQ(*sender_->RunOnce(), 0) << "nothing is sent twice";
  auto counts = CountsFor(*db_, 1);
  EXPECT_EQ(counts->sent, 2);
  EXPECT_EQ(counts->queued, 0);
}

TEST_F(OutboxTest, RetriesWithBackoffAndFailsAfterMaxAttempts) {
  int64_t id = Queue(Kind::kTransactional);
  transport_->down = true;
  EXPECT_EQ(*sender_->RunOnce(), 0);
  EXPECT_EQ(transport_->calls, 1);
  EXPECT_EQ(*sender_->RunOnce(), 0);
  EXPECT_EQ(transport_->calls, 1) << "not due again before its back-off";
  env_.Advance(std::chrono::seconds(15));
  (void)sender_->RunOnce();
  EXPECT_EQ(transport_->calls, 2) << "first retry 15 s later";
  auto pending = Pending(*db_, 1);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].attempts, 2);
  EXPECT_NE((*pending)[0].last_error.find("connection refused"), std::string::npos);
  for (int i = 0; i < kMaxAttempts; ++i) {
    env_.Advance(std::chrono::hours(1));
    (void)sender_->RunOnce();
  }
  EXPECT_EQ(transport_->calls, kMaxAttempts);
  EXPECT_EQ(CountsFor(*db_, 1)->failed, 1);
  EXPECT_EQ(Retry(*db_, 2, id).error().code, ErrorCode::kNotFound) << "another organisation's message";
  ASSERT_TRUE(Retry(*db_, 1, id).ok());
  transport_->down = false;
  EXPECT_EQ(*sender_->RunOnce(), 1);
  EXPECT_EQ(CountsFor(*db_, 1)->sent, 1);
  EXPECT_EQ(Retry(*db_, 1, id).error().code, ErrorCode::kNotFound) << "a sent message is not retried";
}

TEST_F(OutboxTest, NewslettersKeepTheirRateTransactionalMailDoesNot) {
  for (int i = 0; i < 5; ++i) Queue(Kind::kNewsletter, "n" + std::to_string(i) + "@example.org");
  Queue(Kind::kTransactional, "t@example.org");
  EXPECT_EQ(*sender_->RunOnce(), 4) << "3 newsletters per minute + the transactional one";
  Queue(Kind::kTransactional, "t2@example.org");
  EXPECT_EQ(*sender_->RunOnce(), 1) << "transactional mail does not wait for the rate";
  env_.Advance(std::chrono::seconds(61));
  EXPECT_EQ(*sender_->RunOnce(), 2);
}

TEST_F(OutboxTest, ClaimedMessagesAreNotSentByAnotherSenderUntilTheClaimExpires) {
  Queue(Kind::kTransactional);
  // Another process claimed it and died before recording the outcome.
  ASSERT_TRUE(db_->Write([&](db::Connection& c) { return StatusOf(c.Exec("UPDATE mail_outbox SET claimed_until = ?", {env_.NowSeconds() + 120})); }).ok());
  EXPECT_EQ(*sender_->RunOnce(), 0);
  env_.Advance(std::chrono::seconds(121));
  EXPECT_EQ(*sender_->RunOnce(), 1);
}

TEST_F(OutboxTest, StartMakesWaitingRetriesDueAndTheThreadSends) {
  Queue(Kind::kTransactional);
  transport_->down = true;
  (void)sender_->RunOnce();  // fails: next attempt in 15 s
  transport_->down = false;
  ASSERT_TRUE(sender_->Start().ok());
  for (int i = 0; i < 200 && CountsFor(*db_, 1)->sent == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  sender_->Stop();
  EXPECT_EQ(CountsFor(*db_, 1)->sent, 1);
}

TEST_F(OutboxTest, SentMailIsDeletedAfterThirtyDays) {
  Queue(Kind::kTransactional);
  EXPECT_EQ(*sender_->RunOnce(), 1);
  EXPECT_EQ(CountsFor(*db_, 1)->sent, 1);
  env_.Advance(std::chrono::hours(24 * 30 + 2));
  Queue(Kind::kTransactional);
  EXPECT_EQ(*sender_->RunOnce(), 1);
  EXPECT_EQ(CountsFor(*db_, 1)->sent, 1) << "the month-old one is gone, the new one stays";
}

TEST_F(OutboxTest, EnqueueRefusesAnythingButOneAddress) {
  Status st = db_->Write([&](db::Connection& c) -> Status {
    return StatusOf(Enqueue(c, env_, Message{.to = "a@example.org, b@example.org", .subject = "x", .text = "y"}));
  });
  EXPECT_FALSE(st.ok());
}

}  // namespace
}  // namespace ting::outbox
