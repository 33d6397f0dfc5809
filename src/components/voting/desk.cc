// The staff desk (libraries, schools, events): look a register person up, see whether they have
// voted in each budget (never how), record their paper ballot or open the ballot for them on a
// tablet; and anonymous paper ballots, entered batch by batch by two staff.

#include <algorithm>

#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/web/json_fields.h"
#include "voting_internal.h"

namespace ting::components {

namespace {

// A desk session lasts long enough to vote in every budget on a tablet, not for the day.
constexpr int64_t kDeskSessionSeconds = 30 * 60;
// A batch is a pile of paper: this many ballots at most, so one request stays small.
constexpr size_t kMaxBatchBallots = 1000;

class Desk {
 public:
  Desk(Site& site, BallotBox& box, VoterDirectory& voters, ProcessStore& processes)
      : site_(site), box_(box), voters_(voters), processes_(processes), registry_(site.db(), site.env()) {
    const auto staff = web::Access::Can(core::Action::kEnterPaperBallots);
    site.Page("GET", "/processes/{slug}/desk", staff, [this](Request& req, Context& ctx) { return Page(req, ctx); });
    site.Page("POST", "/processes/{slug}/desk/open", staff, [this](Request& req, Context& ctx) { return Open(req, ctx); });
    site.Page("POST", "/processes/{slug}/desk/verify", staff, [this](Request& req, Context& ctx) { return VerifyAccount(req, ctx); });
    site.Page("GET", "/processes/{slug}/desk/{budget}/paper", staff, [this](Request& req, Context& ctx) { return PaperForm(req, ctx); });
    site.Page("POST", "/processes/{slug}/desk/{budget}/paper", staff, [this](Request& req, Context& ctx) { return PaperSubmit(req, ctx); });
    site.Api("POST", "/api/v1/processes/{slug}/budgets/{budget}/paper-ballots", staff,
             [this](Request& req, Context& ctx) { return ApiPaper(req, ctx); });
    site.Api("POST", "/api/v1/processes/{slug}/budgets/{budget}/paper-batches", staff,
             [this](Request& req, Context& ctx) { return ApiBatch(req, ctx); });
    site.Page("GET", "/processes/{slug}/desk/{budget}/batch", staff, [this](Request& req, Context& ctx) { return BatchPage(req, ctx); });
    site.Page("POST", "/processes/{slug}/desk/{budget}/batch", staff, [this](Request& req, Context& ctx) { return BatchSubmit(req, ctx); });
    site.Api("GET", "/api/v1/processes/{slug}/budgets/{budget}/paper-batches", staff,
             [this](Request& req, Context& ctx) { return ApiBatches(req, ctx); });
  }

 private:
  struct Target {
    Process process;
    const Budget* budget = nullptr;
  };

  Result<Target> Find(const Context& ctx, const Request& req) {
    TING_ASSIGN_OR_RETURN(Process process, FindProcess(processes_, ctx, req.Param("slug")));
    Target t{std::move(process), nullptr};
    t.budget = t.process.FindBudget(req.Param("budget"));
    if (!t.budget) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_budget"));
    return t;
  }

  // The register person a form or a call names: "person" (the register's row id, as the desk
  // page links it), or "person_id" (the organisation's id, as typed), or "name" + "birth_date".
  Result<Resident> Person(const Context& ctx, const std::string& row, const std::string& person_id, const std::string& name,
                          const std::string& birth_date) {
    std::optional<Resident> found;
    if (auto id = ParseInt64(row)) {
      TING_ASSIGN_OR_RETURN(found, registry_.FindById(ctx.org.id, *id));
    } else {
      TING_ASSIGN_OR_RETURN(found, voters_.FindPerson(ctx.org.id, person_id, name, birth_date));
    }
    if (!found) return Error::Say(ErrorCode::kNotFound, TING_KEY("desk.no_person"));
    return *found;
  }

