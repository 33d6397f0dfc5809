// The mail component: routes (preferences, unsubscribe, the outbox page), the notifications bell
// in every page's menu, and its schema.

#include <iostream>

#include "mail_internal.h"
#include "ting/base/digest.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"

namespace ting::components {

namespace mail {
const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
}

using web::Access;
using web::FormField;

namespace {

std::vector<db::Migration> Migrations() {
  return {{800, "mail: what each person wants by mail", R"sql(
CREATE TABLE mail_preferences (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  review INTEGER NOT NULL DEFAULT 1,
  comments INTEGER NOT NULL DEFAULT 1,
  digest INTEGER NOT NULL DEFAULT 0
);
)sql"},
          {810, "mail: news of funded projects and phases; newsletters and who asked for them; the phase each process was last seen in", R"sql(
ALTER TABLE mail_preferences ADD COLUMN funded INTEGER NOT NULL DEFAULT 1;
ALTER TABLE mail_preferences ADD COLUMN phases INTEGER NOT NULL DEFAULT 1;
CREATE TABLE newsletter_subscriptions (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, organisation_id)
);
CREATE TABLE newsletters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  process_id INTEGER NOT NULL DEFAULT 0,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_by INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  sent_at INTEGER NOT NULL DEFAULT 0,
  recipients INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX newsletters_org ON newsletters(organisation_id, id);
CREATE TABLE process_phase_seen (
  process_id INTEGER PRIMARY KEY REFERENCES processes(id) ON DELETE CASCADE,
  phase TEXT NOT NULL
);
)sql"}};
}

// Keys built at run time, registered so start-up checks the catalogue has them.
const bool kRuntimeKeys = [] {
  for (const char* k : {"all", "review", "comments", "funded", "phases", "news", "follow"}) ExpectKey(std::string("mail.kind_") + k);
  for (const char* k : {"transactional", "notification", "digest", "newsletter"}) ExpectKey(std::string("mail.outbox_kind_") + k);
  for (const char* k : {"queued", "sent", "failed"}) ExpectKey(std::string("mail.outbox_status_") + k);
  for (const char* k : {"information", "proposals", "review", "voting", "results", "followup"}) ExpectKey(std::string("notify.phase_") + k);
  return true;
}();

}  // namespace

MailComponent::MailComponent(web::Site& site) : site_(site) {
  auto secret = core::InstanceSecret(site.db(), "unsubscribe");
  unsubscribe_secret_ = secret.ok() ? *secret : "";
  auto bind = [this](auto method) {
    return [this, method](Request& req, Context& ctx) { return (this->*method)(req, ctx); };
  };
  site.Page("GET", "/account/notifications", Access::SignedIn(), bind(&MailComponent::PreferencesPage));
  site.Page("POST", "/account/notifications", Access::SignedIn(), bind(&MailComponent::SavePreferences));
  // One click in the mail turns the kind off; the page offers to undo it. Mail clients' own
  // "unsubscribe" (RFC 8058) POSTs to the same address without cookies: an API route.
  site.Page("GET", "/unsubscribe/{token}", Access::Public(), bind(&MailComponent::UnsubscribePage));
  site.Api("POST", "/unsubscribe/{token}", Access::Public(), bind(&MailComponent::UnsubscribeOneClick));
  site.Page("POST", "/unsubscribe/{token}/undo", Access::Public(), bind(&MailComponent::Resubscribe));
  site.Page("GET", "/admin/mail", Access::Can(core::Action::kSendMail), bind(&MailComponent::OutboxPage));
  site.Page("POST", "/admin/mail/{id}/retry", Access::Can(core::Action::kSendMail), bind(&MailComponent::RetryMessage));
  site.Api("GET", "/api/v1/mail/outbox", Access::Can(core::Action::kSendMail), bind(&MailComponent::ApiOutbox));
  const auto send = Access::Can(core::Action::kSendMail);
  site.Page("GET", "/admin/newsletters", send, bind(&MailComponent::NewslettersPage));
  site.Page("POST", "/admin/newsletters", send, bind(&MailComponent::CreateNewsletter));
  site.Page("GET", "/admin/newsletters/{id}", send, bind(&MailComponent::NewsletterPage));
  site.Page("POST", "/admin/newsletters/{id}/test", send, bind(&MailComponent::TestNewsletter));
  site.Page("POST", "/admin/newsletters/{id}/send", send, bind(&MailComponent::SendNewsletter));
  site.Api("GET", "/api/v1/newsletters", send, bind(&MailComponent::ApiNewsletters));
  site.Api("POST", "/api/v1/newsletters", send, bind(&MailComponent::ApiCreateNewsletter));
  site.Api("GET", "/api/v1/newsletters/{id}", send, bind(&MailComponent::ApiNewsletter));
  site.Api("POST", "/api/v1/newsletters/{id}/test", send, bind(&MailComponent::ApiTestNewsletter));
  site.Api("POST", "/api/v1/newsletters/{id}/send", send, bind(&MailComponent::ApiSendNewsletter));
  site.AddMailJob([this] { Dispatch(); });
  // The bell: unread notifications, on every page of a signed-in person.
  site.AddLayoutData([this](const Context& ctx, html::Data& data) {
    if (!ctx.user) return;
    auto unread = UnreadNotifications(site_.db(), ctx.user->id);
    if (unread.ok() && *unread > 0) data.set("unread", std::to_string(*unread));
  });
}

std::string MailComponent::UnsubscribeToken(int64_t user_id, const std::string& kind) {
  std::string body = std::to_string(user_id) + "." + kind;
  return body + "." + HmacSha256Hex(unsubscribe_secret_, "unsubscribe:" + body).substr(0, 32);
}

std::optional<MailComponent::Unsubscribe> MailComponent::ReadUnsubscribe(const std::string& token) {
  auto parts = Split(token, '.');
  if (parts.size() != 3 || unsubscribe_secret_.empty()) return std::nullopt;
  auto user = ParseInt64(parts[0]);
  std::string kind(parts[1]);
  auto numbered = [&](std::string_view prefix) { return kind.rfind(prefix, 0) == 0 && ParseInt64(kind.substr(prefix.size())).has_value(); };
  if (!user || (kind != "all" && !ParseNoticeKind(kind) && !numbered("news-") && !numbered("follow-"))) return std::nullopt;
  if (token != UnsubscribeToken(*user, kind)) return std::nullopt;
  return Unsubscribe{*user, kind};
}

Status MailComponent::SetWanted(const Unsubscribe& u, bool wanted) {
  return site_.db().Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto exists, c.QueryOne("SELECT 1 FROM users WHERE id = ?", {u.user_id}));
    if (!exists) return Error::Say(ErrorCode::kGone, TING_KEY("mail.unsubscribe_gone"));
    if (u.kind.rfind("news-", 0) == 0) return SetSubscribedIn(c, site_.env(), u.user_id, *ParseInt64(u.kind.substr(5)), wanted);
    if (u.kind.rfind("follow-", 0) == 0) return SetFollowingIn(c, site_.env(), u.user_id, *ParseInt64(u.kind.substr(7)), wanted);
    TING_ASSIGN_OR_RETURN(Preferences p, PreferencesIn(c, u.user_id));
    for (NoticeKind k : {NoticeKind::kReview, NoticeKind::kComments, NoticeKind::kFunded, NoticeKind::kPhases})
      if (u.kind == "all" || u.kind == NoticeKindName(k)) p.Set(k, wanted);
    return SavePreferencesIn(c, u.user_id, p);
  });
}

