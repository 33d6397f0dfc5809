// Meetings of participatory budgets (an information evening, a proposal workshop at the library)
// with sign-ups, on the process's meetings page and in the API; the public download of any
// meeting's documents. Assemblies' sessions are the same meetings, managed by that component.

#include "meetings_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/components/processes.h"
#include "ting/core/security.h"
#include "ting/html/markdown.h"
#include "ting/web/json_fields.h"

namespace ting::components {

Result<std::optional<MeetingDocument>> FindMeetingDocument(db::Database& db, int64_t organisation_id, int64_t document_id) {
  std::optional<MeetingDocument> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT d.id, d.name, d.content_type, d.file, d.size FROM meeting_documents d "
                                               "JOIN meetings m ON m.id = d.meeting_id WHERE d.id = ? AND m.organisation_id = ?",
                                               {document_id, organisation_id}));
    if (row) out = MeetingDocument{row->Int(0), row->Str(1), row->Str(2), row->Str(3), row->Int(4)};
    return {};
  }));
  return out;
}

namespace {

class MeetingsComponent final : public web::Component {
 public:
  explicit MeetingsComponent(Site& site)
      : site_(site), processes_(site.db(), site.env()), sign_ups_(site.env(), 120, std::chrono::hours(1)) {
    const auto anyone = web::Access::Public();
    const auto manage = web::Access::Can(core::Action::kManageProcesses);
    const std::string api = "/api/v1/processes/{slug}/meetings";
    site.Api("GET", api, anyone, [this](Request& req, Context& ctx) { return ApiList(req, ctx); });
    site.Api("POST", api, manage, [this](Request& req, Context& ctx) { return ApiAdd(req, ctx); });
    site.Api("POST", api + "/{id}/documents", manage, [this](Request& req, Context& ctx) { return ApiDocument(req, ctx); });
    site.Api("POST", api + "/{id}/sign-ups", anyone, [this](Request& req, Context& ctx) { return ApiSignUp(req, ctx); },
             web::Limit{&sign_ups_});
    site.Api("GET", api + "/{id}/sign-ups", manage, [this](Request& req, Context& ctx) { return ApiSignUps(req, ctx); });
    site.Page("GET", "/processes/{slug}/meetings", anyone, [this](Request& req, Context& ctx) { return ListPage(req, ctx); });
    site.Page("POST", "/processes/{slug}/meetings/{id}/sign-up", anyone, [this](Request& req, Context& ctx) { return SignUpForm(req, ctx); },
              web::Limit{&sign_ups_});
    site.Page("GET", "/meetings/documents/{id}", anyone, [this](Request& req, Context& ctx) { return ServeDocument(req, ctx); });
  }

 private:
  Result<std::pair<Process, MeetingOwner>> Owner(const Request& req, const Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(processes_, ctx, req.Param("slug")));
    MeetingOwner owner{"process", p.id, ctx.org.id};
    return std::make_pair(std::move(p), owner);
  }
  static Result<int64_t> MeetingId(const Request& req) {
    auto id = ParseInt64(req.Param("id"));
    if (!id || *id <= 0) return Error::Say(ErrorCode::kNotFound, TING_KEY("meetings.problem.no_meeting"));
    return *id;
  }

