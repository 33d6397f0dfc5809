// Inclusion's routes: the questions (the organisation's settings, a person's own answers, the
// desk recording answers for someone who agrees), the population reference, and each process's
// dashboard (API, page, CSV). Every count from 1 to 4 leaves the server as "< 5" except in the
// managers' exact export.

#include <algorithm>
#include <cmath>
#include <set>

#include "store.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/components/processes.h"
#include "ting/components/proposal_participants.h"
#include "ting/components/residents.h"
#include "ting/components/voters.h"
#include "ting/html/templates.h"
#include "ting/web/json_fields.h"

namespace ting::components {

namespace {

using namespace inclusion;

constexpr size_t kMaxPopulationBytes = 4 << 20;
constexpr size_t kGapsShown = 8;

double Rounded(double x) { return std::round(x * 10000.0) / 10000.0; }

json Number(std::optional<double> x) { return x ? json(Rounded(*x)) : json(nullptr); }

std::map<std::string, std::string> Fields(const Request& req) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : req.FormFields()) out[k] = v;
  return out;
}

class InclusionComponent final : public web::Component {
 public:
  explicit InclusionComponent(Site& site) : site_(site), store_(site.db(), site.env()), processes_(site.db(), site.env()), register_(site.db(), site.env()) {
    const auto anyone = web::Access::Public();
    const auto signed_in = web::Access::SignedIn();
    const auto manage = web::Access::Can(core::Action::kManageProcesses);
    site.Api("GET", "/api/v1/inclusion/questions", anyone, [this](Request&, Context& ctx) { return ApiQuestions(ctx); });
    site.Api("PUT", "/api/v1/inclusion/questions", manage, [this](Request& req, Context& ctx) { return ApiSetQuestions(req, ctx); });
    site.Api("GET", "/api/v1/me/demographics", signed_in, [this](Request&, Context& ctx) { return ApiMine(ctx); });
    site.Api("PUT", "/api/v1/me/demographics", signed_in, [this](Request& req, Context& ctx) { return ApiAnswer(req, ctx); });
    site.Api("DELETE", "/api/v1/me/demographics", signed_in, [this](Request&, Context& ctx) { return ApiForget(ctx); });
    site.Api("PUT", "/api/v1/inclusion/desk", web::Access::Can(core::Action::kEnterPaperBallots),
             [this](Request& req, Context& ctx) { return ApiDesk(req, ctx); });
    site.Api("POST", "/api/v1/population", web::Access::Can(core::Action::kManageRegister),
             [this](Request& req, Context& ctx) { return ApiImportPopulation(req, ctx); });
    site.Api("GET", "/api/v1/population", manage, [this](Request&, Context& ctx) { return ApiPopulation(ctx); });
    site.Api("GET", "/api/v1/processes/{slug}/inclusion", anyone, [this](Request& req, Context& ctx) { return ApiDashboard(req, ctx); });
    site.Api("PUT", "/api/v1/processes/{slug}/inclusion", manage, [this](Request& req, Context& ctx) { return ApiPublish(req, ctx); });
    site.Api("GET", "/api/v1/processes/{slug}/inclusion.csv", anyone, [this](Request& req, Context& ctx) { return Csv(req, ctx); });

    site.Page("GET", "/account/about-you", signed_in, [this](Request& req, Context& ctx) { return QuestionsPage(req, ctx); });
    site.Page("POST", "/account/about-you", signed_in, [this](Request& req, Context& ctx) { return QuestionsForm(req, ctx); });
    site.Page("GET", "/processes/{slug}/inclusion", anyone, [this](Request& req, Context& ctx) { return DashboardPage(req, ctx); });
    site.Page("GET", "/processes/{slug}/inclusion.csv", anyone, [this](Request& req, Context& ctx) { return Csv(req, ctx); });
    site.Page("POST", "/processes/{slug}/inclusion/publish", manage, [this](Request& req, Context& ctx) { return PublishForm(req, ctx); });
    site.Page("GET", "/admin/inclusion", manage, [this](Request& req, Context& ctx) { return AdminPage(req, ctx, {}, 200); });
    site.Page("POST", "/admin/inclusion/questions", manage, [this](Request& req, Context& ctx) { return AdminQuestions(req, ctx); });
    site.Page("POST", "/admin/inclusion/population", web::Access::Can(core::Action::kManageRegister),
              [this](Request& req, Context& ctx) { return AdminPopulation(req, ctx); });
    site.AddLayoutData([this](const Context& ctx, html::Data& data) { FillLayout(ctx, data); });
  }

 private:
  static std::string Me(const Context& ctx) { return "a:" + std::to_string(ctx.user->id); }

  Result<Settings> SettingsOf(const Context& ctx) { return store_.LoadSettings(ctx.org.id, ctx.org.languages); }

