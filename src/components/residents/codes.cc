// Ways a resident is known: voting codes (issued as letters, entered on /vote-with-code or the
// API) and verified accounts (with a code, or by staff at a desk).

#include <algorithm>

#include "ting/components/letters.h"
#include "residents_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/components/processes.h"
#include "ting/core/security.h"
#include "ting/web/json_fields.h"

namespace ting::components {

namespace {

constexpr int64_t kMaxAnonymousCodes = 10000;
// A code session lasts two hours: long enough to read every project, short enough that a shared
// computer forgotten by one resident does not go on voting for them.
constexpr int64_t kCodeSessionSeconds = 2 * 3600;

class VoterRoutes {
 public:
  explicit VoterRoutes(Site& site)
      : site_(site),
        processes_(site.db(), site.env()),
        voters_(site.db(), site.env()),
        failures_(site.env(), 20, std::chrono::minutes(10)),
        all_failures_(site.env(), 2000, std::chrono::minutes(10)) {
    const auto manage = web::Access::Can(core::Action::kManageProcesses);
    const auto staff = web::Access::Can(core::Action::kEnterPaperBallots);
    const auto anyone = web::Access::Public();
    const auto signed_in = web::Access::SignedIn();
    site.Api("POST", "/api/v1/processes/{slug}/codes", manage, [this](Request& req, Context& ctx) { return ApiIssue(req, ctx); });
    site.Page("GET", "/processes/{slug}/codes", manage, [this](Request& req, Context& ctx) { return CodesPage(req, ctx); });
    site.Page("POST", "/processes/{slug}/codes", manage, [this](Request& req, Context& ctx) { return CodesForm(req, ctx); });
    site.Api("POST", "/api/v1/code-session", anyone, [this](Request& req, Context& ctx) { return ApiCodeSession(req, ctx); });
    site.Page("GET", "/vote-with-code", anyone, [this](Request& req, Context& ctx) { return CodePage(req, ctx, {}, 200); });
    site.Page("POST", "/vote-with-code", anyone, [this](Request& req, Context& ctx) { return CodeForm(req, ctx); });
    site.Api("POST", "/api/v1/account/verification", signed_in, [this](Request& req, Context& ctx) { return ApiVerifyWithCode(req, ctx); });
    site.Api("GET", "/api/v1/account/verification", signed_in, [this](Request& req, Context& ctx) { return ApiVerified(req, ctx); });
    site.Page("GET", "/account/verify", signed_in, [this](Request& req, Context& ctx) { return VerifyPage(req, ctx, {}, 200); });
    site.Page("POST", "/account/verify", signed_in, [this](Request& req, Context& ctx) { return VerifyForm(req, ctx); });
    site.Api("POST", "/api/v1/residents/verifications", staff, [this](Request& req, Context& ctx) { return ApiStaffVerify(req, ctx); });
  }

 private:
  // --- issuing codes ---
  struct Request_ {
    std::string person_id;  // one person only (a lost letter)
    std::string budget;
    int64_t anonymous = 0;
    std::string format = "json";
  };

  // The people who get a letter: every register person who may vote, today, in the budget (or
  // in any budget of the process).
  Result<std::vector<IssuedCode>> Eligible(const Context& ctx, const Process& p, const std::string& budget_slug) {
    std::vector<const Budget*> budgets;
    for (const auto& b : p.budgets)
      if (budget_slug.empty() || b.slug == budget_slug) budgets.push_back(&b);
    if (budgets.empty()) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_budget"));
    const std::string today = site_.env().Today(p.time_zone);
    TING_ASSIGN_OR_RETURN(auto people, voters_.People(ctx.org.id));
    std::vector<IssuedCode> out;
    for (auto& person : people)
      if (std::any_of(budgets.begin(), budgets.end(), [&](const Budget* b) {
            return !CheckEligibility(b->eligibility, true, person.district, person.birth_date, today);
          }))
        out.push_back(std::move(person));
    return out;
  }

