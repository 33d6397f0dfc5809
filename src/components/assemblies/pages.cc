// The assemblies' pages: the public path (list, assembly, draw record), registration, the
// members' pages behind their seat link, and the manager's page.

#include "component.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"
#include "ting/html/markdown.h"

namespace ting::components::assemblies {

namespace {

std::map<std::string, std::string> Fields(const Request& req) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : req.FormFields()) out[k] = v;
  return out;
}

std::string Percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", p * 100.0);
  return buf;
}

std::string Decimal(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", p);
  return buf;
}

}  // namespace

bool AssembliesComponent::AddHome(const Context& ctx, html::Data& d) {
  auto list = store_.List(ctx.org);
  if (!list.ok() || list->empty()) return false;
  html::List items;
  for (const auto& a : *list) {
    auto stage = store_.Stage(a);
    items.push_back(html::Object{{"slug", a.slug}, {"title", a.Title(ctx.lang)}, {"question", a.Question(ctx.lang)},
                                 {"stage_label", site_.T(ctx, "assemblies.stage." + (stage.ok() ? *stage : std::string("registration")))}});
  }
  d.set("assemblies", items);
  d.set("has_assemblies", true);
  return true;
}

html::Data AssembliesComponent::Common(const Context& ctx, const Assembly& a, const std::string& stage) {
  html::Data d;
  d.set("slug", a.slug);
  d.set("assembly_title", a.Title(ctx.lang));
  d.set("question", a.Question(ctx.lang));
  d.set("stage_label", site_.T(ctx, "assemblies.stage." + stage));
  d.set("panel_size", std::to_string(a.panel_size));
  d.set("can_manage", ctx.Can(core::Action::kManageProcesses));
  d.set("registration_open", a.RegistrationOpen(site_.env().Today(a.time_zone)));
  d.set("frozen", a.frozen());
  d.set("drawn", a.drawn());
  d.set("inputs_sha256", a.inputs_sha256);
  d.set("draw_at", a.draw_at);
  html::List path;
  bool passed = true;
  for (const char* s : kStages) {
    const bool current = stage == s;
    path.push_back(html::Object{{"label", site_.T(ctx, std::string("assemblies.stage.") + s)},
                                {"state", current ? "current" : passed ? "done" : "todo"},
                                {"current", html::Data(current)}});
    if (current) passed = false;
  }
  d.set("stage_path", path);
  html::List dates;
  for (const char* n : kDateNames)
    if (auto it = a.dates.find(n); it != a.dates.end())
      dates.push_back(html::Object{{"label", site_.T(ctx, std::string("assemblies.date.") + n)}, {"date", it->second}});
  d.set("dates", dates);
  d.set("has_dates", !a.dates.empty());
  return d;
}

Result<Response> AssembliesComponent::ListPage(Request& req, Context& ctx) {
  html::Data d;
  d.set("has_assemblies", false);
  AddHome(ctx, d);
  return site_.RenderPage(req, ctx, "assemblies/list", TING_KEY("assemblies.title"), d);
}