  Result<Response> ApiList(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto po, Owner(req, ctx));
    TING_ASSIGN_OR_RETURN(auto list, MeetingsOf(site_.db(), po.second));
    json out = json::array();
    for (const auto& m : list) out.push_back(MeetingToJson(m, ctx.lang, po.first.default_language(), true));
    return Site::Json(200, {{"meetings", out}});
  }

  Result<Response> ApiAdd(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto po, Owner(req, ctx));
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    auto m = MeetingFromJson(body, ctx.org.languages);
    if (!m.ok()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("meetings.invalid"), {{"detail", m.error().message}});
    TING_ASSIGN_OR_RETURN(int64_t id, AddMeeting(site_.db(), site_.env(), po.second, *m));
    return Site::Json(201, {{"id", id}});
  }

  Result<Response> ApiDocument(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto po, Owner(req, ctx));
    TING_ASSIGN_OR_RETURN(int64_t meeting, MeetingId(req));
    TING_ASSIGN_OR_RETURN(int64_t id, AddMeetingDocument(site_.db(), site_.env(), po.second, meeting, req.QueryParam("name").value_or(""), req.body));
    return Site::Json(201, {{"id", id}, {"url", "/meetings/documents/" + std::to_string(id)}});
  }

  Result<int64_t> SignUpFrom(const Context& ctx, const MeetingOwner& owner, int64_t meeting, const std::map<std::string, std::string>& f,
                             bool consent, const std::string& time_zone) {
    if (!consent) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("meetings.problem.consent"));
    auto get = [&](const char* k) { return f.count(k) ? f.at(k) : std::string(); };
    MeetingSignUp s{0, get("name"), get("email"), get("phone"), get("needs"), ctx.lang, 0};
    return SignUp(site_.db(), site_.env(), owner, meeting, s, site_.env().Today(time_zone));
  }

  Result<Response> ApiSignUp(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto po, Owner(req, ctx));
    TING_ASSIGN_OR_RETURN(int64_t meeting, MeetingId(req));
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    web::JsonFields fields(body);
    std::map<std::string, std::string> f;
    for (const char* k : {"name", "email", "phone", "needs"}) f[k] = fields.Text(k);
    auto consent = fields.Bool("consent");
    TING_RETURN_IF_ERROR(fields.Check());
    TING_ASSIGN_OR_RETURN(int64_t id, SignUpFrom(ctx, po.second, meeting, f, consent.value_or(false), po.first.time_zone));
    return Site::Json(201, {{"id", id}});
  }

  Result<Response> ApiSignUps(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto po, Owner(req, ctx));
    TING_ASSIGN_OR_RETURN(int64_t meeting, MeetingId(req));
    TING_ASSIGN_OR_RETURN(auto list, SignUpsOf(site_.db(), po.second, meeting));
    json out = json::array();
    for (const auto& s : list)
      out.push_back({{"id", s.id}, {"name", s.name}, {"email", s.email}, {"phone", s.phone}, {"needs", s.needs}, {"language", s.language},
                     {"created_at", s.created_at}});
    return Site::Json(200, {{"sign_ups", out}});
  }

  Result<Response> ListPage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto po, Owner(req, ctx));
    const Process& p = po.first;
    TING_ASSIGN_OR_RETURN(auto list, MeetingsOf(site_.db(), po.second));
    const std::string today = site_.env().Today(p.time_zone);
    html::List items;
    for (const auto& m : list) {
      html::List docs, speakers;
      for (const auto& d : m.documents) docs.push_back(html::Object{{"url", d.Url()}, {"name", d.name}});
      for (const auto& s : m.speakers) speakers.push_back(html::Object{{"name", s.value("name", "")}, {"about", s.value("about", "")}});
      const bool open = m.sign_up && !m.Full() && m.Date() >= today;
      html::Object o{{"id", std::to_string(m.id)}, {"title", m.title.Get(ctx.lang, p.default_language())}, {"date", m.Date()}, {"time", m.Time()},
                     {"place", m.place}, {"agenda_html", html::RenderMarkdown(m.agenda.Get(ctx.lang, p.default_language()))},
                     {"documents", docs}, {"speakers", speakers}, {"has_documents", html::Data(!docs.empty())},
                     {"has_speakers", html::Data(!speakers.empty())}, {"open", html::Data(open)}, {"full", html::Data(m.sign_up && m.Full())},
                     {"places", m.capacity > 0 ? site_.T(ctx, TING_KEY("meetings.places_left"), {{"n", std::to_string(m.capacity - m.signed_up)}})
                                               : std::string()}};
      items.push_back(o);
    }
    html::Data d;
    d.set("process_slug", p.slug);
    d.set("process_title", p.Title(ctx.lang));
    d.set("meetings", items);
    d.set("has_meetings", !items.empty());
    return site_.RenderPageTitled(req, ctx, "meetings/list", site_.T(ctx, TING_KEY("meetings.title")) + " – " + p.Title(ctx.lang), d);
  }

  Result<Response> SignUpForm(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto po, Owner(req, ctx));
    TING_ASSIGN_OR_RETURN(int64_t meeting, MeetingId(req));
    std::map<std::string, std::string> f;
    for (const auto& [k, v] : req.FormFields()) f[k] = v;
    TING_ASSIGN_OR_RETURN(int64_t id, SignUpFrom(ctx, po.second, meeting, f, f["consent"] == "yes", po.first.time_zone));
    (void)id;
    return Site::RedirectWithFlash(ctx, "/processes/" + po.first.slug + "/meetings", TING_KEY("meetings.signed_up"));
  }

  Result<Response> ServeDocument(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto doc, FindMeetingDocument(site_.db(), ctx.org.id, ParseInt64(req.Param("id")).value_or(0)));
    if (!doc) return Error::Say(ErrorCode::kNotFound, TING_KEY("meetings.problem.no_document"));
    TING_ASSIGN_OR_RETURN(std::string bytes, site_.env().Files().Get(doc->file));
    Response r{200, {}, std::move(bytes)};
    r.Set("Content-Type", doc->content_type);
    r.Set("Content-Disposition", "attachment; filename=\"" + doc->name + "\"");
    r.Set("Content-Security-Policy", "default-src 'none'; sandbox");
    r.Set("X-Content-Type-Options", "nosniff");
    return r;
  }

  Site& site_;
  ProcessStore processes_;
  core::RateLimiter sign_ups_;  // sign-ups per client address
};

}  // namespace

web::Manifest MeetingsManifest() {
  return web::ManifestOf<MeetingsComponent>("meetings", "/processes/{slug}/meetings, /meetings/documents, /api/v1/processes/{slug}/meetings",
                                            meetings::Migrations, meetings::Resources, SeedMeetings);
}

}  // namespace ting::components
