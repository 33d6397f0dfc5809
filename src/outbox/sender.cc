// The background sender: claims due messages (an UPDATE only one sender can win, so several
// processes may share one database), sends them one by one, records the outcome.

#include <algorithm>

#include "ting/base/strings.h"
#include "ting/outbox/outbox.h"

namespace ting::outbox {
namespace {

std::optional<Kind> ParseKind(const std::string& s) {
  for (Kind k : {Kind::kTransactional, Kind::kNotification, Kind::kDigest, Kind::kNewsletter})
    if (s == KindName(k)) return k;
  return std::nullopt;
}

}  // namespace

Sender::Sender(db::Database& db, Env& env, std::unique_ptr<Transport> transport, std::string from, SenderOptions options)
    : db_(db), env_(env), transport_(std::move(transport)), from_(std::move(from)), options_(options) {}

Sender::~Sender() { Stop(); }

void Sender::AddJob(std::function<void()> job) { jobs_.push_back(std::move(job)); }

Status Sender::Start() {
  // What waited for a retry when the process stopped is due now; claims of a sender that died
  // are not touched (they expire by themselves, another process may still hold them).
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    return StatusOf(c.Exec("UPDATE mail_outbox SET next_attempt_at = ? WHERE status = 'queued' AND next_attempt_at > ?",
                           {env_.NowSeconds(), env_.NowSeconds()}));
  }));
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      (void)RunOnce();  // a failed round is retried at the next poll
      lock.lock();
      wake_.wait_for(lock, options_.poll, [this] { return woken_ || stopping_; });
      woken_ = false;
    }
  });
  return {};
}

void Sender::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sender::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

std::string Sender::MessageId(int64_t id, int64_t created_at) const {
  std::string domain = AddressOf(from_);
  auto at = domain.rfind('@');
  domain = at == std::string::npos ? "ting.invalid" : domain.substr(at + 1);
  return "<ting." + std::to_string(id) + "." + std::to_string(created_at) + "@" + domain + ">";
}

Result<std::vector<Sender::Claimed>> Sender::Claim(int64_t now, int newsletter_budget) {
  std::vector<Claimed> out;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    out.clear();
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, attempts, organisation_id, recipient, subject, body_text, body_html, unsubscribe_url, "
                                             "kind, newsletter_id, created_at FROM mail_outbox "
                                             "WHERE status = 'queued' AND next_attempt_at <= ? AND claimed_until <= ? "
                                             "ORDER BY priority, id LIMIT 50",
                                             {now, now}));
    for (const auto& r : rows) {
      Kind kind = ParseKind(r.Str(8)).value_or(Kind::kNewsletter);
      if (kind == Kind::kNewsletter && newsletter_budget-- <= 0) continue;
      TING_ASSIGN_OR_RETURN(int64_t won, c.Exec("UPDATE mail_outbox SET claimed_until = ? WHERE id = ? AND claimed_until <= ? AND status = 'queued'",
                                                {now + options_.claim_seconds, r.Int(0), now}));
      if (won != 1) continue;
      Message m;
      m.organisation_id = r.Int(2);
      m.to = r.Str(3);
      m.subject = r.Str(4);
      m.text = r.Str(5);
      m.html = r.Str(6);
      m.unsubscribe_url = r.Str(7);
      m.kind = kind;
      m.newsletter_id = r.Int(9);
      out.push_back({r.Int(0), r.Int(1), std::move(m), r.Int(10)});
    }
    return {};
  }));
  return out;
}

Result<int> Sender::RunOnce() {
  for (auto& job : jobs_) job();
  if (env_.NowSeconds() >= next_cleanup_) {  // hourly: old mail goes (docs/privacy.md)
    next_cleanup_ = env_.NowSeconds() + 3600;
    const int64_t keep = int64_t{options_.keep_sent_days} * 24 * 3600;
    TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) {
      return StatusOf(c.Exec("DELETE FROM mail_outbox WHERE (status = 'sent' AND sent_at < ?) OR (status = 'failed' AND created_at < ?)",
                             {env_.NowSeconds() - keep, env_.NowSeconds() - 3 * keep}));
    }));
  }
  // Newsletters: at most newsletters_per_minute in any minute (by the monotonic clock).
  int64_t mono = std::chrono::duration_cast<std::chrono::seconds>(env_.Monotonic().time_since_epoch()).count();
  std::erase_if(newsletter_sends_, [&](int64_t t) { return t <= mono - 60; });
  int budget = std::max(0, options_.newsletters_per_minute - static_cast<int>(newsletter_sends_.size()));
  TING_ASSIGN_OR_RETURN(auto claimed, Claim(env_.NowSeconds(), budget));
  int sent = 0;
  for (auto& m : claimed) {
    int64_t now = env_.NowSeconds();
    Status st = transport_->Send(m.message.to, Render(m.message, from_, MessageId(m.id, m.created_at), now));
    if (m.message.kind == Kind::kNewsletter) newsletter_sends_.push_back(mono);
    Status recorded = db_.Write([&](db::Connection& c) -> Status {
      if (st.ok())
        return StatusOf(c.Exec("UPDATE mail_outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, claimed_until = 0, last_error = '' "
                               "WHERE id = ?",
                               {now, m.id}));
      int attempts = static_cast<int>(m.attempts) + 1;
      return StatusOf(c.Exec("UPDATE mail_outbox SET status = ?, attempts = ?, next_attempt_at = ?, claimed_until = 0, last_error = ? WHERE id = ?",
                             {std::string(attempts >= kMaxAttempts ? "failed" : "queued"), attempts, now + BackoffSeconds(attempts),
                              std::string(Utf8Prefix(RepairUtf8(st.error().message), 500)), m.id}));
    });
    TING_RETURN_IF_ERROR(recorded);
    if (st.ok()) ++sent;
  }
  return sent;
}

}  // namespace ting::outbox
