// Notifications into mail. Runs on the mail sender's thread before each round: each new
// notification becomes a mail now, waits for its person's digest, or is skipped (kind switched
// off, address not verified); digests that are due become one mail each. The notification's
// state changes in the same transaction as its mail is queued, so none is mailed twice.

#include <iostream>

#include "mail_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"

namespace ting::components {
namespace {

struct Recipient {
  std::string email, name, lang;
  bool verified = false;
};

Result<std::optional<Recipient>> RecipientIn(db::Connection& c, int64_t user_id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT email, name, lang, email_verified_at FROM users WHERE id = ?", {user_id}));
  if (!row) return std::optional<Recipient>();
  return std::optional<Recipient>(Recipient{row->Str(0), row->Str(1), row->Str(2), row->Int(3) != 0});
}

// The organisation whose site a notification's link is on (the first one when unknown).
Result<core::Organisation> OrganisationIn(db::Connection& c, int64_t id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT id, slug, name, host FROM organisations WHERE id = ? OR ? = 0 ORDER BY id LIMIT 1", {id, id}));
  core::Organisation org;
  if (row) {
    org.id = row->Int(0);
    org.slug = row->Str(1);
    org.name = row->Str(2);
    org.host = row->Str(3);
  }
  return org;
}

// Mail goes only to addresses their owner verified, never to the placeholders of accounts
// without one (eID sign-in).
bool Mailable(const Recipient& r) { return r.verified && !EndsWith(r.email, ".invalid"); }

}  // namespace

void MailComponent::Dispatch() {
  if (auto st = site_.db().Write([&](db::Connection& c) { return DispatchIn(c); }); !st.ok())
    std::cerr << "mail: notifications not mailed this round: " << st.error().message << std::endl;
}

Status MailComponent::DispatchIn(db::Connection& c) {
  const auto& catalog = site_.catalog();
  TING_ASSIGN_OR_RETURN(auto fresh, NotificationsToMailIn(c, NotificationMail::kNew, 200));
  for (const auto& n : fresh) {
    TING_ASSIGN_OR_RETURN(auto to, RecipientIn(c, n.user_id));
    TING_ASSIGN_OR_RETURN(Preferences prefs, PreferencesIn(c, n.user_id));
    NoticeKind kind = KindOfNotification(n.key);
    if (!to || !Mailable(*to) || !prefs.Wants(kind)) {
      TING_RETURN_IF_ERROR(SetNotificationMailIn(c, n.id, NotificationMail::kDone));
      continue;
    }
    if (prefs.digest) {
      TING_RETURN_IF_ERROR(SetNotificationMailIn(c, n.id, NotificationMail::kDigest));
      continue;
    }
    TING_ASSIGN_OR_RETURN(core::Organisation org, OrganisationIn(c, n.organisation_id));
    web::MailWords words{TING_MAIL_KEY("mail.notification"),
                         {{"name", to->name}, {"text", catalog.Format(to->lang, n.key, n.vars)}, {"link", site_.Url(org, n.link)}},
                         outbox::Kind::kNotification,
                         site_.Url(org, "/unsubscribe/" + UnsubscribeToken(n.user_id, NoticeKindName(kind)))};
    TING_RETURN_IF_ERROR(StatusOf(outbox::Enqueue(c, site_.env(), site_.ComposeMail(org, to->lang, to->email, words))));
    TING_RETURN_IF_ERROR(SetNotificationMailIn(c, n.id, NotificationMail::kDone));
  }
  TING_ASSIGN_OR_RETURN(auto due, DigestsDueIn(c, site_.env().NowSeconds() - site_.options().digest_interval_seconds));
  for (int64_t user_id : due) {
    TING_ASSIGN_OR_RETURN(auto items, DigestOfIn(c, user_id));
    TING_ASSIGN_OR_RETURN(auto to, RecipientIn(c, user_id));
    if (items.empty()) continue;
    TING_ASSIGN_OR_RETURN(core::Organisation org, OrganisationIn(c, items.front().organisation_id));
    if (to && Mailable(*to)) {
      std::string list;
      for (const auto& n : items) list += "- " + catalog.Format(to->lang, n.key, n.vars) + "\n  " + site_.Url(org, n.link) + "\n";
      web::MailWords words{TING_MAIL_KEY("mail.digest"),
                           {{"name", to->name}, {"count", std::to_string(items.size())}, {"items", list}},
                           outbox::Kind::kDigest,
                           site_.Url(org, "/unsubscribe/" + UnsubscribeToken(user_id, "all"))};
      TING_RETURN_IF_ERROR(StatusOf(outbox::Enqueue(c, site_.env(), site_.ComposeMail(org, to->lang, to->email, words))));
    }
    for (const auto& n : items) TING_RETURN_IF_ERROR(SetNotificationMailIn(c, n.id, NotificationMail::kDone));
  }
  return {};
}

}  // namespace ting::components