  // --- the desk page ---
  Result<Response> Page(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(processes_, ctx, req.Param("slug")));
    auto q = [&](const char* k) { return req.QueryParam(k).value_or(""); };
    html::Data d;
    d.set("process_slug", p.slug);
    d.set("process_title", p.Title(ctx.lang));
    d.set("person_id", q("person_id"));
    d.set("name", q("name"));
    d.set("birth_date", q("birth_date"));
    const bool searched = !q("person").empty() || !q("person_id").empty() || !q("name").empty();
    d.set("searched", searched);
    d.set("voting", p.PhaseNow(site_.env()) == Phase::kVoting);
    html::List all_budgets;
    for (const auto& b : p.budgets) all_budgets.push_back(html::Object{{"slug", b.slug}, {"name", b.Name(ctx.lang)}});
    d.set("all_budgets", all_budgets);
    int status = 200;
    if (searched) {
      auto person = Person(ctx, q("person"), q("person_id"), q("name"), q("birth_date"));
      if (!person.ok()) {
        d.set("not_found", true);
        status = 404;
      } else {
        d.set("found", true);
        d.set("person_row", std::to_string(person->id));
        d.set("person_name", person->name);
        d.set("person_district", person->district);
        d.set("person_birth_date", person->birth_date);
        html::List budgets;
        Voter v{Voter::Door::kPaper, ctx.user->id, 0, person->id, {}};
        for (const auto& b : p.budgets) {
          TING_ASSIGN_OR_RETURN(auto stored, box_.Load(ctx.org.id, p, b, v));
          html::Object o{{"name", b.Name(ctx.lang)}, {"slug", b.slug}};
          std::string status_text;
          bool may = false;
          if (stored.who.ineligible) {
            status_text = site_.T(ctx, std::string("desk.not_eligible.") + IneligibleName(*stored.who.ineligible));  // of them, to staff
          } else if (stored.ballot) {
            // Whether, and through which door: never how.
            status_text = site_.T(ctx, TING_KEY("desk.voted"), {{"channel", site_.T(ctx, "voting.channel." + stored.ballot->channel)}});
            may = stored.ballot->channel != "paper";
          } else {
            status_text = site_.T(ctx, TING_KEY("desk.not_voted"));
            may = true;
          }
          o["status"] = html::Data(status_text);
          o["may"] = html::Data(may ? html::Data::type::bool_true : html::Data::type::bool_false);
          budgets.push_back(o);
        }
        d.set("budgets", budgets);
      }
    }
    return site_.RenderPageTitled(req, ctx, "voting/desk", site_.T(ctx, TING_KEY("desk.title"), {{"process", p.Title(ctx.lang)}}), d, status);
  }

  // Opens the ballot on this device for the person: a desk session in a cookie, for one person and
  // this process, ended by "Done" or after half an hour.
  Result<Response> Open(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(processes_, ctx, req.Param("slug")));
    TING_ASSIGN_OR_RETURN(Resident person, Person(ctx, web::FormField(req, "person"), "", "", ""));
    VoterSession s;
    s.kind = VoterSession::Kind::kDesk;
    s.resident_id = person.id;
    s.process_id = p.id;
    s.expires_at = site_.env().NowSeconds() + kDeskSessionSeconds;
    // The device is handed to the resident: the staff member is signed out of it first, so the
    // resident cannot reach the desk (other people's names) on it. Staff sign in again after.
    site_.EndSession(ctx);
    Site::SetCookie(ctx, kVoterCookie, voters_.Token(s), kDeskSessionSeconds);
    return site_.RedirectWithFlash(ctx, "/processes/" + p.slug + "/vote", TING_KEY("desk.opened"));
  }