Result<Response> AssembliesComponent::ShowPage(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(std::string stage, store_.Stage(a));
  html::Data d = Common(ctx, a, stage);
  TING_ASSIGN_OR_RETURN(auto volunteers, store_.Volunteers(a.id));
  d.set("volunteers", std::to_string(volunteers.size()));
  if (a.drawn()) {
    html::List rows;
    for (const auto& row : MakeUp(a, volunteers)) {
      const Feature* f = a.FindFeature(row["feature"].get<std::string>());
      const Quota* q = f ? f->Find(row["value"].get<std::string>()) : nullptr;
      rows.push_back(html::Object{{"feature", row["feature"].get<std::string>()},
                                  {"value", q ? q->Label(ctx.lang, a.default_language()) : row["value"].get<std::string>()},
                                  {"seats", std::to_string(row["seats"].get<int64_t>())},
                                  {"quota", std::to_string(row["min"].get<int64_t>()) + "–" + std::to_string(row["max"].get<int64_t>())},
                                  {"share", row.contains("share") ? Percent(row["share"].get<double>()) : std::string("–")}});
    }
    d.set("make_up", rows);
  }
  TING_ASSIGN_OR_RETURN(auto meetings, MeetingsOf(site_.db(), SessionsOf(a)));
  html::List sessions;
  for (const auto& m : meetings) {
    html::List docs;
    for (const auto& doc : m.documents) docs.push_back(html::Object{{"url", doc.Url()}, {"name", doc.name}});
    html::List speakers;
    for (const auto& s : m.speakers) speakers.push_back(html::Object{{"name", s.value("name", "")}, {"about", s.value("about", "")}});
    sessions.push_back(html::Object{{"title", m.title.Get(ctx.lang, a.default_language())}, {"starts_at", m.Date() + " " + m.Time()},
                                    {"place", m.place}, {"agenda_html", html::RenderMarkdown(m.agenda.Get(ctx.lang, a.default_language()))},
                                    {"documents", docs}, {"has_documents", html::Data(!docs.empty())}, {"speakers", speakers},
                                    {"has_speakers", html::Data(!speakers.empty())}});
  }
  d.set("sessions", sessions);
  d.set("has_sessions", !sessions.empty());
  TING_ASSIGN_OR_RETURN(auto recommendations, Recommendations(site_.db(), a.id));
  html::List recs;
  for (const auto& r : recommendations) {
    if (r.status == "draft") continue;
    html::Object o{{"id", std::to_string(r.id)}, {"title", r.title}, {"body_html", html::RenderMarkdown(r.body)},
                   {"status_label", site_.T(ctx, r.status == "adopted" ? TING_KEY("assemblies.adopted") : TING_KEY("assemblies.not_adopted"))},
                   {"support", site_.T(ctx, TING_KEY("assemblies.support"), {{"yes", std::to_string(r.yes)}, {"members", std::to_string(r.members)},
                                                                            {"percent", std::to_string(r.SupportPercent())}})}};
    o["answered"] = html::Data(!r.decision.empty());
    if (!r.decision.empty()) {
      o["decision_label"] = html::Data(site_.T(ctx, "assemblies.decision." + r.decision));
      o["answer_html"] = html::Data(html::RenderMarkdown(r.answer.Get(ctx.lang, a.default_language())));
      o["progress_label"] = html::Data(r.progress.empty() ? std::string() : site_.T(ctx, "assemblies.progress." + r.progress));
      html::List updates;
      for (const auto& u : r.updates)
        updates.push_back(html::Object{{"date", UtcDate(u.created_at)}, {"status", site_.T(ctx, "assemblies.progress." + u.status)}, {"body", u.body}});
      o["updates"] = html::Data(updates);
    }
    recs.push_back(o);
  }
  d.set("recommendations", recs);
  d.set("has_recommendations", !recs.empty());
  return site_.RenderPageTitled(req, ctx, "assemblies/show", a.Title(ctx.lang), d);
}

Result<Response> AssembliesComponent::RegisterPage(Request& req, Context& ctx, const std::map<std::string, std::string>& values,
                                                   const std::string& problem, int status) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(std::string stage, store_.Stage(a));
  html::Data d = Common(ctx, a, stage);
  auto value = [&](const std::string& k) {
    auto it = values.find(k);
    return it == values.end() ? std::string() : it->second;
  };
  std::string code = value("code");
  if (code.empty()) code = req.QueryParam("code").value_or("");
  d.set("code", code);
  d.set("invitation_only", a.invitation_only);
  for (const char* k : {"name", "email", "phone", "household"}) d.set(k, value(k));
  html::List features;
  for (const auto& f : a.features) {
    html::List options;
    int n = 0;
    for (const auto& q : f.values)
      options.push_back(html::Object{{"id", "f-" + f.name + "-" + std::to_string(n++)}, {"value", q.value}, {"label", q.Label(ctx.lang, a.default_language())},
                                     {"checked", html::Data(value("answer_" + f.name) == q.value)}});
    features.push_back(html::Object{{"name", "answer_" + f.name}, {"question", f.question.empty() ? f.name : f.question.Get(ctx.lang, a.default_language())},
                                    {"options", options}});
  }
  d.set("features", features);
  html::List needs;
  for (const char* n : kNeeds)
    needs.push_back(html::Object{{"name", std::string("need_") + n}, {"label", site_.T(ctx, std::string("assemblies.need.") + n)}, {"value", value(std::string("need_") + n)}});
  d.set("needs", needs);
  d.set("problem", problem);
  d.set("has_problem", !problem.empty());
  Response res = site_.RenderPageTitled(req, ctx, "assemblies/register", site_.T(ctx, TING_KEY("assemblies.register_title"), {{"assembly", a.Title(ctx.lang)}}), d);
  res.status = status;
  return res;
}