  // The organisation's districts: as set, then those of the population, then the register's.
  Result<std::vector<std::string>> Districts(const Context& ctx, const Settings& s) {
    TING_ASSIGN_OR_RETURN(Population p, store_.LoadPopulation(ctx.org.id));
    return Districts(ctx, s, p);
  }
  Result<std::vector<std::string>> Districts(const Context& ctx, const Settings& s, const Population& p) {
    std::vector<std::string> out = s.districts;
    auto add = [&](const std::string& d) {
      if (!d.empty() && std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    };
    for (const auto& [d, q] : p) add(d);
    TING_ASSIGN_OR_RETURN(RegisterSummary summary, register_.Summarise(ctx.org.id));
    for (const auto& [d, n] : summary.districts) add(d);
    return out;
  }

  std::string QuestionLabel(const Context& ctx, const Question& q) const {
    return q.builtin ? site_.T(ctx, "inclusion.q." + q.key) : q.label.Get(ctx.lang, ctx.org.default_language());
  }
  std::string ValueLabel(const Context& ctx, const Question& q, const std::string& value) const {
    if (q.builtin && q.key == "district") return value;
    if (q.builtin && q.key == "language") {
      for (const auto& [code, name] : HomeLanguages())
        if (code == value) return name;
      return value;
    }
    if (q.builtin) return site_.T(ctx, "inclusion.v." + q.key + "." + value);
    for (const auto& c : q.choices)
      if (c.value == value) return c.label.Get(ctx.lang, ctx.org.default_language());
    return value;
  }
  const Question* FindQuestion(const Settings& s, const std::string& key) const {
    for (const auto& q : s.questions)
      if (q.key == key) return &q;
    return nullptr;
  }

  json QuestionsJson(const Context& ctx, const Settings& s, const std::vector<std::string>& districts) const {
    json out = json::array();
    for (const auto& q : s.questions) {
      if (!q.enabled) continue;
      json values = json::array();
      for (const auto& v : ValuesOf(q, districts)) values.push_back({{"value", v}, {"label", ValueLabel(ctx, q, v)}});
      out.push_back({{"key", q.key}, {"label", QuestionLabel(ctx, q)}, {"values", values}});
    }
    return out;
  }

  Result<Response> ApiQuestions(Context& ctx) {
    TING_ASSIGN_OR_RETURN(Settings s, SettingsOf(ctx));
    TING_ASSIGN_OR_RETURN(auto districts, Districts(ctx, s));
    return Site::Json(200, {{"questions", QuestionsJson(ctx, s, districts)},
                            {"why", site_.T(ctx, TING_KEY("inclusion.why"))},
                            {"who_sees", site_.T(ctx, TING_KEY("inclusion.who_sees"))},
                            {"settings", SettingsToJson(s)}});
  }

  Result<Response> ApiSetQuestions(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    auto s = SettingsFromJson(body, ctx.org.languages);
    if (!s.ok()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("inclusion.problem.settings"), {{"detail", s.error().message}});
    TING_RETURN_IF_ERROR(store_.SaveSettings(ctx.org.id, *s));
    return Site::Json(200, SettingsToJson(*s));
  }

  // {"consent": bool, "answers": {"age": "16-19", ...}}: answers only with consent; consent false
  // and no answers records "asked, declined".
  Result<std::pair<bool, Answers>> ReadAnswers(const Context& ctx, const json& body) {
    if (!body.is_object()) return Error::Say(ErrorCode::kMalformed, TING_KEY("api.bad_json"));
    if (!body.contains("consent") || !body["consent"].is_boolean())
      return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("inclusion.problem.consent"));
    Answers answers;
    if (body.contains("answers")) {
      if (!body["answers"].is_object()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("inclusion.problem.answers"));
      for (const auto& [k, v] : body["answers"].items()) {
        if (v.is_null()) continue;  // skipped
        if (!v.is_string()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("inclusion.problem.value"), {{"question", k}, {"value", v.dump()}});
        answers[k] = v.get<std::string>();
      }
    }
    const bool consent = body["consent"].get<bool>();
    if (!consent && !answers.empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("inclusion.problem.consent"));
    TING_ASSIGN_OR_RETURN(Settings s, SettingsOf(ctx));
    TING_ASSIGN_OR_RETURN(auto districts, Districts(ctx, s));
    std::string field;
    TING_RETURN_IF_ERROR(CheckAnswers(answers, s, districts, field));
    return std::make_pair(consent, answers);
  }

  json RecordJson(const std::optional<Record>& r) const {
    json answers = json::object();
    if (r)
      for (const auto& [k, v] : r->answers) answers[k] = v;
    return {{"asked", r.has_value()}, {"consent", r && r->consent}, {"answers", answers}, {"consent_at", r ? r->consent_at : 0}};
  }

