// What a person wants by mail, and the one-click way out.

#include "mail_internal.h"

namespace ting::components {

const char* NoticeKindName(NoticeKind kind) {
  switch (kind) {
    case NoticeKind::kReview: return "review";
    case NoticeKind::kComments: return "comments";
    case NoticeKind::kFunded: return "funded";
    case NoticeKind::kPhases: return "phases";
  }
  return "review";
}

std::optional<NoticeKind> ParseNoticeKind(std::string_view name) {
  for (NoticeKind k : {NoticeKind::kReview, NoticeKind::kComments, NoticeKind::kFunded, NoticeKind::kPhases})
    if (name == NoticeKindName(k)) return k;
  return std::nullopt;
}

NoticeKind KindOfNotification(const std::string& key) {
  if (key == "notify.comment") return NoticeKind::kComments;
  if (key == "notify.funded" || key == "notify.followup" || key == "notify.followup_status") return NoticeKind::kFunded;
  if (key.rfind("notify.phase_", 0) == 0) return NoticeKind::kPhases;
  return NoticeKind::kReview;
}

bool Preferences::Wants(NoticeKind kind) const {
  switch (kind) {
    case NoticeKind::kReview: return review;
    case NoticeKind::kComments: return comments;
    case NoticeKind::kFunded: return funded;
    case NoticeKind::kPhases: return phases;
  }
  return false;
}

void Preferences::Set(NoticeKind kind, bool wanted) {
  switch (kind) {
    case NoticeKind::kReview: review = wanted; break;
    case NoticeKind::kComments: comments = wanted; break;
    case NoticeKind::kFunded: funded = wanted; break;
    case NoticeKind::kPhases: phases = wanted; break;
  }
}

Result<Preferences> PreferencesIn(db::Connection& c, int64_t user_id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT review, comments, digest, funded, phases FROM mail_preferences WHERE user_id = ?", {user_id}));
  Preferences p;
  if (row) {
    p.review = row->Int(0) != 0;
    p.comments = row->Int(1) != 0;
    p.digest = row->Int(2) != 0;
    p.funded = row->Int(3) != 0;
    p.phases = row->Int(4) != 0;
  }
  return p;
}

Status SavePreferencesIn(db::Connection& c, int64_t user_id, const Preferences& p) {
  return StatusOf(c.Exec("INSERT INTO mail_preferences(user_id, review, comments, digest, funded, phases) VALUES(?, ?, ?, ?, ?, ?) "
                         "ON CONFLICT(user_id) DO UPDATE SET review = excluded.review, comments = excluded.comments, digest = excluded.digest, "
                         "funded = excluded.funded, phases = excluded.phases",
                         {user_id, int64_t{p.review}, int64_t{p.comments}, int64_t{p.digest}, int64_t{p.funded}, int64_t{p.phases}}));
}

Result<bool> Subscribed(db::Database& db, int64_t user_id, int64_t organisation_id) {
  bool subscribed = false;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT 1 FROM newsletter_subscriptions WHERE user_id = ? AND organisation_id = ?", {user_id, organisation_id}));
    subscribed = row.has_value();
    return {};
  }));
  return subscribed;
}

Status SetSubscribedIn(db::Connection& c, const Env& env, int64_t user_id, int64_t organisation_id, bool subscribed) {
  if (!subscribed)
    return StatusOf(c.Exec("DELETE FROM newsletter_subscriptions WHERE user_id = ? AND organisation_id = ?", {user_id, organisation_id}));
  return StatusOf(c.Exec("INSERT OR IGNORE INTO newsletter_subscriptions(user_id, organisation_id, created_at) SELECT ?, id, ? FROM organisations WHERE id = ?",
                         {user_id, env.NowSeconds(), organisation_id}));
}

}  // namespace ting::components
