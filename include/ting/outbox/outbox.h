#pragma once
// Outgoing mail through a durable outbox. A message is written into the outbox table in the same
// transaction as the event that causes it (Enqueue takes the caller's Connection), so it is sent
// if and only if the event committed. A Sender (one background thread per process) claims what
// is due, hands it to the SMTP server (libcurl: STARTTLS whenever the server offers it, or TLS
// from the start with smtps://) and marks it sent; a failure is retried with back-off (15 s,
// 30 s, 1 min, … at most an hour apart) and, after kMaxAttempts, marked failed for an admin to
// see and retry. Claims expire, so a message whose sender died mid-send is tried again: delivery
// is at least once, and each message keeps one Message-ID so a resend is recognisable.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ting/base/env.h"
#include "ting/base/result.h"
#include "ting/db/database.h"

namespace ting::outbox {

// The outbox's schema (versions 150–199, applied with the core's).
std::vector<db::Migration> Migrations();

// Why a message is sent. Transactional mail (verification, password reset) goes first and never
// waits for the rate limit; newsletters are sent at the configured rate.
enum class Kind { kTransactional, kNotification, kDigest, kNewsletter };
const char* KindName(Kind kind);

struct Message {
  int64_t organisation_id = 0;  // 0: none in particular
  std::string to{};       // one address, already normalised
  std::string subject{};
  std::string text{};  // plain text body
  std::string html{};  // simple HTML body ("" to send plain text only)
  Kind kind = Kind::kTransactional;
  // For everything that is not transactional: the one-click unsubscribe URL (body link and the
  // List-Unsubscribe / List-Unsubscribe-Post headers).
  std::string unsubscribe_url{};
  int64_t newsletter_id = 0;  // counts per newsletter
};

// Writes the message into the outbox, due now, inside the caller's transaction. Returns its id.
Result<int64_t> Enqueue(db::Connection& c, const Env& env, const Message& message);

// How the mail leaves: the SMTP settings of the configuration file.
struct SmtpConfig {
  std::string url{};  // smtp://host:587 (STARTTLS when offered), smtps://host:465; "" = no mail is sent
  std::string user{}, password{};
  std::string from{};     // "Ting <noreply@example.org>" or an address
  std::string ca_file{};  // trust anchors for the server's certificate ("" = the system's)
  int timeout_seconds = 30;
};

// The RFC 5322 text of a message as it goes on the wire: headers (UTF-8 subject as an encoded
// word; CR and LF removed from every header value), multipart/alternative text + HTML in base64.
std::string Render(const Message& message, const std::string& from, const std::string& message_id, int64_t date);
// The address part of a From setting ("Name <a@b>" → "a@b").
std::string AddressOf(const std::string& from);

// Hands one message to a mail server.
class Transport {
 public:
  virtual ~Transport() = default;
  // recipient: the envelope address; data: Render()'s text.
  virtual Status Send(const std::string& recipient, const std::string& data) = 0;
};
// SMTP through libcurl.
std::unique_ptr<Transport> SmtpTransport(SmtpConfig config);
// Whether the transport insists on TLS: a user and password going anywhere but this machine
// (smtps:// is TLS anyway; smtp:// then requires STARTTLS, else uses it when offered).
bool TlsRequired(const SmtpConfig& config);

struct SenderOptions {
  std::chrono::milliseconds poll = std::chrono::seconds(1);  // how often the outbox is read
  int newsletters_per_minute = 120;  // bulk mail rate; transactional mail is never held back
  int claim_seconds = 120;           // a claimed message another sender may take after this
  // Sent mail (addresses, texts: personal data) is deleted this long after it was sent; failed
  // mail three times as long after it was written. Counts of a newsletter's old mail go with it.
  int keep_sent_days = 30;
};

// Counts for the admin page.
struct Counts {
  int64_t queued = 0, sent = 0, failed = 0;
};
struct Entry {
  int64_t id = 0;
  std::string to, subject, kind, status, last_error;
  int64_t attempts = 0, created_at = 0, next_attempt_at = 0, sent_at = 0;
};
Result<Counts> CountsFor(db::Database& db, int64_t organisation_id);
// The newest queued and failed messages of an organisation (at most limit).
Result<std::vector<Entry>> Pending(db::Database& db, int64_t organisation_id, int limit = 100);
// Makes a failed message (of that organisation) due again now. kNotFound when not failed there.
Status Retry(db::Database& db, int64_t organisation_id, int64_t id);
Result<Counts> NewsletterCounts(db::Database& db, int64_t newsletter_id);

inline constexpr int kMaxAttempts = 20;
// Seconds to wait after the n-th failed attempt (n ≥ 1): 15 s doubling, at most an hour.
int64_t BackoffSeconds(int attempts);

// The background sender. Jobs (AddJob) run before each round, on the sender's thread: the
// platform uses them to turn notifications into mail.
class Sender {
 public:
  Sender(db::Database& db, Env& env, std::unique_ptr<Transport> transport, std::string from, SenderOptions options = {});
  ~Sender();  // stops
  void AddJob(std::function<void()> job);
  // Makes everything queued due now (what was waiting for a retry when the process stopped),
  // then starts the thread.
  Status Start();
  void Stop();
  // One round, on the caller's thread (tests): runs the jobs, sends what is due. Returns how
  // many messages were handed over.
  Result<int> RunOnce();
  // Wakes the thread for a round now (after a commit that queued mail).
  void Wake();

 private:
  struct Claimed {
    int64_t id, attempts;
    Message message;
    int64_t created_at;
  };
  Result<std::vector<Claimed>> Claim(int64_t now, int newsletter_budget);
  std::string MessageId(int64_t id, int64_t created_at) const;

  db::Database& db_;
  Env& env_;
  std::unique_ptr<Transport> transport_;
  std::string from_;
  SenderOptions options_;
  std::vector<std::function<void()>> jobs_;
  std::vector<int64_t> newsletter_sends_;  // monotonic seconds of recent newsletter sends
  int64_t next_cleanup_ = 0;               // Unix seconds: when old mail is deleted next
  std::mutex mu_;
  std::condition_variable wake_;
  bool woken_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace ting::outbox