Result<Response> MailComponent::PreferencesPage(Request& req, Context& ctx) {
  std::optional<Preferences> p;
  TING_RETURN_IF_ERROR(site_.db().Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(p, PreferencesIn(c, ctx.user->id));
    return {};
  }));
  TING_ASSIGN_OR_RETURN(bool news, Subscribed(site_.db(), ctx.user->id, ctx.org.id));
  TING_ASSIGN_OR_RETURN(auto followed, FollowedBy(site_.db(), ctx.user->id, ctx.org.id));
  html::List follows;
  ProcessStore processes(site_.db(), site_.env());
  for (const auto& [id, slug] : followed) {
    TING_ASSIGN_OR_RETURN(auto p, processes.Find(ctx.org.id, slug));
    follows.push_back(html::Object{{"slug", slug}, {"title", p ? p->Title(ctx.lang) : slug}});
  }
  html::Data d;
  d.set("review", p->review);
  d.set("comments", p->comments);
  d.set("funded", p->funded);
  d.set("phases", p->phases);
  d.set("news", news);
  d.set("follows", follows);
  d.set("has_follows", !follows.empty());
  d.set("digest", p->digest);
  d.set("immediately", !p->digest);
  d.set("email", ctx.user->email);
  d.set("unverified", !ctx.user->email_verified);
  return site_.RenderPage(req, ctx, "mail/preferences", TING_KEY("mail.preferences_title"), d);
}

Result<Response> MailComponent::SavePreferences(Request& req, Context& ctx) {
  Preferences p;
  p.review = FormField(req, "review") == "1";
  p.comments = FormField(req, "comments") == "1";
  p.funded = FormField(req, "funded") == "1";
  p.phases = FormField(req, "phases") == "1";
  p.digest = FormField(req, "when") == "digest";
  const bool news = FormField(req, "news") == "1";
  TING_RETURN_IF_ERROR(site_.db().Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(SavePreferencesIn(c, ctx.user->id, p));
    return SetSubscribedIn(c, site_.env(), ctx.user->id, ctx.org.id, news);
  }));
  return site_.RedirectWithFlash(ctx, "/account/notifications", TING_KEY("mail.preferences_saved"));
}