Result<Response> AssembliesComponent::RegisterForm(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  auto fields = Fields(req);
  std::map<std::string, std::string> answers;
  for (const auto& f : a.features)
    if (fields.count("answer_" + f.name)) answers[f.name] = fields["answer_" + f.name];
  auto id = Register(ctx, a, fields, answers, fields["consent"] == "yes", fields["code"]);
  if (!id.ok()) {
    const Error& e = id.error();
    if (Site::StatusFor(e.code) >= 500 || e.key.empty()) return e;
    return RegisterPage(req, ctx, fields, site_.T(ctx, e.key, e.args), Site::StatusFor(e.code));
  }
  TING_ASSIGN_OR_RETURN(std::string stage, store_.Stage(a));
  html::Data d = Common(ctx, a, stage);
  d.set("email", std::string(Trim(fields["email"])));
  d.set("has_email", !Trim(fields["email"]).empty());
  return site_.RenderPageTitled(req, ctx, "assemblies/registered", site_.T(ctx, TING_KEY("assemblies.registered_title")), d);
}

Result<Response> AssembliesComponent::DrawPage(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(std::string stage, store_.Stage(a));
  html::Data d = Common(ctx, a, stage);
  d.set("people_url", "/api/v1/assemblies/" + a.slug + "/draw/people.csv");
  d.set("categories_url", "/api/v1/assemblies/" + a.slug + "/draw/categories.csv");
  d.set("address_flag", a.households ? " --address-columns household" : "");
  if (a.drawn()) {
    TING_ASSIGN_OR_RETURN(auto volunteers, store_.Volunteers(a.id));
    TING_ASSIGN_OR_RETURN(json record, PublicRecord(site_.db(), a, volunteers));
    d.set("seed", a.seed);
    d.set("algorithm", record.value("algorithm", ""));
    d.set("min_probability", Decimal(record.value("min_probability", 0.0)));
    html::List panel, reserves, probabilities, changes;
    for (const auto& p : record["panel"]) panel.push_back(html::Object{{"pseudonym", p.get<std::string>()}});
    for (const auto& p : record["reserves"]) reserves.push_back(html::Object{{"pseudonym", p.get<std::string>()}});
    for (const auto& [p, v] : record["probabilities"].items())
      probabilities.push_back(html::Object{{"pseudonym", p}, {"p", Decimal(v.get<double>())}});
    for (const auto& c : record["seat_changes"])
      changes.push_back(html::Object{{"out", c["out"].get<std::string>()}, {"in", c["in"].is_string() ? c["in"].get<std::string>() : "–"},
                                     {"source", site_.T(ctx, "assemblies.change." + c["source"].get<std::string>())}, {"date", UtcDate(c["at"].get<int64_t>())}});
    d.set("panel", panel);
    d.set("reserves", reserves);
    d.set("probabilities", probabilities);
    d.set("changes", changes);
    d.set("has_changes", !changes.empty());
  }
  return site_.RenderPageTitled(req, ctx, "assemblies/draw", site_.T(ctx, TING_KEY("assemblies.draw_title"), {{"assembly", a.Title(ctx.lang)}}), d);
}

Result<Response> AssembliesComponent::SeatLink(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(auto seat, SeatByKey(a, req.Param("key")));
  if (!seat) return Error::Say(ErrorCode::kNotFound, TING_KEY("assemblies.problem.seat_key"));
  // The key moves into a cookie, so the address bar (and a shared screen) no longer shows it.
  Site::SetCookie(ctx, SeatCookie(a.id), req.Param("key"), 180 * 24 * 3600);
  Response res{303, {}, ""};
  res.Set("Location", "/assemblies/" + a.slug + "/members");
  return res;
}