  std::string VoteUrl(const Request& req, const Context& ctx, const std::string& code) {
    // The host as the browser sent it (with its port), so the link works where the manager is.
    std::string host(req.Header("Host").empty() ? std::string_view(req.Host()) : req.Header("Host"));
    return std::string(ctx.secure ? "https://" : "http://") + host + "/vote-with-code?code=" + code;
  }

  // The language a letter is written in: the person's, when the catalogue has it.
  std::string LetterLanguage(const Context& ctx, const std::string& wanted) {
    return !wanted.empty() && site_.catalog().Has(wanted) ? wanted : ctx.org.default_language();
  }

  Result<Response> Issue(const Request& req, Context& ctx, const Process& p, const Request_& r) {
    if (r.format != "json" && r.format != "csv" && r.format != "pdf") return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("codes.format"));
    if (r.anonymous < 0 || r.anonymous > kMaxAnonymousCodes)
      return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("codes.anonymous_range"), {{"max", std::to_string(kMaxAnonymousCodes)}});
    std::vector<int64_t> ids;
    if (r.anonymous == 0) {
      std::optional<Resident> one;
      if (!r.person_id.empty()) {
        TING_ASSIGN_OR_RETURN(one, RegisterStore(site_.db(), site_.env()).FindByPersonId(ctx.org.id, r.person_id));
        if (!one) return Error::Say(ErrorCode::kNotFound, TING_KEY("desk.no_person"));
      }
      TING_ASSIGN_OR_RETURN(auto people, Eligible(ctx, p, r.budget));
      for (const auto& person : people)
        if (!one || person.resident_id == one->id) ids.push_back(person.resident_id);
      if (ids.empty()) return Error::Say(ErrorCode::kFailedPrecondition, one ? TING_KEY("codes.not_eligible") : TING_KEY("codes.no_one"));
    }
    TING_ASSIGN_OR_RETURN(auto codes, voters_.IssueCodes(ctx.org.id, p.id, ids, r.anonymous));
    if (r.format == "json") {
      json list = json::array();
      for (const auto& c : codes)
        list.push_back(c.resident_id ? json{{"name", c.name}, {"district", c.district}, {"code", c.code}} : json{{"code", c.code}});
      return Site::Json(201, {{"codes", list}});
    }
    if (r.format == "csv") {
      std::string csv = "name,address,district,language,code,url\r\n";
      for (const auto& c : codes)
        csv += CsvField(c.name) + "," + CsvField(c.household) + "," + CsvField(c.district) + "," + CsvField(LetterLanguage(ctx, c.language)) + "," + c.code +
               "," + VoteUrl(req, ctx, c.code) + "\r\n";
      Response res{201, {}, csv};
      res.Set("Content-Type", "text/csv; charset=utf-8");
      res.Set("Content-Disposition", "attachment; filename=\"" + p.slug + "-codes.csv\"");
      res.Set("Cache-Control", "no-store");
      return res;
    }
    return LettersDownload(
        site_, ctx, codes, [&](const std::string& code) { return VoteUrl(req, ctx, code); },
        [&](const Context& in) {
          LetterWords w{site_.T(in, TING_KEY("letter.heading"), {{"process", p.Title(in.lang)}}), site_.T(in, TING_KEY("letter.code_label")), {}};
          for (const char* key : {TING_KEY("letter.how_1"), TING_KEY("letter.how_2"), TING_KEY("letter.how_3"), TING_KEY("letter.how_4")})
            w.paragraphs.push_back(site_.T(in, key, {{"host", req.Host()}, {"process", p.Title(in.lang)}}));
          return w;
        },
        p.slug + "-letters.pdf");
  }


