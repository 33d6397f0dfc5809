// The assemblies' JSON API (docs/assemblies.md, docs/api.md).

#include "component.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/web/json_fields.h"

namespace ting::components::assemblies {

namespace {

// A path id, or 404 with the given key.
Result<int64_t> PathId(const Request& req, const char* key) {
  auto id = ParseInt64(req.Param("id"));
  if (!id || *id <= 0) return Error::Say(ErrorCode::kNotFound, key);
  return *id;
}

// A field's JSON strings as a map (answers, needs); wrong types are named.
Result<std::map<std::string, std::string>> Strings(const json& body, const char* field) {
  std::map<std::string, std::string> out;
  if (!body.contains(field) || body[field].is_null()) return out;
  if (!body[field].is_object()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("api.wrong_type"), {{"field", field}, {"type", "object"}});
  for (const auto& [k, v] : body[field].items()) {
    if (!v.is_string()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("api.wrong_type"), {{"field", std::string(field) + "." + k}, {"type", "string"}});
    out[k] = v.get<std::string>();
  }
  return out;
}

json VolunteerJson(const Volunteer& v, const std::string& seat_url) {
  json out = {{"id", v.id},       {"name", v.name},   {"email", v.email},         {"phone", v.phone},       {"household", v.household},
              {"language", v.language}, {"answers", v.answers}, {"needs", v.needs}, {"source", v.source}, {"seat", v.seat},
              {"pseudonym", v.pseudonym}, {"reserve_rank", v.reserve_rank}, {"created_at", v.created_at}};
  if (!seat_url.empty()) out["seat_url"] = seat_url;
  return out;
}

Error Explain(const Error& e) {
  if (!e.key.empty() || Site::StatusFor(e.code) >= 500) return e;
  return Error::Say(e.code, TING_KEY("assemblies.invalid"), {{"detail", e.message}});
}

}  // namespace

Result<Response> AssembliesComponent::ApiList(Request&, Context& ctx) {
  TING_ASSIGN_OR_RETURN(auto list, store_.List(ctx.org));
  json out = json::array();
  for (const auto& a : list) {
    TING_ASSIGN_OR_RETURN(std::string stage, store_.Stage(a));
    TING_ASSIGN_OR_RETURN(int64_t n, store_.CountVolunteers(a.id));
    out.push_back(AssemblyToJson(a, stage, n));
  }
  return Site::Json(200, {{"assemblies", out}});
}

Result<Response> AssembliesComponent::ApiGet(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(std::string stage, store_.Stage(a));
  TING_ASSIGN_OR_RETURN(int64_t n, store_.CountVolunteers(a.id));
  return Site::Json(200, AssemblyToJson(a, stage, n));
}

Result<Response> AssembliesComponent::ApiCreate(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  auto a = AssemblyFromJson(body, ctx.org.languages);
  if (!a.ok()) return Explain(a.error());
  a->time_zone = ctx.org.time_zone;
  TING_RETURN_IF_ERROR(store_.Create(ctx.org, *a));
  return Site::Json(201, AssemblyToJson(*a, "registration", 0));
}

Result<Response> AssembliesComponent::ApiUpdate(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly existing, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  if (body.is_object()) body["slug"] = existing.slug;
  auto a = AssemblyFromJson(body, ctx.org.languages);
  if (!a.ok()) return Explain(a.error());
  a->id = existing.id;
  a->organisation_id = existing.organisation_id;
  TING_RETURN_IF_ERROR(store_.Update(*a));
  return ApiGet(req, ctx);
}

Result<Response> AssembliesComponent::ApiInvitations(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields f(body);
  auto count = f.Int("count");
  std::string stratify = f.Text("stratify"), format = f.Text("format", "json");
  TING_RETURN_IF_ERROR(f.Check());
  if (!stratify.empty() && stratify != "district") return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.stratify"));
  if (format != "json" && format != "csv" && format != "pdf") return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.format"));
  TING_ASSIGN_OR_RETURN(auto codes, Invite(ctx, a, count.value_or(0), stratify == "district"));
  if (format == "pdf") return Letters(ctx, a, codes);
  if (format == "csv") {
    std::string csv = "name,address,district,language,code,url\r\n";
    for (const auto& c : codes)
      csv += CsvField(c.name) + "," + CsvField(c.household) + "," + CsvField(c.district) + "," + CsvField(c.language) + "," + c.code + "," +
             CsvField(RegisterUrl(ctx, a, c.code)) + "\r\n";
    Response res{201, {}, csv};
    res.Set("Content-Type", "text/csv; charset=utf-8");
    res.Set("Content-Disposition", "attachment; filename=\"" + a.slug + "-invitations.csv\"");
    res.Set("Cache-Control", "no-store");
    return res;
  }
  json list = json::array();
  for (const auto& c : codes)
    list.push_back({{"name", c.name}, {"district", c.district}, {"code", c.code}, {"url", RegisterUrl(ctx, a, c.code)}});
  return Site::Json(201, {{"codes", list}});
}

Result<Response> AssembliesComponent::ApiRegister(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields f(body);
  std::map<std::string, std::string> fields;
  for (const char* k : {"name", "email", "phone", "household", "language"}) fields[k] = f.Text(k);
  std::string code = f.Text("code");
  auto consent = f.Bool("consent");
  TING_RETURN_IF_ERROR(f.Check());
  TING_ASSIGN_OR_RETURN(auto answers, Strings(body, "answers"));
  TING_ASSIGN_OR_RETURN(auto needs, Strings(body, "needs"));
  for (const auto& [k, v] : needs) fields["need_" + k] = v;
  TING_ASSIGN_OR_RETURN(int64_t id, Register(ctx, a, fields, answers, consent.value_or(false), code));
  return Site::Json(201, {{"id", id}});
}

Result<Response> AssembliesComponent::ApiImport(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  if (!IsValidUtf8(req.body)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("api.bad_utf8"));
  auto rows = sortition::ParseCsv(req.body, "volunteers.csv");
  if (!rows.ok()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.import"), {{"lines", rows.error().message}});
  if (rows->empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.import"), {{"lines", "volunteers.csv: no header"}});
  const auto& header = rows->front().fields;
  std::vector<std::string> problems;
  for (const auto& f : a.features)
    if (std::find(header.begin(), header.end(), f.name) == header.end()) problems.push_back("volunteers.csv:1: no column '" + f.name + "'");
  if (std::find(header.begin(), header.end(), "name") == header.end()) problems.push_back("volunteers.csv:1: no column 'name'");
  if (std::find(header.begin(), header.end(), "consent") == header.end()) problems.push_back("volunteers.csv:1: no column 'consent'");
  std::vector<Volunteer> volunteers;
  for (size_t r = 1; problems.empty() && r < rows->size(); ++r) {
    const auto& row = (*rows)[r];
    std::map<std::string, std::string> fields, answers;
    for (size_t i = 0; i < header.size() && i < row.fields.size(); ++i) {
      if (a.FindFeature(header[i])) {
        answers[header[i]] = row.fields[i];
      } else {
        fields[header[i]] = row.fields[i];
      }
    }
    const std::string consent = AsciiLower(Trim(fields["consent"]));
    if (consent != "yes" && consent != "no" && consent != "ja" && consent != "nej") {
      problems.push_back("volunteers.csv:" + std::to_string(row.line) + ": consent must be yes or no");
      continue;
    }
    auto v = VolunteerFromFields(a, fields, answers, consent == "yes" || consent == "ja");
    if (!v.ok()) {
      problems.push_back("volunteers.csv:" + std::to_string(row.line) + ": " + site_.T(ctx, v.error().key, v.error().args));
      continue;
    }
    v->source = "import";
    if (v->language.empty()) v->language = ctx.org.default_language();
    volunteers.push_back(std::move(*v));
  }
  if (!problems.empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.import"), {{"lines", Join(problems, "\n")}});
  TING_ASSIGN_OR_RETURN(auto ids, store_.AddVolunteers(a, std::move(volunteers), ""));
  return Site::Json(200, {{"imported", ids.size()}, {"ids", ids}});
}

Result<Response> AssembliesComponent::ApiVolunteers(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(auto volunteers, store_.Volunteers(a.id));
  TING_ASSIGN_OR_RETURN(std::string secret, SeatSecret());
  json out = json::array();
  for (const auto& v : volunteers) out.push_back(VolunteerJson(v, v.seat.empty() ? "" : SeatUrl(secret, ctx, a, v.id)));
  return Site::Json(200, {{"volunteers", out}});
}

Result<Response> AssembliesComponent::ApiPool(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(json pool, Pool(a));
  return Site::Json(200, pool);
}

Result<Response> AssembliesComponent::ApiFreeze(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  json body = json::object();
  if (!Trim(req.body).empty()) {
    TING_ASSIGN_OR_RETURN(body, web::JsonBody(req));
  }
  web::JsonFields f(body);
  FreezeRequest r;
  r.draw_at = f.Text("draw_at");
  r.accept_relaxation = f.Bool("accept_relaxation").value_or(false);
  TING_RETURN_IF_ERROR(f.Check());
  if (r.draw_at.size() > 40 || !IsValidUtf8(r.draw_at)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.draw_at"));
  json infeasible;
  Status st = Freeze(site_.db(), site_.env(), a, r, infeasible);
  if (!st.ok() && st.error().code == ErrorCode::kInfeasible && infeasible.is_object()) return Site::Json(422, InfeasibleJson(ctx, infeasible));
  TING_RETURN_IF_ERROR(st);
  return Site::Json(200, {{"inputs_sha256", a.inputs_sha256}, {"draw_at", a.draw_at}, {"volunteers", std::count(a.people_csv.begin(), a.people_csv.end(), '\n') - 1}});
}

Result<Response> AssembliesComponent::ApiDraw(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields f(body);
  TING_ASSIGN_OR_RETURN(std::string seed, f.Required("seed"));
  TING_RETURN_IF_ERROR(f.Check());
  json infeasible;
  TING_ASSIGN_OR_RETURN(SeatHook mail_seat, MailSeat(ctx, a));
  Status st = Draw(site_.db(), site_.env(), a, seed, mail_seat, infeasible);
  if (!st.ok() && st.error().code == ErrorCode::kInfeasible && infeasible.is_object()) return Site::Json(422, InfeasibleJson(ctx, infeasible));
  TING_RETURN_IF_ERROR(st);
  site_.WakeMail();
  TING_ASSIGN_OR_RETURN(auto volunteers, store_.Volunteers(a.id));
  std::map<std::string, int64_t> ids;
  for (const auto& v : volunteers) ids[v.pseudonym] = v.id;
  json out = a.record;
  out["panel_pseudonyms"] = a.record["panel"];
  out["reserve_pseudonyms"] = a.record["reserves"];
  out["panel"] = json::array();
  out["reserves"] = json::array();
  for (const auto& p : a.record["panel"]) out["panel"].push_back(ids[p.get<std::string>()]);
  for (const auto& p : a.record["reserves"]) out["reserves"].push_back(ids[p.get<std::string>()]);
  return Site::Json(200, out);
}

Result<Response> AssembliesComponent::ApiPublicDraw(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  if (!a.frozen()) return Error::Say(ErrorCode::kNotFound, TING_KEY("assemblies.problem.not_frozen"));
  TING_ASSIGN_OR_RETURN(auto volunteers, store_.Volunteers(a.id));
  if (!a.drawn()) return Site::Json(200, {{"inputs_sha256", a.inputs_sha256}, {"draw_at", a.draw_at}, {"panel_size", a.panel_size}, {"drawn", false}});
  TING_ASSIGN_OR_RETURN(json record, PublicRecord(site_.db(), a, volunteers));
  record["drawn"] = true;
  return Site::Json(200, record);
}

Result<Response> AssembliesComponent::ApiInputFile(Request& req, Context& ctx, bool people) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  if (!a.frozen()) return Error::Say(ErrorCode::kNotFound, TING_KEY("assemblies.problem.not_frozen"));
  Response res{200, {}, people ? a.people_csv : a.categories_csv};
  res.Set("Content-Type", "text/csv; charset=utf-8");
  res.Set("Content-Disposition", std::string("attachment; filename=\"") + (people ? "people.csv" : "categories.csv") + "\"");
  return res;
}

Result<Response> AssembliesComponent::ApiPanel(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  if (req.QueryParam("format").value_or("") == "csv") return PanelCsv(ctx, a);
  TING_ASSIGN_OR_RETURN(auto volunteers, store_.Volunteers(a.id));
  TING_ASSIGN_OR_RETURN(std::string secret, SeatSecret());
  std::sort(volunteers.begin(), volunteers.end(), [](const Volunteer& x, const Volunteer& y) { return x.reserve_rank < y.reserve_rank; });
  json members = json::array(), reserves = json::array();
  for (const auto& v : volunteers) {
    if (!v.seat.empty()) members.push_back(VolunteerJson(v, SeatUrl(secret, ctx, a, v.id)));
    else if (v.reserve_rank > 0 && v.reserve_rank <= a.panel_size) reserves.push_back(VolunteerJson(v, ""));
  }
  return Site::Json(200, {{"members", members}, {"reserves", reserves}});
}

Result<Response> AssembliesComponent::ApiPanelAnswer(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(int64_t id, PathId(req, TING_KEY("assemblies.problem.no_seat")));
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields f(body);
  TING_ASSIGN_OR_RETURN(std::string answer, f.Required("answer"));
  TING_RETURN_IF_ERROR(f.Check());
  if (answer != "confirm" && answer != "decline") return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.seat_answer"));
  TING_ASSIGN_OR_RETURN(SeatHook mail_seat, MailSeat(ctx, a));
  TING_ASSIGN_OR_RETURN(int64_t replacement, AnswerSeat(site_.db(), a, id, answer == "confirm", mail_seat, site_.env()));
  site_.WakeMail();
  TING_ASSIGN_OR_RETURN(auto v, store_.VolunteerById(a.id, id));
  return Site::Json(200, {{"seat", v ? v->seat : ""}, {"replacement", replacement ? json(replacement) : json()}});
}

Result<Response> AssembliesComponent::ApiSeat(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(auto seat, SeatOf(req, ctx, a));
  if (!seat) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("assemblies.problem.seat_key"));
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields f(body);
  TING_ASSIGN_OR_RETURN(std::string answer, f.Required("answer"));
  TING_RETURN_IF_ERROR(f.Check());
  if (answer != "confirm" && answer != "decline") return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.seat_answer"));
  TING_ASSIGN_OR_RETURN(SeatHook mail_seat, MailSeat(ctx, a));
  TING_ASSIGN_OR_RETURN(int64_t replacement, AnswerSeat(site_.db(), a, seat->id, answer == "confirm", mail_seat, site_.env()));
  site_.WakeMail();
  (void)replacement;  // the member is not told who took the seat
  return Site::Json(200, {{"seat", answer == "confirm" ? "confirmed" : "declined"}});
}

Result<Response> AssembliesComponent::PanelCsv(const Context& ctx, const Assembly& a) {
  TING_ASSIGN_OR_RETURN(auto volunteers, store_.SeatHolders(a.id));
  TING_ASSIGN_OR_RETURN(std::string secret, SeatSecret());
  std::string csv = "name,email,phone,seat,seat_url,language,access,childcare,interpreter,dietary,other\r\n";
  for (const auto& v : volunteers) {
    csv += CsvField(v.name) + "," + CsvField(v.email) + "," + CsvField(v.phone) + "," + v.seat + "," + CsvField(SeatUrl(secret, ctx, a, v.id)) + "," +
           CsvField(v.language);
    for (const char* n : kNeeds) csv += "," + CsvField(v.needs.count(n) ? v.needs.at(n) : "");
    csv += "\r\n";
  }
  Response res{200, {}, csv};
  res.Set("Content-Type", "text/csv; charset=utf-8");
  res.Set("Content-Disposition", "attachment; filename=\"" + a.slug + "-panel.csv\"");
  res.Set("Cache-Control", "no-store");
  return res;
}

json AssembliesComponent::SessionsJson(const Context& ctx, const Assembly& a, const std::vector<Meeting>& meetings, bool insider) {
  std::map<int64_t, std::vector<int64_t>> present;
  if (insider) {
    auto attendance = AttendanceOf(site_.db(), a);
    if (attendance.ok()) present = std::move(*attendance);
  }
  json out = json::array();
  for (const auto& m : meetings) {
    json s = MeetingToJson(m, ctx.lang, a.default_language(), insider);
    if (insider) s["present"] = present[m.id];
    out.push_back(s);
  }
  return out;
}

Result<Response> AssembliesComponent::ApiSessions(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(auto seat, SeatOf(req, ctx, a));
  const bool insider = ctx.Can(core::Action::kEnterPaperBallots) || (seat && seat->seat == "confirmed");
  TING_ASSIGN_OR_RETURN(auto meetings, MeetingsOf(site_.db(), SessionsOf(a)));
  return Site::Json(200, {{"sessions", SessionsJson(ctx, a, meetings, insider)}});
}

Result<Response> AssembliesComponent::ApiAddSession(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  auto m = MeetingFromJson(body, ctx.org.languages);
  if (!m.ok()) return Explain(m.error());
  TING_ASSIGN_OR_RETURN(int64_t id, AddMeeting(site_.db(), site_.env(), SessionsOf(a), *m));
  return Site::Json(201, {{"id", id}});
}

Result<Response> AssembliesComponent::ApiDocument(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(int64_t meeting, PathId(req, TING_KEY("assemblies.problem.no_session")));
  TING_ASSIGN_OR_RETURN(int64_t id, AddMeetingDocument(site_.db(), site_.env(), SessionsOf(a), meeting, req.QueryParam("name").value_or(""), req.body));
  return Site::Json(201, {{"id", id}, {"url", "/meetings/documents/" + std::to_string(id)}});
}

Result<Response> AssembliesComponent::ApiAttendance(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(int64_t meeting, PathId(req, TING_KEY("assemblies.problem.no_session")));
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  if (!body.contains("present") || !body["present"].is_array())
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("api.wrong_type"), {{"field", "present"}, {"type", "array"}});
  std::vector<int64_t> present;
  for (const auto& v : body["present"]) {
    auto id = web::JsonInt64(v);
    if (!id) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("api.wrong_type"), {{"field", "present"}, {"type", "array of ids"}});
    present.push_back(*id);
  }
  TING_RETURN_IF_ERROR(SetAttendance(site_.db(), site_.env(), a, meeting, present, ctx.user->id));
  return Site::Json(200, {{"present", present}});
}

json AssembliesComponent::RecommendationJson(const Recommendation& r, bool insider) {
  json out = {{"id", r.id}, {"title", r.title}, {"body", r.body}, {"status", r.status}, {"created_at", r.created_at}, {"updated_at", r.updated_at}};
  if (r.status != "draft") {
    out["support"] = {{"yes", r.yes}, {"no", r.no}, {"abstain", r.abstain}, {"members", r.members}};
    out["support_percent"] = r.SupportPercent();
  } else if (insider) {
    int64_t yes = 0, no = 0, abstain = 0;
    for (const auto& [_, v] : r.votes) (v == "yes" ? yes : v == "no" ? no : abstain) += 1;
    out["votes_so_far"] = {{"yes", yes}, {"no", no}, {"abstain", abstain}};
  }
  out["decision"] = r.decision.empty() ? json() : json(r.decision);
  out["answer"] = r.answer.empty() ? json() : r.answer.ToJson();
  out["progress"] = r.progress.empty() ? json() : json(r.progress);
  json updates = json::array();
  for (const auto& u : r.updates) updates.push_back({{"status", u.status}, {"body", u.body}, {"created_at", u.created_at}});
  out["updates"] = updates;
  if (insider) {
    json comments = json::array();
    for (const auto& c : r.comments) comments.push_back({{"id", c.id}, {"body", c.body}, {"created_at", c.created_at}});
    out["comments"] = comments;
  }
  return out;
}

Result<Response> AssembliesComponent::ApiRecommendations(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(auto seat, SeatOf(req, ctx, a));
  const bool insider = ctx.Can(core::Action::kManageProcesses) || (seat && seat->seat == "confirmed");
  TING_ASSIGN_OR_RETURN(auto list, Recommendations(site_.db(), a.id));
  json out = json::array();
  for (const auto& r : list)
    if (insider || r.status != "draft") out.push_back(RecommendationJson(r, insider));
  return Site::Json(200, {{"recommendations", out}, {"support_threshold", a.support_threshold}});
}

// What every member's call starts with: the assembly, the confirmed member, the recommendation's
// id (when the path has one) and the JSON body's text fields.
Result<AssembliesComponent::MemberCall> AssembliesComponent::ForMember(Request& req, Context& ctx, bool with_id,
                                                                    std::initializer_list<const char*> fields) {
  MemberCall call;
  TING_ASSIGN_OR_RETURN(call.assembly, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(call.member, RequireMember(req, ctx, call.assembly));
  if (with_id) {
    TING_ASSIGN_OR_RETURN(call.id, PathId(req, TING_KEY("assemblies.problem.no_recommendation")));
  }
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields f(body);
  for (const char* field : fields) call.text[field] = f.Text(field);
  TING_RETURN_IF_ERROR(f.Check());
  return call;
}

Result<Response> AssembliesComponent::ApiAddRecommendation(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(MemberCall m, ForMember(req, ctx, false, {"title", "body"}));
  TING_ASSIGN_OR_RETURN(int64_t id, AddRecommendation(site_.db(), site_.env(), m.assembly, m.member.id, m.text["title"], m.text["body"]));
  return Site::Json(201, {{"id", id}});
}

Result<Response> AssembliesComponent::ApiEditRecommendation(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(MemberCall m, ForMember(req, ctx, true, {"title", "body"}));
  TING_RETURN_IF_ERROR(EditRecommendation(site_.db(), site_.env(), m.assembly, m.id, m.member.id, m.text["title"], m.text["body"]));
  return Site::Json(200, {{"id", m.id}});
}

Result<Response> AssembliesComponent::ApiComment(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(MemberCall m, ForMember(req, ctx, true, {"body"}));
  TING_RETURN_IF_ERROR(CommentOn(site_.db(), site_.env(), m.assembly, m.id, m.member.id, m.text["body"]));
  return Site::Json(201, {{"id", m.id}});
}

Result<Response> AssembliesComponent::ApiVote(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(MemberCall m, ForMember(req, ctx, true, {"vote"}));
  TING_RETURN_IF_ERROR(CastVote(site_.db(), site_.env(), m.assembly, m.id, m.member.id, m.text["vote"]));
  return Site::Json(200, {{"id", m.id}, {"vote", m.text["vote"]}});
}

Result<Response> AssembliesComponent::ApiClose(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(int64_t id, PathId(req, TING_KEY("assemblies.problem.no_recommendation")));
  TING_ASSIGN_OR_RETURN(Recommendation r, CloseVote(site_.db(), site_.env(), a, id));
  return Site::Json(200, RecommendationJson(r, true));
}

Result<Response> AssembliesComponent::ApiAnswer(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(int64_t id, PathId(req, TING_KEY("assemblies.problem.no_recommendation")));
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields f(body);
  std::string decision = f.Text("decision");
  TING_RETURN_IF_ERROR(f.Check());
  Translated answer;
  if (Status st = ReadTranslated(body, "answer", ctx.org.languages, answer, true); !st.ok()) return Explain(st.error());
  TING_RETURN_IF_ERROR(AnswerRecommendation(site_.db(), site_.env(), a, id, decision, answer));
  return Site::Json(200, {{"id", id}, {"decision", decision}});
}

Result<Response> AssembliesComponent::ApiProgress(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  TING_ASSIGN_OR_RETURN(int64_t id, PathId(req, TING_KEY("assemblies.problem.no_recommendation")));
  TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
  web::JsonFields f(body);
  std::string status = f.Text("status"), update = f.Text("update");
  TING_RETURN_IF_ERROR(f.Check());
  TING_RETURN_IF_ERROR(ReportProgress(site_.db(), site_.env(), a, id, status, update));
  return Site::Json(200, {{"id", id}, {"progress", status}});
}

// When the assembly has ended: names, contacts, addresses and needs go; pseudonyms, answers, seats
// and the public record stay (they are what the record and its checks need).
Result<Response> AssembliesComponent::ApiErase(Request& req, Context& ctx) {
  TING_ASSIGN_OR_RETURN(Assembly a, Get(ctx, req.Param("slug")));
  int64_t erased = 0;
  TING_RETURN_IF_ERROR(site_.db().Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(erased, c.Exec("UPDATE assembly_volunteers SET name = '', email = '', phone = '', household = '', needs = '{}' "
                                         "WHERE assembly_id = ? AND name <> ''",
                                         {a.id}));
    return StatusOf(c.Exec("UPDATE assembly_invitations SET resident_id = NULL, household = '' WHERE assembly_id = ?", {a.id}));
  }));
  return Site::Json(200, {{"erased", erased}});
}

}  // namespace ting::components::assemblies