Result<Response> AssembliesComponent::MembersPage(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(auto seat, SeatOf(req, ctx, a));
  if (!seat) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("assemblies.problem.seat_key"));
  TING_ASSIGN_OR_RETURN(std::string stage, store_.Stage(a));
  html::Data d = Common(ctx, a, stage);
  d.set("name", seat->name);
  d.set("seat_label", site_.T(ctx, "assemblies.seat." + seat->seat));
  d.set("invited", seat->seat == "invited");
  d.set("member", seat->seat == "confirmed");
  if (seat->seat == "confirmed") {
    TING_ASSIGN_OR_RETURN(auto meetings, MeetingsOf(site_.db(), SessionsOf(a)));
    html::List sessions;
    for (const auto& m : meetings)
      sessions.push_back(html::Object{{"title", m.title.Get(ctx.lang, a.default_language())}, {"starts_at", m.Date() + " " + m.Time()},
                                      {"place", m.place}, {"video_url", m.video_url}, {"has_video", html::Data(!m.video_url.empty())}});
    d.set("sessions", sessions);
    TING_ASSIGN_OR_RETURN(auto recommendations, Recommendations(site_.db(), a.id));
    html::List drafts;
    for (const auto& r : recommendations) {
      if (r.status != "draft") continue;
      auto mine = r.votes.find(seat->id);
      html::List votes;
      for (const char* v : {"yes", "no", "abstain"})
        votes.push_back(html::Object{{"value", v}, {"label", site_.T(ctx, std::string("assemblies.vote.") + v)}, {"id", "vote-" + std::to_string(r.id) + "-" + v},
                                     {"checked", html::Data(mine != r.votes.end() && mine->second == v)}});
      html::List comments;
      for (const auto& c : r.comments) comments.push_back(html::Object{{"date", UtcDate(c.created_at)}, {"body", c.body}});
      drafts.push_back(html::Object{{"id", std::to_string(r.id)}, {"title", r.title}, {"body", r.body}, {"body_html", html::RenderMarkdown(r.body)},
                                    {"votes", votes}, {"comments", comments}, {"voted", html::Data(mine != r.votes.end())}});
    }
    d.set("drafts", drafts);
    d.set("has_drafts", !drafts.empty());
  }
  return site_.RenderPageTitled(req, ctx, "assemblies/members", site_.T(ctx, TING_KEY("assemblies.members_title"), {{"assembly", a.Title(ctx.lang)}}), d);
}

Result<Response> AssembliesComponent::MembersForm(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(auto seat, SeatOf(req, ctx, a));
  if (!seat) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("assemblies.problem.seat_key"));
  auto f = Fields(req);
  const std::string action = f["action"];
  const std::string back = "/assemblies/" + a.slug + "/members";
  if (action == "confirm" || action == "decline") {
    TING_ASSIGN_OR_RETURN(SeatHook mail_seat, MailSeat(ctx, a));
    TING_ASSIGN_OR_RETURN(int64_t replacement, AnswerSeat(site_.db(), a, seat->id, action == "confirm", mail_seat, site_.env()));
    (void)replacement;
    site_.WakeMail();
    return Site::RedirectWithFlash(ctx, back, action == "confirm" ? TING_KEY("assemblies.confirmed") : TING_KEY("assemblies.declined"));
  }
  TING_ASSIGN_OR_RETURN(Volunteer member, RequireMember(req, ctx, a));
  auto id = ParseInt64(f["id"]).value_or(0);
  if (action == "draft") {
    TING_RETURN_IF_ERROR(StatusOf(AddRecommendation(site_.db(), site_.env(), a, member.id, f["title"], f["body"])));
  } else if (action == "edit") {
    TING_RETURN_IF_ERROR(EditRecommendation(site_.db(), site_.env(), a, id, member.id, f["title"], f["body"]));
  } else if (action == "comment") {
    TING_RETURN_IF_ERROR(CommentOn(site_.db(), site_.env(), a, id, member.id, f["body"]));
  } else if (action == "vote") {
    TING_RETURN_IF_ERROR(CastVote(site_.db(), site_.env(), a, id, member.id, f["vote"]));
  } else {
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("error.invalid"));
  }
  return Site::RedirectWithFlash(ctx, back, TING_KEY("assemblies.saved"));
}