  Result<Response> ApiIssue(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(processes_, ctx, req.Param("slug")));
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    web::JsonFields f(body);
    Request_ r;
    r.person_id = f.Text("person_id");
    r.budget = f.Text("budget");
    r.anonymous = f.Int("anonymous").value_or(0);
    r.format = f.Text("format");
    TING_RETURN_IF_ERROR(f.Check());
    if (r.format.empty()) r.format = "json";
    return Issue(req, ctx, p, r);
  }

  Result<Response> CodesPage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(processes_, ctx, req.Param("slug")));
    TING_ASSIGN_OR_RETURN(auto eligible, Eligible(ctx, p, ""));
    html::Data d;
    d.set("process_slug", p.slug);
    d.set("process_title", p.Title(ctx.lang));
    d.set("eligible", std::to_string(eligible.size()));
    html::List budgets;
    for (const auto& b : p.budgets) budgets.push_back(html::Object{{"slug", b.slug}, {"name", b.Name(ctx.lang)}});
    d.set("budgets", budgets);
    return site_.RenderPageTitled(req, ctx, "residents/codes", site_.T(ctx, TING_KEY("codes.title"), {{"process", p.Title(ctx.lang)}}), d);
  }

  Result<Response> CodesForm(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(processes_, ctx, req.Param("slug")));
    Request_ r;
    r.person_id = std::string(Trim(web::FormField(req, "person_id")));
    r.budget = web::FormField(req, "budget");
    r.format = web::FormField(req, "format");
    std::string anonymous = std::string(Trim(web::FormField(req, "anonymous")));
    if (!anonymous.empty()) {
      auto n = ParseInt64(anonymous);
      if (!n) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("codes.anonymous_range"), {{"max", std::to_string(kMaxAnonymousCodes)}});
      r.anonymous = *n;
    }
    if (r.format != "csv") r.format = "pdf";
    return Issue(req, ctx, p, r);
  }

  // --- entering a code ---
  // Brute force: 20 failed entries an address in 10 minutes, well-formed or not, and 2000 from
  // everyone together; then 429 until the oldest failure is 10 minutes old.
  // An address's bucket: IPv4 as it is, IPv6 by its /64 (one household's or one host's).
  static std::string Bucket(const std::string& ip) {
    if (ip.find(':') == std::string::npos) return ip;
    size_t at = 0;
    for (int groups = 0; groups < 4 && at != std::string::npos; ++groups) at = ip.find(':', at + (groups ? 1 : 0));
    return at == std::string::npos ? ip : ip.substr(0, at) + "::/64";
  }

  // Per organisation: one organisation's attackers cannot stop another's residents.
  Status Blocked(const Request& req, const Context& ctx) {
    std::optional<int64_t> wait = failures_.Blocked(Bucket(req.remote_ip));
    if (!wait) wait = all_failures_.Blocked("org:" + std::to_string(ctx.org.id));
    if (wait) return Error::Say(ErrorCode::kResourceExhausted, TING_KEY("codes.too_many"), {{"seconds", std::to_string(*wait)}});
    return {};
  }

  // The code as typed, or kInvalidArgument "codes.wrong" (counted as a failure).
  Result<VoterDirectory::FoundCode> Check(const Request& req, const Context& ctx, std::string_view typed) {
    TING_RETURN_IF_ERROR(Blocked(req, ctx));
    TING_ASSIGN_OR_RETURN(auto found, voters_.FindCode(ctx.org.id, typed));
    if (!found) {
      failures_.Record(Bucket(req.remote_ip));
      all_failures_.Record("org:" + std::to_string(ctx.org.id));
      return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("codes.wrong"));
    }
    return *found;
  }

  Result<std::pair<Process, std::string>> Session(const Context& ctx, const VoterDirectory::FoundCode& found) {
    TING_ASSIGN_OR_RETURN(auto p, processes_.FindById(found.process_id));
    if (!p || p->organisation_id != ctx.org.id) return Error::Say(ErrorCode::kNotFound, TING_KEY("processes.not_found"));
    VoterSession s;
    s.kind = VoterSession::Kind::kCode;
    s.code_id = found.code_id;
    s.process_id = p->id;
    s.expires_at = site_.env().NowSeconds() + kCodeSessionSeconds;
    return std::pair{std::move(*p), voters_.Token(s)};
  }

  Result<Response> ApiCodeSession(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    web::JsonFields f(body);
    std::string code = f.Text("code");
    TING_RETURN_IF_ERROR(f.Check());
    TING_ASSIGN_OR_RETURN(auto found, Check(req, ctx, code));
    TING_ASSIGN_OR_RETURN(auto session, Session(ctx, found));
    const auto& [p, token] = session;
    // The budgets this code may vote in today.
    json budgets = json::array();
    const std::string today = site_.env().Today(p.time_zone);
    std::optional<Resident> person;
    if (found.resident_id) {
      TING_ASSIGN_OR_RETURN(person, RegisterStore(site_.db(), site_.env()).FindById(ctx.org.id, found.resident_id));
    }
    for (const auto& b : p.budgets)
      if (!CheckEligibility(b.eligibility, person.has_value(), person ? person->district : "", person ? person->birth_date : "", today))
        budgets.push_back(b.slug);
    return Site::Json(200, {{"token", token}, {"process", p.slug}, {"budgets", budgets}, {"expires_in", kCodeSessionSeconds}});
  }

  // A form's problems, for the templates' errors block.
  static void SetErrors(html::Data& d, const std::vector<std::string>& errors) {
    d.set("has_errors", !errors.empty());
    html::List err;
    for (const auto& e : errors) err.push_back(html::Data(e));
    d.set("errors", err);
  }

  Result<Response> CodePage(Request& req, Context& ctx, const std::vector<std::string>& errors, int status) {
    html::Data d;
    d.set("code", req.QueryParam("code").value_or(web::FormField(req, "code")));
    SetErrors(d, errors);
    return site_.RenderPage(req, ctx, "residents/vote_with_code", TING_KEY("codes.enter_title"), d, status);
  }

  Result<Response> CodeForm(Request& req, Context& ctx) {
    auto found = Check(req, ctx, web::FormField(req, "code"));
    if (!found.ok()) {
      if (found.error().code == ErrorCode::kResourceExhausted) return found.error();
      return CodePage(req, ctx, {site_.T(ctx, TING_KEY("codes.wrong"))}, 422);
    }
    TING_ASSIGN_OR_RETURN(auto session, Session(ctx, *found));
    Site::SetCookie(ctx, kVoterCookie, session.second, kCodeSessionSeconds);
    return site_.RedirectWithFlash(ctx, "/processes/" + session.first.slug + "/vote", TING_KEY("codes.welcome"));
  }

  // --- verified accounts ---
  Result<Response> ApiVerifyWithCode(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    web::JsonFields f(body);
    std::string code = f.Text("code");
    TING_RETURN_IF_ERROR(f.Check());
    TING_ASSIGN_OR_RETURN(Resident person, VerifyWithCode(req, ctx, code));
    return Site::Json(200, {{"verified", true}, {"name", person.name}, {"district", person.district}});
  }

  Result<Resident> VerifyWithCode(const Request& req, const Context& ctx, std::string_view code) {
    TING_ASSIGN_OR_RETURN(auto found, Check(req, ctx, code));
    if (!found.resident_id) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("residents.anonymous_code"));
    TING_ASSIGN_OR_RETURN(auto person, RegisterStore(site_.db(), site_.env()).FindById(ctx.org.id, found.resident_id));
    if (!person) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.person_gone"));
    Status st = voters_.Verify(ctx.org.id, person->id, ctx.user->id, "code");
    if (!st.ok() && st.error().code == ErrorCode::kAlreadyExists) return Error::Say(ErrorCode::kConflict, TING_KEY("residents.already_linked"));
    TING_RETURN_IF_ERROR(st);
    return *person;
  }

  Result<Response> ApiVerified(Request&, Context& ctx) {
    TING_ASSIGN_OR_RETURN(auto person, voters_.VerifiedAs(ctx.org.id, ctx.user->id));
    if (!person) return Site::Json(200, {{"verified", false}});
    return Site::Json(200, {{"verified", true}, {"name", person->name}, {"district", person->district}});
  }

  Result<Response> VerifyPage(Request& req, Context& ctx, const std::vector<std::string>& errors, int status) {
    TING_ASSIGN_OR_RETURN(auto person, voters_.VerifiedAs(ctx.org.id, ctx.user->id));
    html::Data d;
    d.set("verified", person.has_value());
    d.set("name", person ? person->name : "");
    d.set("district", person ? person->district : "");
    SetErrors(d, errors);
    return site_.RenderPage(req, ctx, "residents/verify", TING_KEY("residents.verify_title"), d, status);
  }

  Result<Response> VerifyForm(Request& req, Context& ctx) {
    auto person = VerifyWithCode(req, ctx, web::FormField(req, "code"));
    if (!person.ok()) {
      if (person.error().code == ErrorCode::kResourceExhausted) return person.error();
      const std::string key = person.error().key.empty() ? TING_KEY("codes.wrong") : person.error().key;
      return VerifyPage(req, ctx, {site_.T(ctx, key)}, Site::StatusFor(person.error().code));
    }
    return site_.RedirectWithFlash(ctx, "/account/verify", TING_KEY("residents.verified"));
  }

  Result<Response> ApiStaffVerify(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    web::JsonFields f(body);
    std::string person_id = f.Text("person_id"), name = f.Text("name"), birth_date = f.Text("birth_date");
    std::string email = f.Text("email");
    TING_RETURN_IF_ERROR(f.Check());
    TING_ASSIGN_OR_RETURN(auto person, voters_.FindPerson(ctx.org.id, person_id, name, birth_date));
    if (!person) return Error::Say(ErrorCode::kNotFound, TING_KEY("desk.no_person"));
    TING_ASSIGN_OR_RETURN(auto account, site_.accounts().FindByEmail(email));
    if (!account) return Error::Say(ErrorCode::kNotFound, TING_KEY("desk.no_account"));
    Status st = voters_.Verify(ctx.org.id, person->id, account->id, "desk");
    if (!st.ok() && st.error().code == ErrorCode::kAlreadyExists) return Error::Say(ErrorCode::kConflict, TING_KEY("residents.already_linked"));
    TING_RETURN_IF_ERROR(st);
    return Site::Json(201, {{"verified", true}, {"name", person->name}, {"district", person->district}});
  }

  Site& site_;
  ProcessStore processes_;
  VoterDirectory voters_;
  core::RateLimiter failures_, all_failures_;
};

}  // namespace

