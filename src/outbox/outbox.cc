// The outbox: its table, writing a message into it, rendering a message for the wire, and the
// admin's view (counts, pending, retry). The sender is sender.cc, SMTP smtp.cc.

#include "ting/outbox/outbox.h"

#include <sodium.h>

#include <algorithm>
#include <ctime>

#include "ting/base/digest.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"

namespace ting::outbox {

std::vector<db::Migration> Migrations() {
  return {{150, "outbox: outgoing mail, written in the transaction of the event that causes it", R"sql(
CREATE TABLE mail_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organisation_id INTEGER NOT NULL DEFAULT 0,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  body_html TEXT NOT NULL DEFAULT '',
  unsubscribe_url TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL CHECK (kind = 'transactional' OR kind = 'notification' OR kind = 'digest' OR kind = 'newsletter'),
  priority INTEGER NOT NULL,
  newsletter_id INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status = 'queued' OR status = 'sent' OR status = 'failed'),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_until INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX mail_outbox_due ON mail_outbox(status, next_attempt_at);
CREATE INDEX mail_outbox_org ON mail_outbox(organisation_id, status);
CREATE INDEX mail_outbox_newsletter ON mail_outbox(newsletter_id, status);
)sql"}};
}

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kTransactional: return "transactional";
    case Kind::kNotification: return "notification";
    case Kind::kDigest: return "digest";
    case Kind::kNewsletter: return "newsletter";
  }
  return "transactional";
}

namespace {

int PriorityOf(Kind kind) {
  switch (kind) {
    case Kind::kTransactional: return 0;
    case Kind::kNotification: return 1;
    case Kind::kDigest: return 2;
    case Kind::kNewsletter: return 3;
  }
  return 3;
}

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Base64 in lines of 76 characters, CRLF-terminated (RFC 2045).
std::string Base64Lines(std::string_view bytes) {
  std::string encoded = Base64(bytes), out;
  for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

// A header value on one line: CR, LF and other control characters become spaces, so no value
// can start a header of its own.
std::string OneLine(std::string_view value) {
  std::string out;
  for (char ch : value) out += (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ? ' ' : ch;
  return out;
}

bool Ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
}

// RFC 2047: a UTF-8 text as encoded words of at most 75 characters, never splitting a character.
std::string EncodedWords(std::string_view text) {
  if (Ascii(text)) return std::string(text);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = std::min(text.size(), i + 39);  // 39 bytes → 52 base64 characters per word
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string RfcDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

// "Name <a@b>": the name as an encoded word when it is not ASCII.
std::string FromHeader(const std::string& from) {
  auto lt = from.find('<');
  if (lt == std::string::npos) return OneLine(from);
  std::string name(Trim(std::string_view(from).substr(0, lt)));
  if (name.empty()) return OneLine(from.substr(lt));
  return EncodedWords(OneLine(name)) + " " + OneLine(from.substr(lt));
}

}  // namespace

std::string AddressOf(const std::string& from) {
  auto lt = from.find('<'), gt = from.rfind('>');
  if (lt != std::string::npos && gt != std::string::npos && gt > lt) return std::string(Trim(from.substr(lt + 1, gt - lt - 1)));
  return std::string(Trim(from));
}

std::string Render(const Message& m, const std::string& from, const std::string& message_id, int64_t date) {
  std::string out;
  out += "From: " + FromHeader(from) + "\r\n";
  out += "To: " + OneLine(m.to) + "\r\n";
  out += "Subject: " + EncodedWords(OneLine(m.subject)) + "\r\n";
  out += "Date: " + RfcDate(date) + "\r\n";
  out += "Message-ID: " + OneLine(message_id) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (m.kind == Kind::kTransactional) {
    out += "Auto-Submitted: auto-generated\r\n";
  } else if (!m.unsubscribe_url.empty()) {
    // RFC 8058: a mail client's "unsubscribe" POSTs List-Unsubscribe=One-Click to the URL.
    out += "List-Unsubscribe: <" + OneLine(m.unsubscribe_url) + ">\r\n";
    out += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
  if (m.kind == Kind::kNewsletter) out += "Precedence: bulk\r\n";
  if (m.html.empty()) {
    out += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    out += Base64Lines(m.text);
    return out;
  }
  // The boundary cannot occur in base64 text (it has '=' and '_' around letters base64 never
  // puts together with them).
  const std::string boundary = "=_ting_" + Sha256Hex(message_id).substr(0, 24);
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Lines(m.text);
  out += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Lines(m.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

Result<int64_t> Enqueue(db::Connection& c, const Env& env, const Message& m) {
  if (m.to.empty() || m.to.find_first_of("\r\n<>,;") != std::string::npos)
    return Error::Invalid("outbox: not one plain address: \"" + m.to + "\"");
  int64_t now = env.NowSeconds();
  TING_RETURN_IF_ERROR(StatusOf(c.Exec(
      "INSERT INTO mail_outbox(organisation_id, recipient, subject, body_text, body_html, unsubscribe_url, kind, priority, "
      "newsletter_id, next_attempt_at, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {m.organisation_id, m.to, m.subject, m.text, m.html, m.unsubscribe_url, std::string(KindName(m.kind)), PriorityOf(m.kind),
       m.newsletter_id, now, now})));
  return c.LastInsertId();
}

int64_t BackoffSeconds(int attempts) {
  int64_t wait = 15;
  for (int i = 1; i < attempts && wait < 3600; ++i) wait *= 2;
  return std::min<int64_t>(wait, 3600);
}

namespace {

Result<Counts> CountsWhere(db::Database& db, const std::string& column, int64_t value) {
  Counts counts;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    // column comes from this file, never from input.
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT status, COUNT(*) FROM mail_outbox WHERE " + column + " = ? GROUP BY status", {value}));
    for (const auto& r : rows) {
      if (r.Str(0) == "queued") counts.queued = r.Int(1);
      else if (r.Str(0) == "sent") counts.sent = r.Int(1);
      else if (r.Str(0) == "failed") counts.failed = r.Int(1);
    }
    return {};
  }));
  return counts;
}

}  // namespace

Result<Counts> CountsFor(db::Database& db, int64_t organisation_id) { return CountsWhere(db, "organisation_id", organisation_id); }
Result<Counts> NewsletterCounts(db::Database& db, int64_t newsletter_id) { return CountsWhere(db, "newsletter_id", newsletter_id); }

Result<std::vector<Entry>> Pending(db::Database& db, int64_t organisation_id, int limit) {
  std::vector<Entry> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, recipient, subject, kind, status, last_error, attempts, created_at, next_attempt_at, sent_at "
                                             "FROM mail_outbox WHERE organisation_id = ? AND (status = 'queued' OR status = 'failed') "
                                             "ORDER BY id DESC LIMIT ?",
                                             {organisation_id, static_cast<int64_t>(limit)}));
    for (const auto& r : rows)
      out.push_back({r.Int(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Str(5), r.Int(6), r.Int(7), r.Int(8), r.Int(9)});
    return {};
  }));
  return out;
}

Status Retry(db::Database& db, int64_t organisation_id, int64_t id) {
  return db.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(int64_t n, c.Exec("UPDATE mail_outbox SET status = 'queued', attempts = 0, next_attempt_at = 0, claimed_until = 0 "
                                            "WHERE id = ? AND organisation_id = ? AND status = 'failed'",
                                            {id, organisation_id}));
    if (n == 0) return Error::Say(ErrorCode::kNotFound, TING_KEY("mail.not_failed"));
    return {};
  });
}

}  // namespace ting::outbox
