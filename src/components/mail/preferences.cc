// What a person wants by mail, and the one-click way out.

#include "mail_internal.h"

namespace ting::components {

const char* NoticeKindName(NoticeKind kind) { return kind == NoticeKind::kReview ? "review" : "comments"; }

std::optional<NoticeKind> ParseNoticeKind(std::string_view name) {
  if (name == "review") return NoticeKind::kReview;
  if (name == "comments") return NoticeKind::kComments;
  return std::nullopt;
}

NoticeKind KindOfNotification(const std::string& key) {
  return key == "notify.comment" ? NoticeKind::kComments : NoticeKind::kReview;
}

Result<Preferences> PreferencesIn(db::Connection& c, int64_t user_id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT review, comments, digest FROM mail_preferences WHERE user_id = ?", {user_id}));
  Preferences p;
  if (row) {
    p.review = row->Int(0) != 0;
    p.comments = row->Int(1) != 0;
    p.digest = row->Int(2) != 0;
  }
  return p;
}

Status SavePreferencesIn(db::Connection& c, int64_t user_id, const Preferences& p) {
  return StatusOf(c.Exec("INSERT INTO mail_preferences(user_id, review, comments, digest) VALUES(?, ?, ?, ?) "
                         "ON CONFLICT(user_id) DO UPDATE SET review = excluded.review, comments = excluded.comments, digest = excluded.digest",
                         {user_id, int64_t{p.review}, int64_t{p.comments}, int64_t{p.digest}}));
}

}  // namespace ting::components