std::shared_ptr<void> MountVoterRoutes(Site& site) { return std::make_shared<VoterRoutes>(site); }

Result<http::Response> LettersDownload(const web::Site& site, const web::Context& ctx, const std::vector<IssuedCode>& codes,
                                       const std::function<std::string(const std::string& code)>& url,
                                       const std::function<LetterWords(const web::Context& in)>& words, const std::string& filename) {
  std::vector<Letter> letters;
  for (const auto& c : codes) {
    web::Context in = ctx;
    in.lang = !c.language.empty() && site.catalog().Has(c.language) ? c.language : ctx.org.default_language();
    LetterWords w = words(in);
    Letter l;
    l.name = c.name;
    l.address = c.household;
    l.district = c.district;
    l.code = c.code;
    l.url = url(c.code);
    l.right_to_left = site.catalog().Lang(in.lang).dir == "rtl";
    l.heading = std::move(w.heading);
    l.code_label = std::move(w.code_label);
    l.paragraphs = std::move(w.paragraphs);
    l.footer = ctx.org.name;
    letters.push_back(std::move(l));
  }
  TING_ASSIGN_OR_RETURN(std::string pdf, LettersPdf(letters));
  http::Response res{201, {}, std::move(pdf)};
  res.Set("Content-Type", "application/pdf");
  res.Set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  res.Set("Cache-Control", "no-store");
  return res;
}

}  // namespace ting::components
