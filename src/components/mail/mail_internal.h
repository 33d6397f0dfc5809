#pragma once
// The mail component's parts: preferences and unsubscribe (preferences.cc), turning
// notifications into mail (dispatch.cc), the routes, the bell and the outbox page
// (mail_component.cc).

#include <optional>
#include <string>

#include "ting/components/mail.h"
#include "ting/components/proposals.h"
#include "ting/web/site.h"

namespace ting::components {

using http::Request;
using http::Response;
using web::Context;

// What a person may get by mail besides their account's own links. A notification's kind comes
// from its catalogue key.
enum class NoticeKind { kReview, kComments };
const char* NoticeKindName(NoticeKind kind);  // "review", "comments"
std::optional<NoticeKind> ParseNoticeKind(std::string_view name);
NoticeKind KindOfNotification(const std::string& key);

struct Preferences {
  bool review = true, comments = true;  // mail me about these
  bool digest = false;                  // at most one mail a day, with everything in it
  bool Wants(NoticeKind kind) const { return kind == NoticeKind::kReview ? review : comments; }
};
Result<Preferences> PreferencesIn(db::Connection& c, int64_t user_id);
Status SavePreferencesIn(db::Connection& c, int64_t user_id, const Preferences& p);

class MailComponent final : public web::Component {
 public:
  explicit MailComponent(web::Site& site);

 private:
  // Pages.
  Result<Response> PreferencesPage(Request& req, Context& ctx);
  Result<Response> SavePreferences(Request& req, Context& ctx);
  Result<Response> UnsubscribePage(Request& req, Context& ctx);
  Result<Response> UnsubscribeOneClick(Request& req, Context& ctx);
  Result<Response> Resubscribe(Request& req, Context& ctx);
  Result<Response> OutboxPage(Request& req, Context& ctx);
  Result<Response> RetryMessage(Request& req, Context& ctx);
  Result<Response> ApiOutbox(Request& req, Context& ctx);

  // Unsubscribe links: "<user>.<kind>.<mac>", kind "review", "comments" or "all"; signed, so
  // nothing is stored per mail.
  std::string UnsubscribeToken(int64_t user_id, const std::string& kind);
  struct Unsubscribe {
    int64_t user_id = 0;
    std::string kind;
  };
  std::optional<Unsubscribe> ReadUnsubscribe(const std::string& token);
  Status SetWanted(const Unsubscribe& u, bool wanted);

  // Runs before each round of the mail sender: new notifications into mail (or the digest),
  // and the digests that are due (dispatch.cc).
  void Dispatch();
  Status DispatchIn(db::Connection& c);

  web::Site& site_;
  std::string unsubscribe_secret_;
};

}  // namespace ting::components
