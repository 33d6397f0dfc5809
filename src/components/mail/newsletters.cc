// Newsletters: a manager writes a message (in the organisation's languages) to everyone who asked
// for the organisation's newsletters, or to a process's followers; previews it, sends a test to
// themself, then sends it once. Each recipient's mail is queued in the outbox in the transaction
// that marks the newsletter sent, in their language, and leaves at the newsletter rate.

#include "mail_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/base/translated.h"

namespace ting::components {

using web::FormField;

namespace {

constexpr size_t kMaxSubject = 200, kMaxBody = 20000;  // bytes

struct Newsletter {
  int64_t id = 0, organisation_id = 0, process_id = 0;
  Translated subject, body;
  int64_t created_at = 0, sent_at = 0, recipients = 0;
  std::string process_slug;  // "" for the organisation's
};

struct Recipient {
  int64_t id = 0;
  std::string email, name, lang;
};

// An organisation's newsletters, newest first: one (id), or the latest 200 (id 0).
Result<std::vector<Newsletter>> NewslettersIn(db::Connection& c, int64_t organisation_id, int64_t id, const std::string& default_lang) {
  TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT n.id, n.organisation_id, n.process_id, n.subject, n.body, n.created_at, n.sent_at, n.recipients, "
                                           "COALESCE(p.slug, '') FROM newsletters n LEFT JOIN processes p ON p.id = n.process_id "
                                           "WHERE n.organisation_id = ? AND (n.id = ? OR ? = 0) ORDER BY n.id DESC LIMIT 200",
                                           {organisation_id, id, id}));
  std::vector<Newsletter> out;
  for (const auto& r : rows)
    out.push_back({r.Int(0), r.Int(1), r.Int(2), Translated::FromStored(r.Str(3), default_lang), Translated::FromStored(r.Str(4), default_lang),
                   r.Int(5), r.Int(6), r.Int(7), r.Str(8)});
  return out;
}

Result<std::optional<Newsletter>> FindIn(db::Connection& c, int64_t organisation_id, int64_t id, const std::string& default_lang) {
  if (id <= 0) return std::optional<Newsletter>();
  TING_ASSIGN_OR_RETURN(auto found, NewslettersIn(c, organisation_id, id, default_lang));
  if (found.empty()) return std::optional<Newsletter>();
  return std::optional<Newsletter>(std::move(found.front()));
}

// Who gets it: verified addresses that asked for it (the organisation's subscribers, or the
// process's followers).
Result<std::vector<Recipient>> RecipientsIn(db::Connection& c, const Newsletter& n) {
  std::vector<Recipient> out;
  const std::string columns = "SELECT u.id, u.email, u.name, u.lang FROM ";
  auto rows = n.process_id ? c.Query(columns + "process_follows f JOIN users u ON u.id = f.user_id WHERE f.process_id = ? AND u.email_verified_at > 0 ORDER BY u.id",
                                     {n.process_id})
                           : c.Query(columns + "newsletter_subscriptions s JOIN users u ON u.id = s.user_id "
                                               "WHERE s.organisation_id = ? AND u.email_verified_at > 0 ORDER BY u.id",
                                     {n.organisation_id});
  if (!rows.ok()) return rows.error();
  for (const auto& r : *rows)
    if (!EndsWith(r.Str(1), ".invalid")) out.push_back({r.Int(0), r.Str(1), r.Str(2), r.Str(3)});
  return out;
}

// Subject and body from a JSON value: {"sv": "...", "en": "..."} or a string (the default
// language's), checked against the organisation's languages and the limits.
Status TextsFrom(const json& value, const std::vector<std::string>& languages, size_t max, Translated& out) {
  auto put = [&](const std::string& lang, const json& text) -> Status {
    if (!text.is_string()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("mail.newsletter_invalid"));
    std::string t(Trim(text.get<std::string>()));
    if (t.size() > max || !IsValidUtf8(t)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("mail.newsletter_invalid"));
    if (std::find(languages.begin(), languages.end(), lang) == languages.end())
      return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("mail.newsletter_language"), {{"lang", lang}});
    out.Set(lang, t);
    return {};
  };
  if (value.is_string()) return put(languages.front(), value);
  if (!value.is_object()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("mail.newsletter_invalid"));
  for (const auto& [lang, text] : value.items()) TING_RETURN_IF_ERROR(put(lang, text));
  return {};
}

