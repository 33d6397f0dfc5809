#pragma once
// The mail component's parts: preferences and unsubscribe (preferences.cc), turning
// notifications into mail (dispatch.cc), the routes, the bell and the outbox page
// (mail_component.cc).

#include <chrono>
#include <optional>
#include <string>

#include "ting/components/mail.h"
#include "ting/components/processes.h"
#include "ting/components/proposals.h"
#include "ting/web/site.h"

namespace ting::components {

using http::Request;
using http::Response;
using web::Context;

// What a person may get by mail besides their account's own links. A notification's kind comes
// from its catalogue key.
enum class NoticeKind { kReview, kComments, kFunded, kPhases };
const char* NoticeKindName(NoticeKind kind);  // "review", "comments", "funded", "phases"
std::optional<NoticeKind> ParseNoticeKind(std::string_view name);
NoticeKind KindOfNotification(const std::string& key);

struct Preferences {
  bool review = true, comments = true, funded = true, phases = true;  // mail me about these
  bool digest = false;  // at most one mail a day, with everything in it
  bool Wants(NoticeKind kind) const;
  void Set(NoticeKind kind, bool wanted);
};
Result<Preferences> PreferencesIn(db::Connection& c, int64_t user_id);
Status SavePreferencesIn(db::Connection& c, int64_t user_id, const Preferences& p);

// Whether an account asked for an organisation's newsletters.
Result<bool> Subscribed(db::Database& db, int64_t user_id, int64_t organisation_id);
Status SetSubscribedIn(db::Connection& c, const Env& env, int64_t user_id, int64_t organisation_id, bool subscribed);

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

  // Newsletters (newsletters.cc).
  Result<Response> NewslettersPage(Request& req, Context& ctx);
  Result<Response> CreateNewsletter(Request& req, Context& ctx);
  Result<Response> NewsletterPage(Request& req, Context& ctx);
  Result<Response> TestNewsletter(Request& req, Context& ctx);
  Result<Response> SendNewsletter(Request& req, Context& ctx);
  Result<Response> ApiNewsletters(Request& req, Context& ctx);
  Result<Response> ApiCreateNewsletter(Request& req, Context& ctx);
  Result<Response> ApiNewsletter(Request& req, Context& ctx);
  Result<Response> ApiTestNewsletter(Request& req, Context& ctx);
  Result<Response> ApiSendNewsletter(Request& req, Context& ctx);
  Result<int64_t> Send(const Context& ctx, int64_t id);  // how many it was queued for

  // Unsubscribe links: "<user>.<kind>.<mac>", kind "review", "comments", "funded", "phases",
  // "all", "news-<organisation>" (its newsletters) or "follow-<process>" (stop following it);
  // signed, so nothing is stored per mail.
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
  // Processes whose phase changed since it was last seen: their followers are notified. Looked
  // at every kPhaseCheck (a change by date happens at midnight; by hand, any time).
  Status NoticePhasesIn(db::Connection& c, bool* changed);
  std::chrono::steady_clock::time_point next_phase_check_{};

  web::Site& site_;
  std::string unsubscribe_secret_;
};

}  // namespace ting::components