Result<Response> AssembliesComponent::AdminPage(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(std::string stage, store_.Stage(a));
  html::Data d = Common(ctx, a, stage);
  TING_ASSIGN_OR_RETURN(json pool, Pool(a));
  d.set("volunteers", std::to_string(pool["volunteers"].get<int64_t>()));
  html::List rows;
  for (const auto& f : a.features)
    for (const auto& q : f.values) {
      const auto& v = pool["features"][f.name][q.value];
      const int64_t count = v["count"].get<int64_t>();
      rows.push_back(html::Object{{"feature", f.name}, {"value", q.value}, {"count", std::to_string(count)}, {"min", std::to_string(q.min)},
                                  {"max", std::to_string(q.max)}, {"short", html::Data(count < q.min)}});
    }
  d.set("pool", rows);
  d.set("has_warnings", !pool["warnings"].empty());
  TING_ASSIGN_OR_RETURN(auto volunteers, store_.Volunteers(a.id));
  html::List seats;
  for (const auto& v : volunteers) {
    if (v.seat.empty()) continue;
    seats.push_back(html::Object{{"id", std::to_string(v.id)}, {"name", v.name}, {"email", v.email}, {"phone", v.phone}, {"pseudonym", v.pseudonym},
                                 {"seat_label", site_.T(ctx, "assemblies.seat." + v.seat)}, {"holds", html::Data(v.seat != "declined")}});
  }
  d.set("seats", seats);
  TING_ASSIGN_OR_RETURN(auto recommendations, Recommendations(site_.db(), a.id));
  html::List recs;
  for (const auto& r : recommendations) {
    html::List decisions, progress;
    for (const char* x : kDecisions) decisions.push_back(html::Object{{"value", x}, {"label", site_.T(ctx, std::string("assemblies.decision.") + x)}});
    for (const char* x : kProgress) progress.push_back(html::Object{{"value", x}, {"label", site_.T(ctx, std::string("assemblies.progress.") + x)}});
    recs.push_back(html::Object{{"id", std::to_string(r.id)}, {"title", r.title}, {"draft", html::Data(r.status == "draft")},
                                {"votes", std::to_string(r.votes.size())},
                                {"answerable", html::Data(r.status == "adopted" && r.decision.empty())}, {"answered", html::Data(!r.decision.empty())},
                                {"status_label", r.status == "draft" ? site_.T(ctx, TING_KEY("assemblies.draft"))
                                                 : site_.T(ctx, r.status == "adopted" ? TING_KEY("assemblies.adopted") : TING_KEY("assemblies.not_adopted"))},
                                {"decisions", decisions}, {"progress", progress}});
  }
  d.set("recommendations", recs);
  d.set("infeasible", std::string());
  return site_.RenderPageTitled(req, ctx, "assemblies/admin", site_.T(ctx, TING_KEY("assemblies.admin_title"), {{"assembly", a.Title(ctx.lang)}}), d);
}