  // Links an account (by its email) to the person: the person showed who they are at the desk.
  Result<Response> VerifyAccount(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(processes_, ctx, req.Param("slug")));
    TING_ASSIGN_OR_RETURN(Resident person, Person(ctx, web::FormField(req, "person"), "", "", ""));
    std::string back = "/processes/" + p.slug + "/desk?person=" + std::to_string(person.id);
    TING_ASSIGN_OR_RETURN(auto account, site_.accounts().FindByEmail(web::FormField(req, "email")));
    if (!account) return site_.RedirectWithFlash(ctx, back, TING_KEY("desk.no_account"));
    Status st = voters_.Verify(ctx.org.id, person.id, account->id, "desk");
    if (!st.ok() && st.error().code == ErrorCode::kAlreadyExists) return site_.RedirectWithFlash(ctx, back, TING_KEY("residents.already_linked"));
    TING_RETURN_IF_ERROR(st);
    return site_.RedirectWithFlash(ctx, back, TING_KEY("desk.verified"));
  }

  Result<Response> PaperForm(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req));
    TING_ASSIGN_OR_RETURN(Resident person, Person(ctx, req.QueryParam("person").value_or(""), "", "", ""));
    if (t.process.PhaseNow(site_.env()) != Phase::kVoting) return site_.ErrorPage(req, ctx, 409, TING_KEY("voting.closed_title"), TING_KEY("voting.closed"));
    return RenderPaper(req, ctx, t, person, {}, 200);
  }

  Result<Response> RenderPaper(Request& req, Context& ctx, const Target& t, const Resident& person, const std::vector<std::string>& errors, int status) {
    TING_ASSIGN_OR_RETURN(auto copy, box_.Current(t.budget->id));
    BallotForm form{"/processes/" + t.process.slug + "/desk/" + t.budget->slug + "/paper",
                    {{"person", std::to_string(person.id)}},
                    site_.T(ctx, TING_KEY("desk.paper_for"), {{"name", person.name}})};
    return RenderBallotForm(site_, req, ctx, t.process, *t.budget, copy->projects, std::nullopt, errors, status, form);
  }

  Result<Response> PaperSubmit(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req));
    TING_ASSIGN_OR_RETURN(Resident person, Person(ctx, web::FormField(req, "person"), "", "", ""));
    auto parsed = BallotFromForm(req, t.budget->ballot.type);
    if (auto* problem = std::get_if<BallotProblem>(&parsed)) return RenderPaper(req, ctx, t, person, {ProblemText(site_, ctx, *problem, *t.budget)}, 422);
    Voter v{Voter::Door::kPaper, ctx.user->id, 0, person.id, {}};
    TING_ASSIGN_OR_RETURN(CastResult r, box_.Cast(ctx.org.id, t.process, *t.budget, std::get<Ballot>(parsed), v));
    using Outcome = CastResult::Outcome;
    if (r.outcome == Outcome::kInvalid) return RenderPaper(req, ctx, t, person, {ProblemText(site_, ctx, {r.key, r.vars}, r.budget)}, 422);
    if (r.outcome != Outcome::kRecorded) return site_.ErrorPage(req, ctx, r.outcome == Outcome::kNotEligible ? 403 : 409, TING_KEY("voting.cannot_vote_title"), r.key);
    return site_.RedirectWithFlash(ctx, "/processes/" + t.process.slug + "/desk?person=" + std::to_string(person.id), TING_KEY("desk.paper_recorded"));
  }

  // --- API ---
  Result<Response> ApiPaper(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req));
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    web::JsonFields f(body);
    std::string person_id = f.Text("person_id"), name = f.Text("name"), birth_date = f.Text("birth_date");
    TING_RETURN_IF_ERROR(f.Check());
    if (person_id.empty() && (name.empty() || birth_date.empty()))
      return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("desk.person_required"));
    TING_ASSIGN_OR_RETURN(Resident person, Person(ctx, "", person_id, name, birth_date));
    auto ballot = Ballot::FromJson(t.budget->ballot.type, body);
    if (!ballot.ok()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("voting.bad_ballot"), {{"detail", ballot.error().message}});
    Voter v{Voter::Door::kPaper, ctx.user->id, 0, person.id, {}};
    TING_ASSIGN_OR_RETURN(CastResult r, box_.Cast(ctx.org.id, t.process, *t.budget, *ballot, v));
    if (r.outcome != CastResult::Outcome::kRecorded) return CastFailure(site_, ctx, r);
    json j = ballot->ToJson();
    j["budget"] = t.budget->slug;
    j["channel"] = "paper";
    j["name"] = person.name;
    return Site::Json(201, j);
  }

  // Anonymous paper ballots: a numbered batch, entered once by each of two staff; it counts when
  // both entries agree ballot by ballot. Either may enter theirs again to correct it.
  // The answer's JSON and status: 202 waiting, 201 counted, 409 mismatch (or an Error).
  Result<std::pair<int, json>> EnterBatch(const Context& ctx, const Target& t, const std::string& batch, const json& list) {
    if (Trim(batch).empty() || batch.size() > 40) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("desk.batch_required"));
    if (!list.is_array() || list.empty() || list.size() > kMaxBatchBallots)
      return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("desk.batch_ballots"), {{"max", std::to_string(kMaxBatchBallots)}});
    TING_ASSIGN_OR_RETURN(auto copy, box_.Current(t.budget->id, /*fresh=*/true));
    std::vector<Ballot> ballots;
    json canonical = json::array();
    for (size_t i = 0; i < list.size(); ++i) {
      auto b = Ballot::FromJson(t.budget->ballot.type, list[i]);
      if (!b.ok())
        return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("desk.batch_bad_ballot"), {{"n", std::to_string(i + 1)}, {"detail", b.error().message}});
      if (auto problem = ValidateBallot(*b, copy->budget, copy->projects))
        return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("desk.batch_bad_ballot"),
                          {{"n", std::to_string(i + 1)}, {"detail", ProblemText(site_, ctx, *problem, copy->budget)}});
      canonical.push_back(b->ToJson());
      ballots.push_back(std::move(*b));
    }
    const std::string mine = canonical.dump();
    const int64_t now = site_.env().NowSeconds();
    json answer;
    int status = 202;
    std::optional<Error> refused;
    TING_RETURN_IF_ERROR(site_.db().Write([&](db::Connection& c) -> Status {
      TING_ASSIGN_OR_RETURN(Phase phase, ProcessStore::PhaseIn(c, t.process.id, site_.env()));
      if (phase != Phase::kVoting) {
        refused = Error::Say(ErrorCode::kConflict, TING_KEY("voting.closed"));
        return {};
      }
      TING_ASSIGN_OR_RETURN(auto entries, c.Query("SELECT entered_by, ballots, counted_at FROM paper_batch_entries WHERE budget_id = ? AND batch = ?",
                                                  {t.budget->id, batch}));
      for (const auto& e : entries)
        if (e.Int(2)) {
          refused = Error::Say(ErrorCode::kConflict, TING_KEY("desk.batch_counted"), {{"batch", batch}});
          return {};
        }
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO paper_batch_entries(budget_id, batch, entered_by, ballots, entered_at) VALUES(?, ?, ?, ?, ?) "
                                           "ON CONFLICT(budget_id, batch, entered_by) DO UPDATE SET ballots = excluded.ballots, entered_at = excluded.entered_at",
                                           {t.budget->id, batch, ctx.user->id, mine, now})));
      const db::Row* other = nullptr;
      for (const auto& e : entries)
        if (e.Int(0) != ctx.user->id) other = &e;
      answer = {{"batch", batch}, {"ballots", ballots.size()}};
      if (!other) {
        answer["status"] = "waiting";  // for a second member of staff to enter the same pile
        return {};
      }
      json theirs = json::parse(other->Str(1), nullptr, false);
      json mismatches = json::array();
      size_t n = std::max(theirs.size(), canonical.size());
      for (size_t i = 0; i < n; ++i) {
        json a = i < theirs.size() ? theirs[i] : json(nullptr), b = i < canonical.size() ? canonical[i] : json(nullptr);
        if (a != b) mismatches.push_back({{"ballot", i + 1}, {"first", a}, {"second", b}});
      }
      if (!mismatches.empty()) {
        answer["status"] = "mismatch";
        answer["mismatches"] = mismatches;
        answer["error"] = site_.T(ctx, TING_KEY("desk.batch_mismatch"), {{"count", std::to_string(mismatches.size())}});
        answer["code"] = "desk.batch_mismatch";
        status = 409;
        return {};
      }
      for (size_t i = 0; i < ballots.size(); ++i)
        TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO ballots(budget_id, voter, account_id, choices, channel, created_at, updated_at) "
                                             "VALUES(?, ?, ?, ?, 'batch', ?, ?)",
                                             {t.budget->id, "b:" + batch + ":" + std::to_string(i + 1), ctx.user->id, canonical[i].dump(), now, now})));
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE paper_batch_entries SET counted_at = ? WHERE budget_id = ? AND batch = ?", {now, t.budget->id, batch})));
      answer["status"] = "counted";
      status = 201;
      return t.process.voting_opened_at ? Status() : ProcessStore::MarkVotingOpened(c, t.process.id, now);
    }));
    if (refused) return *refused;
    return std::pair{status, answer};
  }

  Result<Response> ApiBatch(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req));
    TING_ASSIGN_OR_RETURN(json body, web::JsonBody(req));
    web::JsonFields f(body);
    const std::string batch(Trim(f.Text("batch")));
    TING_RETURN_IF_ERROR(f.Check());
    TING_ASSIGN_OR_RETURN(auto answer, EnterBatch(ctx, t, batch, body.contains("ballots") ? body["ballots"] : json()));
    return Site::Json(answer.first, answer.second);
  }

  // --- the batch page: one paper ballot after another, then the whole pile ---
  // The ballots entered so far travel in the form (a hidden field, checked again at the end).
  static json SoFar(const Request& req) {
    json so_far = json::parse(web::FormField(req, "so_far"), nullptr, false);
    return so_far.is_array() ? so_far : json::array();
  }

  Result<Response> RenderBatch(Request& req, Context& ctx, const Target& t, const std::string& batch, const json& so_far,
                               const std::vector<std::string>& errors, const std::string& notice, int status) {
    TING_ASSIGN_OR_RETURN(auto copy, box_.Current(t.budget->id));
    BallotForm form{"/processes/" + t.process.slug + "/desk/" + t.budget->slug + "/batch", {{"so_far", so_far.dump()}}, notice};
    form.batch = batch;
    form.batch_mode = true;
    form.batch_count = static_cast<int64_t>(so_far.size());
    return RenderBallotForm(site_, req, ctx, t.process, *t.budget, copy->projects, std::nullopt, errors, status, form);
  }

  Result<Response> BatchPage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req));
    if (t.process.PhaseNow(site_.env()) != Phase::kVoting) return site_.ErrorPage(req, ctx, 409, TING_KEY("voting.closed_title"), TING_KEY("voting.closed"));
    return RenderBatch(req, ctx, t, "", json::array(), {}, site_.T(ctx, TING_KEY("desk.batch_help")), 200);
  }

  Result<Response> BatchSubmit(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req));
    const std::string batch(Trim(web::FormField(req, "batch")));
    json so_far = SoFar(req);
    if (web::FormField(req, "step") == "add") {
      auto parsed = BallotFromForm(req, t.budget->ballot.type);
      if (auto* problem = std::get_if<BallotProblem>(&parsed))
        return RenderBatch(req, ctx, t, batch, so_far, {ProblemText(site_, ctx, *problem, *t.budget)}, "", 422);
      TING_ASSIGN_OR_RETURN(auto copy, box_.Current(t.budget->id));
      if (auto problem = ValidateBallot(std::get<Ballot>(parsed), copy->budget, copy->projects))
        return RenderBatch(req, ctx, t, batch, so_far, {ProblemText(site_, ctx, *problem, copy->budget)}, "", 422);
      so_far.push_back(std::get<Ballot>(parsed).ToJson());
      return RenderBatch(req, ctx, t, batch, so_far, {},
                         site_.T(ctx, TING_KEY("desk.batch_added"), {{"n", std::to_string(so_far.size())}, {"batch", batch}}), 200);
    }
    auto entered = EnterBatch(ctx, t, batch, so_far);
    if (!entered.ok()) {
      if (entered.error().key.empty()) return entered.error();
      return RenderBatch(req, ctx, t, batch, so_far, {site_.T(ctx, entered.error().key, entered.error().args)}, "", Site::StatusFor(entered.error().code));
    }
    const auto& [code, answer] = *entered;
    if (code == 409) {
      std::vector<std::string> numbers;
      for (const auto& m : answer["mismatches"]) numbers.push_back(std::to_string(m["ballot"].get<int64_t>()));
      return RenderBatch(req, ctx, t, batch, so_far,
                         {answer["error"].get<std::string>() + " " + site_.T(ctx, TING_KEY("desk.batch_which"), {{"numbers", Join(numbers, ", ")}})}, "", 409);
    }
    return site_.RedirectWithFlash(ctx, "/processes/" + t.process.slug + "/desk", code == 201 ? TING_KEY("desk.batch_counted_now") : TING_KEY("desk.batch_waiting"));
  }

  Result<Response> ApiBatches(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req));
    json out = json::array();
    TING_RETURN_IF_ERROR(site_.db().Read([&](db::Connection& c) -> Status {
      TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT batch, COUNT(*), MAX(counted_at), MAX(json_array_length(ballots)) FROM paper_batch_entries "
                                               "WHERE budget_id = ? GROUP BY batch ORDER BY batch",
                                               {t.budget->id}));
      for (const auto& r : rows)
        out.push_back({{"batch", r.Str(0)}, {"entries", r.Int(1)}, {"status", r.Int(2) ? "counted" : r.Int(1) > 1 ? "mismatch" : "waiting"},
                       {"ballots", r.Int(3)}});
      return {};
    }));
    return Site::Json(200, {{"batches", out}});
  }

  Site& site_;
  BallotBox& box_;
  VoterDirectory& voters_;
  ProcessStore& processes_;
  RegisterStore registry_;
};

}  // namespace

std::shared_ptr<void> MountDesk(Site& site, BallotBox& box, VoterDirectory& voters, ProcessStore& processes) {
  return std::make_shared<Desk>(site, box, voters, processes);
}

}  // namespace ting::components