json NewsletterJson(const Newsletter& n, const outbox::Counts& counts) {
  return {{"id", n.id},          {"subject", n.subject.ToJson()}, {"body", n.body.ToJson()},   {"process", n.process_slug.empty() ? json() : json(n.process_slug)},
          {"sent", n.sent_at != 0}, {"sent_at", n.sent_at},       {"recipients", n.recipients}, {"queued", counts.queued},
          {"delivered", counts.sent}, {"failed", counts.failed}};
}

}  // namespace

// --- The work, shared by pages and API ---

namespace {

struct NewsletterDraft {
  Translated subject, body;
  std::string process;  // slug, "" for the organisation's subscribers
};

}  // namespace

static Result<int64_t> Create(web::Site& site, const Context& ctx, const NewsletterDraft& d) {
  const std::string& lang = ctx.org.default_language();
  if (d.subject.Get(lang, lang).empty() || d.body.Get(lang, lang).empty())
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("mail.newsletter_required"));
  int64_t process_id = 0;
  if (!d.process.empty()) {
    ProcessStore processes(site.db(), site.env());
    TING_ASSIGN_OR_RETURN(auto p, processes.Find(ctx.org.id, d.process));
    if (!p) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("mail.newsletter_no_process"));
    process_id = p->id;
  }
  int64_t id = 0;
  TING_RETURN_IF_ERROR(site.db().Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO newsletters(organisation_id, process_id, subject, body, created_by, created_at) VALUES(?, ?, ?, ?, ?, ?)",
                                         {ctx.org.id, process_id, d.subject.ToJson().dump(), d.body.ToJson().dump(), ctx.user->id, site.env().NowSeconds()})));
    id = c.LastInsertId();
    return {};
  }));
  return id;
}

static Result<Newsletter> Load(web::Site& site, const Context& ctx, const std::string& id_text) {
  auto id = ParseInt64(id_text);
  std::optional<Newsletter> n;
  if (id) {
    TING_RETURN_IF_ERROR(site.db().Read([&](db::Connection& c) -> Status {
      TING_ASSIGN_OR_RETURN(n, FindIn(c, ctx.org.id, *id, ctx.org.default_language()));
      return {};
    }));
  }
  if (!n) return Error::Say(ErrorCode::kNotFound, TING_KEY("mail.newsletter_not_found"));
  return std::move(*n);
}

static outbox::Message Compose(web::Site& site, const Context& ctx, const Newsletter& n, const std::string& to, const std::string& lang,
                               const std::string& unsubscribe_url) {
  const std::string& fallback = ctx.org.default_language();
  web::MailWords words{TING_MAIL_KEY("mail.newsletter"),
                       {{"subject", n.subject.Get(lang, fallback)}, {"body", n.body.Get(lang, fallback)}},
                       outbox::Kind::kNewsletter,
                       unsubscribe_url};
  outbox::Message m = site.ComposeMail(ctx.org, lang, to, words);
  return m;
}

// The test goes to the manager, in their language, outside the newsletter's counts.
static Status SendTest(web::Site& site, const Context& ctx, const Newsletter& n, const std::string& unsubscribe_url) {
  TING_RETURN_IF_ERROR(site.db().Write([&](db::Connection& c) {
    return StatusOf(outbox::Enqueue(c, site.env(), Compose(site, ctx, n, ctx.user->email, ctx.user->lang, unsubscribe_url)));
  }));
  site.WakeMail();
  return {};
}