Result<Response> AssembliesComponent::AdminForm(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  auto f = Fields(req);
  const std::string action = f["action"];
  const std::string back = "/admin/assemblies/" + a.slug;
  if (action == "invite") {
    auto count = ParseInt64(Trim(f["count"]));
    TING_ASSIGN_OR_RETURN(auto codes, Invite(ctx, a, count.value_or(0), f["stratify"] == "district"));
    TING_ASSIGN_OR_RETURN(Response letters, Letters(ctx, a, codes));
    letters.status = 200;
    return letters;
  }
  if (action == "freeze") {
    json infeasible;
    FreezeRequest r{.draw_at = std::string(Trim(f["draw_at"])), .accept_relaxation = f["accept_relaxation"] == "yes"};
    Status st = Freeze(site_.db(), site_.env(), a, r, infeasible);
    if (!st.ok() && st.error().code == ErrorCode::kInfeasible && infeasible.is_object()) {
      std::vector<std::string> lines;
      for (const auto& c : infeasible["conflicts"]) lines.push_back(c.get<std::string>());
      for (const auto& c : infeasible["relaxation"])
        lines.push_back(site_.T(ctx, TING_KEY("assemblies.relax_line"), {{"feature", c["feature"].get<std::string>()}, {"value", c["value"].get<std::string>()},
                                                                        {"min", std::to_string(c["min"].get<int64_t>())}, {"max", std::to_string(c["max"].get<int64_t>())}}));
      return Error::Say(ErrorCode::kInfeasible, TING_KEY("assemblies.infeasible_page"), {{"lines", Join(lines, "; ")}});
    }
    TING_RETURN_IF_ERROR(st);
    return Site::RedirectWithFlash(ctx, back, TING_KEY("assemblies.frozen_done"));
  }
  if (action == "draw") {
    json infeasible;
    TING_ASSIGN_OR_RETURN(SeatHook mail_seat, MailSeat(ctx, a));
    TING_RETURN_IF_ERROR(Draw(site_.db(), site_.env(), a, f["seed"], mail_seat, infeasible));
    site_.WakeMail();
    return Site::RedirectWithFlash(ctx, "/assemblies/" + a.slug + "/draw", TING_KEY("assemblies.drawn_done"));
  }
  if (action == "confirm" || action == "decline") {
    TING_ASSIGN_OR_RETURN(SeatHook mail_seat, MailSeat(ctx, a));
    TING_RETURN_IF_ERROR(StatusOf(AnswerSeat(site_.db(), a, ParseInt64(f["id"]).value_or(0), action == "confirm", mail_seat, site_.env())));
    site_.WakeMail();
    return Site::RedirectWithFlash(ctx, back, TING_KEY("assemblies.saved"));
  }
  if (action == "session") {
    json body = {{"title", f["title"]}, {"starts_at", f["starts_at"]}, {"place", f["place"]}, {"video_url", f["video_url"]}, {"agenda", f["agenda"]}};
    if (f["ends_at"].size()) body["ends_at"] = f["ends_at"];
    auto m = MeetingFromJson(body, ctx.org.languages);
    if (!m.ok()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.invalid"), {{"detail", m.error().message}});
    TING_RETURN_IF_ERROR(StatusOf(AddMeeting(site_.db(), site_.env(), SessionsOf(a), *m)));
    return Site::RedirectWithFlash(ctx, back, TING_KEY("assemblies.saved"));
  }
  const int64_t id = ParseInt64(f["id"]).value_or(0);
  if (action == "close") {
    TING_RETURN_IF_ERROR(StatusOf(CloseVote(site_.db(), site_.env(), a, id)));
  } else if (action == "answer") {
    TING_RETURN_IF_ERROR(AnswerRecommendation(site_.db(), site_.env(), a, id, f["decision"], Translated(ctx.org.default_language(), f["answer"])));
  } else if (action == "progress") {
    TING_RETURN_IF_ERROR(ReportProgress(site_.db(), site_.env(), a, id, f["progress"], f["update"]));
  } else {
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("error.invalid"));
  }
  return Site::RedirectWithFlash(ctx, back, TING_KEY("assemblies.saved"));
}

Result<Response> AssembliesComponent::AdminListPage(Request& req, Context& ctx) {
  html::Data d;
  d.set("has_assemblies", false);
  AddHome(ctx, d);
  d.set("example", std::string("feature,value,min,max\nkön,kvinna,5,6\nkön,man,5,6\nålder,16-39,3,5\nålder,40-64,3,5\nålder,65+,2,4"));
  return site_.RenderPage(req, ctx, "assemblies/admin_list", TING_KEY("assemblies.admin_list_title"), d);
}

// The form's quotas are categories.csv's lines (feature,value,min,max), the format `ting select`
// reads, so a manager can paste what they already have.
Result<Response> AssembliesComponent::AdminCreate(Request& req, Context& ctx) {
  auto f = Fields(req);
  std::string quotas(Trim(f["quotas"]));
  if (!StartsWith(AsciiLower(quotas), "feature,") && !StartsWith(AsciiLower(quotas), "category,")) quotas = "feature,value,min,max\n" + quotas;
  auto categories = sortition::ParseCategories(quotas, "quotas");
  if (!categories.ok()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.invalid"), {{"detail", categories.error().message}});
  json features = json::object();
  for (const auto& q : categories->quotas) features[categories->features[q.feature]][q.value] = {{"min", q.min}, {"max", q.max}};
  json body = {{"slug", std::string(Trim(f["slug"]))}, {"title", f["title"]}, {"question", f["question"]},
               {"households", f["households"] == "yes"}, {"registration", f["registration"] == "open" ? "open" : "invitation"}, {"features", features}};
  if (auto n = ParseInt64(Trim(f["panel_size"]))) body["panel_size"] = *n;
  if (!Trim(f["registration_closes"]).empty()) body["dates"] = {{"registration_closes", std::string(Trim(f["registration_closes"]))}};
  auto a = AssemblyFromJson(body, ctx.org.languages);
  if (!a.ok()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.invalid"), {{"detail", a.error().message}});
  a->time_zone = ctx.org.time_zone;
  TING_RETURN_IF_ERROR(store_.Create(ctx.org, *a));
  return Site::RedirectWithFlash(ctx, "/admin/assemblies/" + a->slug, TING_KEY("assemblies.created"));
}

}  // namespace ting::components::assemblies