Result<Response> MailComponent::UnsubscribePage(Request& req, Context& ctx) {
  auto u = ReadUnsubscribe(req.params["token"]);
  if (!u) return Error::Say(ErrorCode::kNotFound, TING_KEY("mail.unsubscribe_invalid"));
  TING_RETURN_IF_ERROR(SetWanted(*u, false));
  html::Data d;
  d.set("token", req.params["token"]);
  const std::string kind = u->kind.rfind("news-", 0) == 0 ? "news" : u->kind.rfind("follow-", 0) == 0 ? "follow" : u->kind;
  d.set("what", site_.T(ctx, "mail.kind_" + kind));
  return site_.RenderPage(req, ctx, "mail/unsubscribed", TING_KEY("mail.unsubscribed_title"), d);
}

Result<Response> MailComponent::UnsubscribeOneClick(Request& req, Context&) {
  auto u = ReadUnsubscribe(req.params["token"]);
  if (!u) return Error::Say(ErrorCode::kNotFound, TING_KEY("mail.unsubscribe_invalid"));
  TING_RETURN_IF_ERROR(SetWanted(*u, false));
  return Site::Json(200, {{"status", "unsubscribed"}, {"kind", u->kind}});
}

Result<Response> MailComponent::Resubscribe(Request& req, Context& ctx) {
  auto u = ReadUnsubscribe(req.params["token"]);
  if (!u) return Error::Say(ErrorCode::kNotFound, TING_KEY("mail.unsubscribe_invalid"));
  TING_RETURN_IF_ERROR(SetWanted(*u, true));
  return site_.RedirectWithFlash(ctx, "/", TING_KEY("mail.resubscribed"));
}

Result<Response> MailComponent::OutboxPage(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(auto counts, outbox::CountsFor(site_.db(), ctx.org.id));
  TING_ASSIGN_OR_RETURN(auto pending, outbox::Pending(site_.db(), ctx.org.id));
  html::List rows;
  for (const auto& e : pending) {
    html::Object o{{"id", std::to_string(e.id)},
                   {"to", e.to},
                   {"subject", e.subject},
                   {"kind", site_.T(ctx, "mail.outbox_kind_" + e.kind)},
                   {"status", site_.T(ctx, "mail.outbox_status_" + e.status)},
                   {"attempts", std::to_string(e.attempts)},
                   {"error", e.last_error}};
    o["failed"] = html::Data(e.status == "failed");
    rows.push_back(o);
  }
  html::Data d;
  d.set("queued", std::to_string(counts.queued));
  d.set("sent", std::to_string(counts.sent));
  d.set("failed", std::to_string(counts.failed));
  d.set("messages", rows);
  d.set("empty", rows.empty());
  return site_.RenderPage(req, ctx, "mail/outbox", TING_KEY("mail.outbox_title"), d);
}

Result<Response> MailComponent::RetryMessage(Request& req, Context& ctx) {
  auto id = ParseInt64(req.params["id"]);
  if (!id) return Error::Say(ErrorCode::kNotFound, TING_KEY("mail.not_failed"));
  TING_RETURN_IF_ERROR(outbox::Retry(site_.db(), ctx.org.id, *id));
  site_.WakeMail();
  return site_.RedirectWithFlash(ctx, "/admin/mail", TING_KEY("mail.retry_queued"));
}

Result<Response> MailComponent::ApiOutbox(Request&, Context& ctx) {
  TING_ASSIGN_OR_RETURN(auto counts, outbox::CountsFor(site_.db(), ctx.org.id));
  TING_ASSIGN_OR_RETURN(auto pending, outbox::Pending(site_.db(), ctx.org.id));
  json list = json::array();
  for (const auto& e : pending)
    list.push_back({{"id", e.id}, {"to", e.to}, {"subject", e.subject}, {"kind", e.kind}, {"status", e.status}, {"attempts", e.attempts},
                    {"last_error", e.last_error}, {"created_at", e.created_at}, {"next_attempt_at", e.next_attempt_at}});
  return Site::Json(200, {{"queued", counts.queued}, {"sent", counts.sent}, {"failed", counts.failed}, {"pending", list}});
}

// The demo's notifications are its history, not news: none of them is mailed.
Status SeedMail(web::Demo& demo) {
  return demo.db.Write([](db::Connection& c) { return StatusOf(c.Exec("UPDATE notifications SET mail_state = 1 WHERE mail_state <> 1")); });
}

web::Manifest MailManifest() {
  return web::ManifestOf<MailComponent>("mail", "/account/notifications, /unsubscribe, /admin/mail, /admin/newsletters", Migrations, mail::Resources,
                                        SeedMail);
}

}  // namespace ting::components