Result<Response> MailComponent::NewslettersPage(Request& req, Context& ctx) {
  std::vector<Newsletter> list;
  TING_RETURN_IF_ERROR(site_.db().Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(list, NewslettersIn(c, ctx.org.id, 0, ctx.org.default_language()));
    return {};
  }));
  html::List rows;
  for (const auto& n : list) {
    html::Object o{{"id", std::to_string(n.id)}, {"subject", n.subject.Get(ctx.lang, ctx.org.default_language())},
                   {"audience", n.process_slug.empty() ? site_.T(ctx, TING_KEY("mail.audience_org")) : n.process_slug},
                   {"recipients", std::to_string(n.recipients)}};
    o["sent"] = html::Data(n.sent_at != 0);
    rows.push_back(o);
  }
  ProcessStore processes(site_.db(), site_.env());
  TING_ASSIGN_OR_RETURN(auto all, processes.List(ctx.org.id));
  html::List audiences;
  for (const auto& p : all) audiences.push_back(html::Object{{"slug", p.slug}, {"title", p.Title(ctx.lang)}});
  html::List languages;
  for (const auto& lang : ctx.org.languages)
    languages.push_back(html::Object{{"code", lang}, {"name", site_.catalog().Lang(lang).code == lang ? site_.catalog().Lang(lang).name : lang}});
  html::Data d;
  d.set("newsletters", rows);
  d.set("empty", rows.empty());
  d.set("processes", audiences);
  d.set("languages", languages);
  d.set("has_errors", false);
  return site_.RenderPage(req, ctx, "mail/newsletters", TING_KEY("mail.newsletters_title"), d);
}

Result<Response> MailComponent::CreateNewsletter(Request& req, Context& ctx) {
  NewsletterDraft draft;
  for (const auto& lang : ctx.org.languages) {
    std::string subject(Trim(FormField(req, "subject_" + lang))), body(Trim(FormField(req, "body_" + lang)));
    if (subject.size() > kMaxSubject || body.size() > kMaxBody) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("mail.newsletter_invalid"));
    draft.subject.Set(lang, subject);
    draft.body.Set(lang, body);
  }
  draft.process = FormField(req, "audience") == "org" ? "" : FormField(req, "audience");
  TING_ASSIGN_OR_RETURN(int64_t id, Create(site_, ctx, draft));
  return site_.RedirectWithFlash(ctx, "/admin/newsletters/" + std::to_string(id), TING_KEY("mail.newsletter_saved"));
}

Result<Response> MailComponent::NewsletterPage(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Newsletter n, Load(site_, ctx, req.params["id"]));
  size_t recipients = 0;
  TING_RETURN_IF_ERROR(site_.db().Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto list, RecipientsIn(c, n));
    recipients = list.size();
    return {};
  }));
  TING_ASSIGN_OR_RETURN(auto counts, outbox::NewsletterCounts(site_.db(), n.id));
  outbox::Message preview = Compose(site_, ctx, n, ctx.user->email, ctx.lang, site_.Url(ctx.org, "/unsubscribe/…"));
  html::Data d;
  d.set("id", std::to_string(n.id));
  d.set("subject", preview.subject);
  d.set("preview", preview.text);
  d.set("audience", n.process_slug.empty() ? site_.T(ctx, TING_KEY("mail.audience_org")) : n.process_slug);
  d.set("recipients", std::to_string(n.sent_at ? n.recipients : static_cast<int64_t>(recipients)));
  d.set("sent", n.sent_at != 0);
  d.set("queued", std::to_string(counts.queued));
  d.set("delivered", std::to_string(counts.sent));
  d.set("failed", std::to_string(counts.failed));
  d.set("email", ctx.user->email);
  return site_.RenderPage(req, ctx, "mail/newsletter", TING_KEY("mail.newsletter_title"), d);
}

static std::string NewsletterUnsubscribeKind(int64_t organisation_id, int64_t process_id) {
  return process_id ? "follow-" + std::to_string(process_id) : "news-" + std::to_string(organisation_id);
}

Result<Response> MailComponent::TestNewsletter(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Newsletter n, Load(site_, ctx, req.params["id"]));
  TING_RETURN_IF_ERROR(SendTest(site_, ctx, n, site_.Url(ctx.org, "/unsubscribe/" + UnsubscribeToken(ctx.user->id, NewsletterUnsubscribeKind(n.organisation_id, n.process_id)))));
  return site_.RedirectWithFlash(ctx, "/admin/newsletters/" + std::to_string(n.id), TING_KEY("mail.newsletter_test_sent"));
}

