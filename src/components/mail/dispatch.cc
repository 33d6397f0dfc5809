// Notifications into mail. Runs on the mail sender's thread before each round: each new
// notification becomes a mail now, waits for its person's digest, or is skipped (kind switched
// off, address not verified); digests that are due become one mail each. The notification's
// state changes in the same transaction as its mail is queued, so none is mailed twice.

#include <chrono>
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

namespace {
constexpr auto kPhaseCheck = std::chrono::seconds(10);
}  // namespace

void MailComponent::Dispatch() {
  // Phases first: their notifications are mailed in the same round.
  if (site_.env().Monotonic() >= next_phase_check_) {
    next_phase_check_ = site_.env().Monotonic() + kPhaseCheck;
    bool changed = false;
    Status seen = site_.db().Read([&](db::Connection& c) { return NoticePhasesIn(c, &changed); });
    if (seen.ok() && changed) seen = site_.db().Write([&](db::Connection& c) { return NoticePhasesIn(c, nullptr); });
    if (!seen.ok()) std::cerr << "mail: phases not looked at this round: " << seen.error().message << std::endl;
  }
  // Most rounds have nothing to do: a read says so without taking the writer.
  bool work = false;
  Status looked = site_.db().Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto fresh, NotificationsToMailIn(c, NotificationMail::kNew, 1));
    TING_ASSIGN_OR_RETURN(auto due, DigestsDueIn(c, site_.env().NowSeconds() - site_.options().digest_interval_seconds));
    work = !fresh.empty() || !due.empty();
    return {};
  });
  if (looked.ok() && !work) return;
  if (auto st = site_.db().Write([&](db::Connection& c) { return DispatchIn(c); }); !st.ok())
    std::cerr << "mail: notifications not mailed this round: " << st.error().message << std::endl;
}

// With changed set: only tells whether any process's phase changed (a read). Without: records
// every change and notifies the process's followers (in the caller's transaction). A process seen
// for the first time is recorded without a notice.
Status MailComponent::NoticePhasesIn(db::Connection& c, bool* changed) {
  TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT p.id, s.phase FROM processes p LEFT JOIN process_phase_seen s ON s.process_id = p.id"));
  for (const auto& r : rows) {
    TING_ASSIGN_OR_RETURN(Phase now, ProcessStore::PhaseIn(c, r.Int(0), site_.env()));
    const std::string name = PhaseName(now);
    if (!r.IsNull(1) && r.Str(1) == name) continue;
    if (changed) {
      *changed = true;
      return {};
    }
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO process_phase_seen(process_id, phase) VALUES(?, ?) "
                                         "ON CONFLICT(process_id) DO UPDATE SET phase = excluded.phase",
                                         {r.Int(0), name})));
    if (r.IsNull(1)) continue;
    TING_ASSIGN_OR_RETURN(auto process, ProcessStore::FindIn(c, r.Int(0)));
    if (!process) continue;
    TING_ASSIGN_OR_RETURN(auto followers, FollowersIn(c, process->id));
    for (int64_t user : followers)
      TING_RETURN_IF_ERROR(NotifyIn(c, site_.env(), user, process->organisation_id, "notify.phase_" + name,
                                    {{"title", process->Title(process->default_language())}}, "/processes/" + process->slug));
  }
  return {};
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