  Result<Response> ApiMine(Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto r, store_.Find(ctx.org.id, Me(ctx)));
    return Site::Json(200, RecordJson(r));
  }

  Result<Response> ApiAnswer(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    TING_ASSIGN_OR_RETURN(auto given, ReadAnswers(ctx, body));
    TING_RETURN_IF_ERROR(store_.Save(ctx.org.id, Me(ctx), given.first, given.second, "self", ctx.user->id));
    TING_ASSIGN_OR_RETURN(auto r, store_.Find(ctx.org.id, Me(ctx)));
    return Site::Json(200, RecordJson(r));
  }

  Result<Response> ApiForget(Context& ctx) {
    TING_RETURN_IF_ERROR(store_.Save(ctx.org.id, Me(ctx), false, {}, "self", ctx.user->id));
    return Response{204, {}, ""};
  }

  // The desk records answers for a register person who agrees (a paper ballot at the library).
  Result<Response> ApiDesk(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    web::JsonFields f(body);
    TING_ASSIGN_OR_RETURN(std::string person_id, f.Required("person_id"));
    TING_RETURN_IF_ERROR(f.Check());
    TING_ASSIGN_OR_RETURN(auto given, ReadAnswers(ctx, body));
    if (!given.first) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("inclusion.problem.consent"));
    TING_ASSIGN_OR_RETURN(auto person, register_.FindByPersonId(ctx.org.id, person_id));
    if (!person) return Error::Say(ErrorCode::kNotFound, TING_KEY("inclusion.problem.person"));
    TING_RETURN_IF_ERROR(store_.Save(ctx.org.id, "r:" + std::to_string(person->id), true, given.second, "desk", ctx.user->id));
    return Site::Json(200, {{"recorded", true}});
  }

  Result<Response> ImportPopulation(Context& ctx, std::string_view csv, std::vector<PopulationProblem>& problems, int64_t& rows) {
    if (csv.size() > kMaxPopulationBytes) return Error::Say(ErrorCode::kResourceExhausted, TING_KEY("inclusion.population.too_large"));
    TING_ASSIGN_OR_RETURN(Settings s, SettingsOf(ctx));
    Population p = ParsePopulation(csv, s, problems);
    if (!problems.empty()) return Response{422, {}, ""};
    TING_ASSIGN_OR_RETURN(rows, store_.ReplacePopulation(ctx.org.id, p));
    return Response{200, {}, ""};
  }

  json ProblemsJson(const Context& ctx, const std::vector<PopulationProblem>& problems) const {
    json out = json::array();
    for (const auto& p : problems) out.push_back({{"line", p.line}, {"error", site_.T(ctx, p.key, p.vars)}, {"code", p.key}});
    return out;
  }

  Result<Response> ApiImportPopulation(Request& req, Context& ctx) {
    const std::string type = AsciiLower(req.Header("Content-Type"));
    if (!StartsWith(type, "text/csv") && !StartsWith(type, "application/csv"))
      return Error::Say(ErrorCode::kMalformed, TING_KEY("inclusion.population.not_csv"));
    std::vector<PopulationProblem> problems;
    int64_t rows = 0;
    TING_ASSIGN_OR_RETURN(Response r, ImportPopulation(ctx, req.body, problems, rows));
    if (r.status == 422)
      return Site::Json(422, {{"error", site_.T(ctx, TING_KEY("inclusion.population.problems"), {{"count", std::to_string(problems.size())}})},
                              {"code", "inclusion.population.problems"},
                              {"problems", ProblemsJson(ctx, problems)}});
    return Site::Json(200, {{"rows", rows}});
  }

  Result<Response> ApiPopulation(Context& ctx) {
    TING_ASSIGN_OR_RETURN(Population p, store_.LoadPopulation(ctx.org.id));
    json rows = json::array();
    for (const auto& [district, questions] : p)
      for (const auto& [dimension, values] : questions)
        for (const auto& [value, n] : values) rows.push_back({{"district", district}, {"dimension", dimension}, {"value", value}, {"count", n}});
    return Site::Json(200, {{"rows", rows}});
  }

  // --- The dashboard ---

  struct View {
    Process process;
    Stage stage = Stage::kAny;
    std::string district;
    bool manager = false, published = false;
    Settings settings;
    std::vector<std::string> districts;
    Tally tally;       // suppressed
    Tally exact;       // before suppression
    std::vector<Gap> gaps;  // managers only
  };

  Result<std::vector<Participant>> ParticipantsOf(const Process& p, Stage stage) {
    std::vector<Participant> out;
    std::set<std::string> seen;
    auto add = [&](Participant x) {
      if (seen.insert(x.key).second) out.push_back(std::move(x));
    };
    if (stage != Stage::kVoted) {
      TING_ASSIGN_OR_RETURN(ProposalParticipants pp, ProposalParticipantsOf(site_.db(), p.id));
      if (stage != Stage::kSupported)
        for (const auto& a : pp.proposed) add({"a:" + std::to_string(a.account_id), "online", {"a:" + std::to_string(a.account_id)}, a.at});
      if (stage != Stage::kProposed)
        for (const auto& a : pp.supported) add({"a:" + std::to_string(a.account_id), "online", {"a:" + std::to_string(a.account_id)}, a.at});
    }
    if (stage == Stage::kVoted || stage == Stage::kAny) {
      TING_ASSIGN_OR_RETURN(auto voters, VotersOf(site_.db(), p.id));
      for (const auto& v : voters) {
        Participant x{v.account_id ? "a:" + std::to_string(v.account_id) : v.voter, v.channel, {}, v.at};
        if (v.account_id) x.subjects.push_back("a:" + std::to_string(v.account_id));
        if (v.resident_id) x.subjects.push_back("r:" + std::to_string(v.resident_id));
        add(std::move(x));
      }
    }
    return out;
  }

  Result<View> Dashboard(const Request& req, const Context& ctx) {
    View v;
    TING_ASSIGN_OR_RETURN(v.process, FindProcess(processes_, ctx, req.Param("slug")));
    v.manager = ctx.Can(core::Action::kManageProcesses);
    TING_ASSIGN_OR_RETURN(v.published, store_.Published(v.process.id));
    if (!v.manager && !v.published) {
      if (!ctx.user) return Error::Say(ErrorCode::kUnauthenticated, TING_KEY("inclusion.not_public"));
      return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("inclusion.not_public"));
    }
    // The stage: as asked, else the one the process is in (voted from the voting phase on).
    const std::string asked = req.QueryParam("stage").value_or("");
    auto stage = asked.empty() ? std::optional<Stage>(v.process.PhaseNow(site_.env()) >= Phase::kVoting ? Stage::kVoted : Stage::kProposed)
                               : ParseStage(asked);
    if (!stage) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("inclusion.problem.stage"));
    if (*stage == Stage::kAny && !v.manager) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("inclusion.any_managers"));
    v.stage = *stage;
    TING_ASSIGN_OR_RETURN(v.settings, SettingsOf(ctx));
    TallyInputs in;
    TING_ASSIGN_OR_RETURN(in.population, store_.LoadPopulation(ctx.org.id));
    TING_ASSIGN_OR_RETURN(v.districts, Districts(ctx, v.settings, in.population));
    v.district = req.QueryParam("district").value_or("");
    if (!v.district.empty() && std::find(v.districts.begin(), v.districts.end(), v.district) == v.districts.end())
      return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("inclusion.problem.district"));
    TING_ASSIGN_OR_RETURN(in.participants, ParticipantsOf(v.process, v.stage));
    TING_ASSIGN_OR_RETURN(in.answers, store_.Consented(ctx.org.id));
    in.settings = v.settings;
    in.districts = v.districts;
    in.time_zone = v.process.time_zone;
    // Every view of the stage (overall and each district) is suppressed together, so that no
    // view's numbers, taken with another's, give back a hidden count.
    Tally overall = CountTally(v.stage, in);
    std::vector<Tally> by_district;
    for (const auto& d : v.districts) {
      in.district = d;
      by_district.push_back(CountTally(v.stage, in));
      if (d == v.district) v.exact = by_district.back();
    }
    if (v.district.empty()) v.exact = overall;
    Suppress(overall);
    for (auto& t : by_district) Suppress(t);
    SuppressAcross(overall, by_district);
    v.tally = overall;
    for (const auto& t : by_district)
      if (t.district == v.district) v.tally = t;
    if (v.manager) {
      std::vector<Tally> all = {overall};
      all.insert(all.end(), by_district.begin(), by_district.end());
      v.gaps = Gaps(all, kGapsShown);
    }
    return v;
  }

  json DashboardJson(const Context& ctx, const View& v) const {
    const Tally& t = v.tally;
    json dimensions = json::object(), answered = json::object();
    for (const auto& d : t.dimensions) {
      const Question* q = FindQuestion(v.settings, d.key);
      json cells = json::array();
      for (const auto& c : d.cells) {
        cells.push_back({{"value", c.value}, {"label", q ? ValueLabel(ctx, *q, c.value) : c.value},
                         {"count", c.suppressed ? json(nullptr) : json(c.count)}, {"share", Number(Share(d, c))},
                         {"population_share", Number(c.population_share)}, {"ratio", Number(Ratio(d, c))}});
      }
      dimensions[d.key] = cells;
      answered[d.key] = d.answered_suppressed ? json(nullptr) : json(d.answered);
    }
    auto counts = [](const std::vector<Count>& list, const char* name) {
      json out = json::array();
      for (const auto& c : list) out.push_back({{name, c.label}, {"count", c.suppressed ? json(nullptr) : json(c.count)}});
      return out;
    };
    json out = {{"stage", StageName(t.stage)},
                {"district", t.district.empty() ? json(nullptr) : json(t.district)},
                {"participants", t.participants_suppressed ? json(nullptr) : json(t.participants)},
                {"answered", answered},
                {"dimensions", dimensions},
                {"channels", counts(t.channels, "channel")},
                {"weeks", counts(t.weeks, "week")},
                {"public", v.published}};
    if (v.manager) {
      json gaps = json::array();
      for (const auto& g : v.gaps)
        gaps.push_back({{"district", g.district.empty() ? json(nullptr) : json(g.district)}, {"dimension", g.dimension}, {"value", g.value},
                        {"ratio", Rounded(g.ratio)}});
      out["gaps"] = gaps;
    }
    return out;
  }

  Result<Response> ApiDashboard(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(View v, Dashboard(req, ctx));
    return Site::Json(200, DashboardJson(ctx, v));
  }

  Result<Response> ApiPublish(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(processes_, ctx, req.Param("slug")));
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    web::JsonFields f(body);
    auto published = f.Bool("public");
    TING_RETURN_IF_ERROR(f.Check());
    if (!published) return Error::Say(ErrorCode::kMalformed, TING_KEY("api.missing_field"), {{"field", "public"}});
    TING_RETURN_IF_ERROR(store_.SetPublished(p.id, *published));
    return Site::Json(200, {{"public", *published}});
  }

  // The CSV: suppressed for everyone; exact counts (?exact=1) only for managers.
  Result<Response> Csv(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(View v, Dashboard(req, ctx));
    const bool exact = req.QueryParam("exact").value_or("") == "1";
    if (exact && !v.manager) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("inclusion.exact_managers"));
    const Tally& t = exact ? v.exact : v.tally;
    auto num = [&](std::optional<double> x) {
      if (!x) return std::string();
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.4f", *x);
      return std::string(buf);
    };
    // "<5" for a small count, "hidden" for one hidden so that a small one cannot be worked out.
    auto count = [&](int64_t n, bool suppressed, bool small = true) {
      if (exact || !suppressed) return std::to_string(n);
      return std::string(small ? "<5" : "hidden");
    };
    std::string csv = "stage,district,dimension,value,count,answered,share,population_share,ratio\r\n";
    for (const auto& d : t.dimensions)
      for (const auto& c : d.cells) {
        Dimension shown = d;
        if (exact) shown.answered_suppressed = false;
        Cell cell = c;
        if (exact) cell.suppressed = false;
        csv += std::string(StageName(t.stage)) + "," + CsvField(t.district) + "," + CsvField(d.key) + "," + CsvField(c.value) + "," +
               count(c.count, c.suppressed, c.small) + "," + count(d.answered, d.answered_suppressed, IsSmall(d.answered)) + "," + num(Share(shown, cell)) + "," +
               num(c.population_share) + "," + num(Ratio(shown, cell)) + "\r\n";
      }
    Response res{200, {}, csv};
    res.Set("Content-Type", "text/csv; charset=utf-8");
    res.Set("Content-Disposition", "attachment; filename=\"" + v.process.slug + "-inclusion-" + StageName(t.stage) + (exact ? "-exact" : "") + ".csv\"");
    res.Set("Cache-Control", "no-store");
    return res;
  }

  // --- Pages ---

  std::string Percent(const Context& ctx, std::optional<double> x) const {
    if (!x) return "–";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", *x * 100.0);
    std::string s = buf;
    const std::string& decimal = site_.catalog().Lang(ctx.lang).money.decimal;
    auto dot = s.find('.');
    if (dot != std::string::npos) s.replace(dot, 1, decimal);
    return site_.T(ctx, TING_KEY("inclusion.percent"), {{"n", s}});
  }
  std::string Ratio2(const Context& ctx, std::optional<double> x) const {
    if (!x) return "–";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", *x);
    std::string s = buf;
    s.replace(s.find('.'), 1, site_.catalog().Lang(ctx.lang).money.decimal);
    return s;
  }
  // "< 5" for a small count; "hidden" for one hidden so that a small one cannot be worked out.
  std::string CountText(const Context& ctx, int64_t n, bool suppressed, bool small) const {
    if (!suppressed) return std::to_string(n);
    return site_.T(ctx, small ? TING_KEY("inclusion.small") : TING_KEY("inclusion.hidden"));
  }

  // A bar chart of one dimension: participants' share and the population's, side by side.
  // Drawn on the server (no JavaScript), mirrored for right-to-left languages.
  std::string Chart(const Context& ctx, const Dimension& d, const Question* q, const std::string& id) const {
    // Each value: its name on a line, then the participants' bar and the population's under it.
    const bool rtl = site_.catalog().Lang(ctx.lang).dir == "rtl";
    const int bar_w = 360, row_h = 48, width = bar_w + 110;
    const int height = row_h * static_cast<int>(d.cells.size()) + 4;
    std::string svg = "<svg class=\"chart\" role=\"img\" aria-labelledby=\"" + id + "-t\" viewBox=\"0 0 " + std::to_string(width) + " " +
                      std::to_string(height) + "\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\"><title id=\"" + id + "-t\">" +
                      html::EscapeHtml(site_.T(ctx, TING_KEY("inclusion.chart_title"), {{"question", q ? QuestionLabel(ctx, *q) : d.key}})) +
                      "</title>";
    auto x_of = [&](int x, int w) { return rtl ? width - x - w : x; };
    const std::string anchor = "start";  // the start of the line: the right edge in right-to-left
    int y = 2;
    for (const auto& c : d.cells) {
      const auto share = Share(d, c);
      const int w1 = share ? static_cast<int>(std::lround(*share * bar_w)) : 0;
      const int w2 = c.population_share ? static_cast<int>(std::lround(*c.population_share * bar_w)) : 0;
      const std::string label = q ? ValueLabel(ctx, *q, c.value) : c.value;
      svg += "<text x=\"" + std::to_string(x_of(0, 0)) + "\" y=\"" + std::to_string(y + 14) + "\" text-anchor=\"" + anchor + "\" class=\"label\">" +
             html::EscapeHtml(label) + "</text>";
      svg += "<rect class=\"part\" x=\"" + std::to_string(x_of(0, w1)) + "\" y=\"" + std::to_string(y + 20) + "\" width=\"" +
             std::to_string(w1) + "\" height=\"13\"/>";
      svg += "<rect class=\"pop\" x=\"" + std::to_string(x_of(0, w2)) + "\" y=\"" + std::to_string(y + 35) + "\" width=\"" +
             std::to_string(w2) + "\" height=\"8\"/>";
      svg += "<text x=\"" + std::to_string(x_of(std::max(w1, w2) + 6, 0)) + "\" y=\"" + std::to_string(y + 32) + "\" text-anchor=\"" + anchor +
             "\" class=\"value\">" + html::EscapeHtml(c.suppressed ? CountText(ctx, c.count, true, c.small) : Percent(ctx, share)) + "</text>";
      y += row_h;
    }
    return svg + "</svg>";
  }

  Result<Response> DashboardPage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(View v, Dashboard(req, ctx));
    const Tally& t = v.tally;
    const std::string base = "/processes/" + v.process.slug + "/inclusion";
    html::Data d;
    d.set("process_slug", v.process.slug);
    d.set("process_title", v.process.Title(ctx.lang));
    d.set("participants", CountText(ctx, t.participants, t.participants_suppressed, IsSmall(t.participants)));
    d.set("stage_label", site_.T(ctx, std::string("inclusion.stage.") + StageName(t.stage)));
    html::List stages;
    for (Stage s : {Stage::kAny, Stage::kProposed, Stage::kSupported, Stage::kVoted}) {
      if (s == Stage::kAny && !v.manager) continue;
      std::string url = base + "?stage=" + StageName(s) + (v.district.empty() ? "" : "&district=" + http::UrlEncode(v.district));
      stages.push_back(html::Object{{"url", url}, {"label", site_.T(ctx, std::string("inclusion.stage.") + StageName(s))},
                                    {"current", html::Data(s == t.stage)}});
    }
    d.set("stages", stages);
    d.set("stage", StageName(t.stage));
    html::List districts;
    for (const auto& name : v.districts)
      districts.push_back(html::Object{{"name", name}, {"selected", html::Data(name == v.district)}});
    d.set("districts", districts);
    d.set("has_districts", !v.districts.empty());
    d.set("district", v.district);
    html::List dims;
    int i = 0;
    for (const auto& dim : t.dimensions) {
      const Question* q = FindQuestion(v.settings, dim.key);
      if (!v.district.empty() && dim.key == "district") continue;
      html::List rows;
      for (const auto& c : dim.cells)
        rows.push_back(html::Object{{"label", q ? ValueLabel(ctx, *q, c.value) : c.value}, {"count", CountText(ctx, c.count, c.suppressed, c.small)},
                                    {"share", Percent(ctx, Share(dim, c))}, {"population_share", Percent(ctx, c.population_share)},
                                    {"ratio", Ratio2(ctx, Ratio(dim, c))}});
      dims.push_back(html::Object{{"key", dim.key}, {"question", q ? QuestionLabel(ctx, *q) : dim.key},
                                  {"answered", CountText(ctx, dim.answered, dim.answered_suppressed, IsSmall(dim.answered))},
                                  {"chart", Chart(ctx, dim, q, "chart-" + std::to_string(i++))}, {"rows", rows}});
    }
    d.set("dimensions", dims);
    html::List channels, weeks;
    for (const auto& c : t.channels)
      channels.push_back(html::Object{{"label", site_.T(ctx, "inclusion.channel." + c.label)}, {"count", CountText(ctx, c.count, c.suppressed, c.small)}});
    for (const auto& w : t.weeks) weeks.push_back(html::Object{{"week", w.label}, {"count", CountText(ctx, w.count, w.suppressed, w.small)}});
    d.set("channels", channels);
    d.set("weeks", weeks);
    d.set("has_weeks", !weeks.empty());
    d.set("manager", v.manager);
    d.set("published", v.published);
    html::List gaps;
    for (const auto& g : v.gaps) {
      const Question* q = FindQuestion(v.settings, g.dimension);
      gaps.push_back(html::Object{{"where", g.district.empty() ? site_.T(ctx, TING_KEY("inclusion.everywhere")) : g.district},
                                  {"question", q ? QuestionLabel(ctx, *q) : g.dimension},
                                  {"group", q ? ValueLabel(ctx, *q, g.value) : g.value},
                                  {"ratio", Ratio2(ctx, g.ratio)},
                                  {"hint", site_.T(ctx, "inclusion.outreach." + (g.dimension == "age" || g.dimension == "born" || g.dimension == "language"
                                                                                       ? g.dimension
                                                                                       : std::string("other")))}});
    }
    d.set("gaps", gaps);
    d.set("has_gaps", !gaps.empty());
    const std::string query = "?stage=" + std::string(StageName(t.stage)) + (v.district.empty() ? "" : "&district=" + http::UrlEncode(v.district));
    d.set("csv_url", base + ".csv" + query);
    d.set("exact_csv_url", base + ".csv" + query + "&exact=1");
    return site_.RenderPageTitled(req, ctx, "inclusion/dashboard", site_.T(ctx, TING_KEY("inclusion.title")) + " – " + v.process.Title(ctx.lang), d);
  }

  Result<Response> PublishForm(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(processes_, ctx, req.Param("slug")));
    const bool published = Fields(req)["public"] == "yes";
    TING_RETURN_IF_ERROR(store_.SetPublished(p.id, published));
    return Site::RedirectWithFlash(ctx, "/processes/" + p.slug + "/inclusion",
                                   published ? TING_KEY("inclusion.published") : TING_KEY("inclusion.unpublished"));
  }

  Result<Response> QuestionsPage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Settings s, SettingsOf(ctx));
    TING_ASSIGN_OR_RETURN(auto districts, Districts(ctx, s));
    TING_ASSIGN_OR_RETURN(auto record, store_.Find(ctx.org.id, Me(ctx)));
    html::List questions;
    for (const auto& q : s.questions) {
      if (!q.enabled) continue;
      const auto values = ValuesOf(q, districts);
      if (values.empty()) continue;
      std::string mine;
      if (record && record->answers.count(q.key)) mine = record->answers.at(q.key);
      html::List options;
      for (const auto& v : values)
        options.push_back(html::Object{{"value", v}, {"label", ValueLabel(ctx, q, v)}, {"selected", html::Data(v == mine)}});
      questions.push_back(html::Object{{"key", q.key}, {"label", QuestionLabel(ctx, q)}, {"options", options}});
    }
    html::Data d;
    d.set("questions", questions);
    d.set("next", web::SafeLocalPath(req.QueryParam("next").value_or("/")));
    d.set("has_answers", record && record->consent && !record->answers.empty());
    d.set("asked", record.has_value());
    d.set("consented", record && record->consent);
    return site_.RenderPage(req, ctx, "inclusion/questions", TING_KEY("inclusion.questions_title"), d);
  }

  Result<Response> QuestionsForm(Request& req, Context& ctx) {
    auto f = Fields(req);
    const std::string next = web::SafeLocalPath(f["next"]);
    const std::string action = f["action"];
    if (action == "delete" || action == "decline") {
      TING_RETURN_IF_ERROR(store_.Save(ctx.org.id, Me(ctx), false, {}, "self", ctx.user->id));
      return Site::RedirectWithFlash(ctx, action == "delete" ? "/account/about-you" : next,
                                     action == "delete" ? TING_KEY("inclusion.deleted") : TING_KEY("inclusion.declined"));
    }
    json answers = json::object();
    TING_ASSIGN_OR_RETURN(Settings s, SettingsOf(ctx));
    for (const auto& q : s.questions)
      if (q.enabled && !f["q_" + q.key].empty()) answers[q.key] = f["q_" + q.key];
    const bool consent = f["consent"] == "yes";
    if (!consent) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("inclusion.problem.consent"));
    TING_ASSIGN_OR_RETURN(auto given, ReadAnswers(ctx, json{{"consent", true}, {"answers", answers}}));
    TING_RETURN_IF_ERROR(store_.Save(ctx.org.id, Me(ctx), true, given.second, "self", ctx.user->id));
    return Site::RedirectWithFlash(ctx, next, TING_KEY("inclusion.thanks"));
  }

  Result<Response> AdminPage(Request& req, Context& ctx, const std::vector<PopulationProblem>& problems, int status) {
    TING_ASSIGN_OR_RETURN(Settings s, SettingsOf(ctx));
    TING_ASSIGN_OR_RETURN(Population p, store_.LoadPopulation(ctx.org.id));
    TING_ASSIGN_OR_RETURN(auto districts, Districts(ctx, s, p));
    TING_ASSIGN_OR_RETURN(auto list, processes_.List(ctx.org.id));
    html::List questions, rows, processes, problem_list;
    std::string d_districts;
    for (const auto& q : s.questions)
      questions.push_back(html::Object{{"label", QuestionLabel(ctx, q)}, {"key", q.key}, {"enabled", html::Data(q.enabled)}});
    d_districts = Join(s.districts, "\n");
    for (const auto& [district, qs] : p) {
      int64_t people = 0;
      auto age = qs.find("age");
      if (age != qs.end())
        for (const auto& [v, n] : age->second) people += n;
      rows.push_back(html::Object{{"district", district}, {"people", std::to_string(people)}});
    }
    for (const auto& pr : list) processes.push_back(html::Object{{"slug", pr.slug}, {"title", pr.Title(ctx.lang)}});
    for (const auto& pr : problems)
      problem_list.push_back(html::Object{{"line", std::to_string(pr.line)}, {"error", site_.T(ctx, pr.key, pr.vars)}});
    html::Data d;
    d.set("questions", questions);
    d.set("own_districts", d_districts);
    d.set("districts", rows);
    d.set("has_population", !p.empty());
    d.set("processes", processes);
    d.set("problems", problem_list);
    d.set("has_problems", !problems.empty());
    d.set("can_import", ctx.Can(core::Action::kManageRegister));
    return site_.RenderPage(req, ctx, "inclusion/admin", TING_KEY("inclusion.admin_title"), d, status);
  }

  // The form's questions (a box each: asked or not) and the organisation's districts (one a line,
  // or separated by commas). The organisation's own questions are added through the API.
  Result<Response> AdminQuestions(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Settings s, SettingsOf(ctx));
    std::set<std::string> on;
    std::string districts;
    for (const auto& [k, v] : req.FormFields()) {
      if (k == "question") on.insert(v);
      if (k == "districts") districts = v;
    }
    for (auto& q : s.questions) q.enabled = on.count(q.key) > 0;
    s.districts.clear();
    for (auto part : Split(districts, '\n'))
      for (auto name : Split(part, ',')) {
        std::string d(Trim(name));
        if (d.empty()) continue;
        if (d.size() > 80) return AdminPage(req, ctx, {{0, TING_KEY("inclusion.population.district"), {}}}, 422);
        if (std::find(s.districts.begin(), s.districts.end(), d) == s.districts.end()) s.districts.push_back(d);
      }
    TING_RETURN_IF_ERROR(store_.SaveSettings(ctx.org.id, s));
    return Site::RedirectWithFlash(ctx, "/admin/inclusion", TING_KEY("inclusion.questions_saved"));
  }

  Result<Response> AdminPopulation(Request& req, Context& ctx) {
    auto f = Fields(req);
    std::vector<PopulationProblem> problems;
    int64_t rows = 0;
    TING_ASSIGN_OR_RETURN(Response r, ImportPopulation(ctx, f["csv"], problems, rows));
    if (r.status == 422) return AdminPage(req, ctx, problems, 422);
    return Site::RedirectWithFlash(ctx, "/admin/inclusion", TING_KEY("inclusion.population.imported"));
  }

  // Signed-in people who were never asked see a short invitation on every page until they answer
  // or say no (one indexed read per page).
  void FillLayout(const Context& ctx, html::Data& data) {
    if (!ctx.user || ctx.api) return;
    auto r = store_.Find(ctx.org.id, Me(ctx));
    if (!r.ok() || r->has_value()) return;
    auto s = SettingsOf(ctx);
    if (!s.ok() || std::none_of(s->questions.begin(), s->questions.end(), [](const Question& q) { return q.enabled; })) return;
    data.set("notice_html", html::EscapeHtml(site_.T(ctx, TING_KEY("inclusion.prompt"))) + " <a href=\"/account/about-you\">" +
                                html::EscapeHtml(site_.T(ctx, TING_KEY("inclusion.prompt_link"))) + "</a>");
  }

  Site& site_;
  Store store_;
  ProcessStore processes_;
  RegisterStore register_;
};

}  // namespace

web::Manifest InclusionManifest() {
  return web::ManifestOf<InclusionComponent>("inclusion", "/processes/{slug}/inclusion, /account/about-you, /admin/inclusion, /api/v1/population",
                                             inclusion::Migrations, inclusion::Resources, SeedInclusion);
}

}  // namespace ting::components