// Queues one mail per recipient and marks the newsletter sent, in one transaction: it goes once.
Result<int64_t> MailComponent::Send(const Context& ctx, int64_t id) {
  int64_t count = 0;
  TING_RETURN_IF_ERROR(site_.db().Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto n, FindIn(c, ctx.org.id, id, ctx.org.default_language()));
    if (!n) return Error::Say(ErrorCode::kNotFound, TING_KEY("mail.newsletter_not_found"));
    if (n->sent_at) return Error::Say(ErrorCode::kConflict, TING_KEY("mail.newsletter_sent_already"));
    TING_ASSIGN_OR_RETURN(auto recipients, RecipientsIn(c, *n));
    const std::string kind = NewsletterUnsubscribeKind(n->organisation_id, n->process_id);
    for (const auto& r : recipients) {
      outbox::Message m = Compose(site_, ctx, *n, r.email, r.lang, site_.Url(ctx.org, "/unsubscribe/" + UnsubscribeToken(r.id, kind)));
      m.newsletter_id = n->id;
      TING_RETURN_IF_ERROR(StatusOf(outbox::Enqueue(c, site_.env(), m)));
    }
    count = static_cast<int64_t>(recipients.size());
    return StatusOf(c.Exec("UPDATE newsletters SET sent_at = ?, recipients = ? WHERE id = ?", {site_.env().NowSeconds(), count, n->id}));
  }));
  site_.WakeMail();
  return count;
}

Result<Response> MailComponent::SendNewsletter(Request& req, Context& ctx) {
  auto id = ParseInt64(req.params["id"]);
  if (!id) return Error::Say(ErrorCode::kNotFound, TING_KEY("mail.newsletter_not_found"));
  TING_RETURN_IF_ERROR(StatusOf(Send(ctx, *id)));
  return site_.RedirectWithFlash(ctx, "/admin/newsletters/" + std::to_string(*id), TING_KEY("mail.newsletter_queued"));
}

// --- API ---

Result<Response> MailComponent::ApiNewsletters(Request&, Context& ctx) {
  std::vector<Newsletter> newsletters;
  TING_RETURN_IF_ERROR(site_.db().Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(newsletters, NewslettersIn(c, ctx.org.id, 0, ctx.org.default_language()));
    return {};
  }));
  json list = json::array();
  for (const auto& n : newsletters) {
    TING_ASSIGN_OR_RETURN(auto counts, outbox::NewsletterCounts(site_.db(), n.id));
    list.push_back(NewsletterJson(n, counts));
  }
  return Site::Json(200, {{"newsletters", list}});
}

Result<Response> MailComponent::ApiCreateNewsletter(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  if (!body.contains("subject") || !body.contains("body"))
    return Error::Say(ErrorCode::kMalformed, TING_KEY("api.missing_field"), {{"field", body.contains("subject") ? "body" : "subject"}});
  NewsletterDraft draft;
  TING_RETURN_IF_ERROR(TextsFrom(body["subject"], ctx.org.languages, kMaxSubject, draft.subject));
  TING_RETURN_IF_ERROR(TextsFrom(body["body"], ctx.org.languages, kMaxBody, draft.body));
  web::JsonFields fields(body);
  draft.process = fields.Text("process");
  TING_RETURN_IF_ERROR(fields.Check());
  TING_ASSIGN_OR_RETURN(int64_t id, Create(site_, ctx, draft));
  TING_ASSIGN_OR_RETURN(Newsletter n, Load(site_, ctx, std::to_string(id)));
  return Site::Json(201, NewsletterJson(n, {}));
}

Result<Response> MailComponent::ApiNewsletter(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Newsletter n, Load(site_, ctx, req.params["id"]));
  TING_ASSIGN_OR_RETURN(auto counts, outbox::NewsletterCounts(site_.db(), n.id));
  return Site::Json(200, NewsletterJson(n, counts));
}

Result<Response> MailComponent::ApiTestNewsletter(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Newsletter n, Load(site_, ctx, req.params["id"]));
  TING_RETURN_IF_ERROR(SendTest(site_, ctx, n, site_.Url(ctx.org, "/unsubscribe/" + UnsubscribeToken(ctx.user->id, NewsletterUnsubscribeKind(n.organisation_id, n.process_id)))));
  return Site::Json(202, {{"status", "queued"}, {"to", ctx.user->email}});
}

Result<Response> MailComponent::ApiSendNewsletter(Request& req, Context& ctx) {
  auto id = ParseInt64(req.params["id"]);
  if (!id) return Error::Say(ErrorCode::kNotFound, TING_KEY("mail.newsletter_not_found"));
  TING_ASSIGN_OR_RETURN(int64_t count, Send(ctx, *id));
  return Site::Json(202, {{"status", "queued"}, {"recipients", count}});
}

}  // namespace ting::components
