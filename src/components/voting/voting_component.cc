// Voting: the ballot page, the receipt, and the ballot API.

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>

#include "ting/base/digest.h"
#include "ting/base/keys.h"
#include "ting/base/money.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"
#include "voting_internal.h"
#include "ting/base/rng.h"
#include "ting/base/ttl_cache.h"
#include "ting/core/accounts.h"

namespace ting::components {

namespace {

// Projects in a per-voter order: shuffled so that the first places do not favour the same
// projects for everyone, yet stable for one voter across reloads.
std::vector<Project> VoterOrder(std::vector<Project> projects, const std::string& voter, int64_t budget_id) {
  DeterministicRng("ballot-order:" + voter + ":" + std::to_string(budget_id)).Shuffle(projects);
  return projects;
}

class VotingComponent final : public web::Component {
 public:
  explicit VotingComponent(Site& site) : site_(&site), processes_(site.db(), site.env()), box_(site.db(), site.env()), voters_(site.db(), site.env()) {
    const auto anyone = web::Access::Public();  // a code or a desk session votes without an account: checked in Who()
    site.Page("GET", "/processes/{slug}/vote", anyone, [this](Request& req, Context& ctx) { return Overview(req, ctx); });
    site.Page("POST", "/processes/{slug}/vote/done", anyone, [this](Request& req, Context& ctx) { return Done(req, ctx); });
    site.Page("GET", "/processes/{slug}/vote/{budget}", anyone, [this](Request& req, Context& ctx) { return BallotPage(req, ctx); });
    site.Page("POST", "/processes/{slug}/vote/{budget}", anyone, [this](Request& req, Context& ctx) { return SubmitForm(req, ctx); });
    site.Page("GET", "/processes/{slug}/vote/{budget}/receipt", anyone, [this](Request& req, Context& ctx) { return Receipt(req, ctx); });
    site.Api("PUT", "/api/v1/processes/{slug}/budgets/{budget}/ballot", anyone, [this](Request& req, Context& ctx) { return ApiPut(req, ctx); });
    site.Api("GET", "/api/v1/processes/{slug}/budgets/{budget}/ballot", anyone, [this](Request& req, Context& ctx) { return ApiGet(req, ctx); });
    desk_ = MountDesk(site, box_, voters_, processes_);
  }

 private:
  struct Target {
    Process process;
    const Budget* budget = nullptr;
  };

  // The process and budget of the path, from the processes' shared cache (cleared by every
  // change made on this server); each ballot's write checks them again as stored.
  Result<Target> Find(const Context& ctx, const std::string& slug, const std::string& budget_slug) {
    TING_ASSIGN_OR_RETURN(Process process, FindProcess(processes_, ctx, slug));
    Target t{std::move(process), nullptr};
    t.budget = t.process.FindBudget(budget_slug);
    if (!t.budget) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_budget"));
    return t;
  }

  // Who votes in this request: a voter session for this process (a code, or a person the staff
  // desk opened the ballot for) before the signed-in account; else 401.
  Result<Voter> Who(const Request& req, const Context& ctx, const Process& process) {
    if (auto session = SessionOf(req, ctx, voters_, process.id)) {
      Voter v;
      v.door = session->kind == VoterSession::Kind::kCode ? Voter::Door::kCode : Voter::Door::kDesk;
      v.code_id = session->code_id;
      v.resident_id = session->resident_id;
      v.account_id = ctx.user ? ctx.user->id : 0;  // at the desk: the staff member's
      if (v.door == Voter::Door::kCode) v.account_id = 0;
      return v;
    }
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    TING_RETURN_IF_ERROR(CheckAccountMayTakePart(process, *ctx.user));
    return Voter{Voter::Door::kAccount, ctx.user->id, 0, 0, {}};
  }

  Result<std::vector<Project>> Projects(int64_t budget_id) {
    TING_ASSIGN_OR_RETURN(auto copy, box_.Current(budget_id));
    return copy->projects;
  }

  // --- API ---
  Result<Response> ApiPut(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    TING_ASSIGN_OR_RETURN(Voter voter, Who(req, ctx, t.process));
    TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
    auto ballot = Ballot::FromJson(t.budget->ballot.type, parsed_body);
    if (!ballot.ok()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("voting.bad_ballot"), {{"detail", ballot.error().message}});
    TING_ASSIGN_OR_RETURN(CastResult r, box_.Cast(ctx.org.id, t.process, *t.budget, *ballot, voter));
    if (r.outcome != CastResult::Outcome::kRecorded) return CastFailure(*site_, ctx, r);
    json j = BallotJson(t, *ballot, site_->env().NowSeconds());
    j["channel"] = ChannelOf(voter.door);
    return Site::Json(200, j);
  }

  static json BallotJson(const Target& t, const Ballot& b, int64_t updated_at) {
    json j = b.ToJson();
    j["budget"] = t.budget->slug;
    j["type"] = BallotTypeName(t.budget->ballot.type);
    j["updated_at"] = updated_at;
    return j;
  }

  Result<Response> ApiGet(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    TING_ASSIGN_OR_RETURN(Voter voter, Who(req, ctx, t.process));
    TING_ASSIGN_OR_RETURN(auto stored, box_.Load(ctx.org.id, t.process, *t.budget, voter));
    if (stored.others) return Error::Say(ErrorCode::kConflict, TING_KEY("voting.household_voted"));
    if (!stored.ballot || stored.hidden) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_ballot"));
    json j = BallotJson(t, stored.ballot->ballot, stored.ballot->updated_at);
    j["created_at"] = stored.ballot->created_at;
    j["channel"] = stored.ballot->channel;
    return Site::Json(200, j);
  }

  // --- pages ---
  // Where this voter may vote in the process, budget by budget, and how they are known.
  Result<Response> Overview(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(processes_, ctx, req.Param("slug")));
    const bool voting = p.PhaseNow(site_->env()) == Phase::kVoting;
    auto who = Who(req, ctx, p);
    html::Data d;
    d.set("process_slug", p.slug);
    d.set("process_title", p.Title(ctx.lang));
    d.set("voting", voting);
    d.set("known", who.ok());
    d.set("signed_in", ctx.user.has_value());
    d.set("code_session", who.ok() && who->door == Voter::Door::kCode);
    d.set("desk_session", who.ok() && who->door == Voter::Door::kDesk);
    html::List budgets;
    bool any_register = false;
    for (const auto& b : p.budgets) {
      any_register = any_register || !b.eligibility.Open();
      html::Object o{{"name", b.Name(ctx.lang)}, {"slug", b.slug}, {"who", EligibilityText(*site_, ctx, b.eligibility)}};
      std::string status;
      bool may = false;
      if (who.ok()) {
        TING_ASSIGN_OR_RETURN(auto stored, box_.Load(ctx.org.id, p, b, *who));
        if (stored.who.gone) {
          status = site_->T(ctx, TING_KEY("voting.code_gone"));
        } else if (stored.who.ineligible) {
          status = site_->T(ctx, std::string("voting.not_eligible.") + IneligibleName(*stored.who.ineligible));
        } else {
          may = voting && !stored.others;
          status = stored.others   ? site_->T(ctx, TING_KEY("voting.household_voted"))
                   : stored.ballot ? site_->T(ctx, TING_KEY("voting.status_voted"), {{"channel", site_->T(ctx, "voting.channel." + stored.ballot->channel)}})
                                   : site_->T(ctx, TING_KEY("voting.status_may"));
        }
      }
      o["status"] = html::Data(status);
      o["may"] = html::Data(may ? html::Data::type::bool_true : html::Data::type::bool_false);
      budgets.push_back(o);
    }
    d.set("budgets", budgets);
    d.set("any_register", any_register);
    return site_->RenderPageTitled(req, ctx, "voting/overview", site_->T(ctx, TING_KEY("voting.overview_title"), {{"process", p.Title(ctx.lang)}}), d);
  }

  // Ends a code or desk session on this device (the next voter at a shared tablet starts clean).
  Result<Response> Done(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(Process p, FindProcess(processes_, ctx, req.Param("slug")));
    Site::SetCookie(ctx, kVoterCookie, "", 0);
    return site_->RedirectWithFlash(ctx, "/processes/" + p.slug, TING_KEY("voting.session_ended"));
  }

  // The ballot from a submitted form, or what is wrong with the form itself.
  static std::variant<Ballot, BallotProblem> FromForm(const Request& req, BallotType type) { return BallotFromForm(req, type); }

  Result<Response> RenderBallot(Request& req, Context& ctx, const Target& t, const std::string& voter_key, const std::optional<Ballot>& current,
                                const std::vector<std::string>& errors, int status) {
    TING_ASSIGN_OR_RETURN(auto projects, Projects(t.budget->id));
    BallotForm form{"/processes/" + t.process.slug + "/vote/" + t.budget->slug, {}, {}};
    return RenderBallotForm(*site_, req, ctx, t.process, *t.budget, VoterOrder(projects, voter_key, t.budget->id), current, errors, status, form);
  }

  Result<Response> BallotPage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(const Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    TING_ASSIGN_OR_RETURN(Voter voter, Who(req, ctx, t.process));
    if (t.process.PhaseNow(site_->env()) != Phase::kVoting) return site_->ErrorPage(req, ctx, 409, TING_KEY("voting.closed_title"), TING_KEY("voting.closed"));
    TING_ASSIGN_OR_RETURN(auto stored, box_.Load(ctx.org.id, t.process, *t.budget, voter));
    if (stored.who.gone) return site_->ErrorPage(req, ctx, 401, TING_KEY("voting.cannot_vote_title"), TING_KEY("voting.code_gone"));
    if (stored.who.ineligible)
      return site_->ErrorPage(req, ctx, 403, TING_KEY("voting.cannot_vote_title"), std::string("voting.not_eligible.") + IneligibleName(*stored.who.ineligible));
    if (stored.others) return site_->ErrorPage(req, ctx, 409, TING_KEY("voting.cannot_vote_title"), TING_KEY("voting.household_voted"));
    std::optional<Ballot> current;
    if (stored.ballot && !stored.hidden) current = stored.ballot->ballot;
    return RenderBallot(req, ctx, t, stored.who.key, current, {}, 200);
  }

  Result<Response> SubmitForm(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(const Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    TING_ASSIGN_OR_RETURN(Voter voter, Who(req, ctx, t.process));
    auto parsed = FromForm(req, t.budget->ballot.type);
    if (auto* problem = std::get_if<BallotProblem>(&parsed))
      return RenderBallot(req, ctx, t, "", std::nullopt, {ProblemText(*site_, ctx, *problem, *t.budget)}, 422);
    const Ballot& ballot = std::get<Ballot>(parsed);
    TING_ASSIGN_OR_RETURN(CastResult r, box_.Cast(ctx.org.id, t.process, *t.budget, ballot, voter));
    using Outcome = CastResult::Outcome;
    switch (r.outcome) {
      case Outcome::kRecorded:
        return site_->RedirectWithFlash(ctx, "/processes/" + t.process.slug + "/vote/" + t.budget->slug + "/receipt", TING_KEY("voting.recorded"));
      case Outcome::kNotVoting: return site_->ErrorPage(req, ctx, 409, TING_KEY("voting.closed_title"), TING_KEY("voting.closed"));
      case Outcome::kInvalid: return RenderBallot(req, ctx, t, "", ballot, {ProblemText(*site_, ctx, {r.key, r.vars}, r.budget)}, 422);
      case Outcome::kNotEligible: return site_->ErrorPage(req, ctx, 403, TING_KEY("voting.cannot_vote_title"), r.key);
      case Outcome::kRefused: return site_->ErrorPage(req, ctx, 409, TING_KEY("voting.cannot_vote_title"), r.key);
      case Outcome::kGone: return site_->ErrorPage(req, ctx, 401, TING_KEY("voting.cannot_vote_title"), r.key);
    }
    return Error::Internal("unknown outcome");
  }

  Result<Response> Receipt(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(const Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    TING_ASSIGN_OR_RETURN(Voter voter, Who(req, ctx, t.process));
    TING_ASSIGN_OR_RETURN(auto stored, box_.Load(ctx.org.id, t.process, *t.budget, voter));
    TING_ASSIGN_OR_RETURN(auto projects, BallotProjects(site_->db(), t.budget->id));
    if (!stored.ballot || stored.hidden) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_ballot"));
    const Ballot& b = stored.ballot->ballot;
    std::map<int64_t, const Project*> by_id;
    for (const auto& p : projects) by_id[p.id] = &p;
    html::List lines;
    int64_t total_cost = 0;
    auto add = [&](int64_t id, const std::string& detail) {
      auto it = by_id.find(id);
      std::string title = it == by_id.end() ? std::string("#").append(std::to_string(id)) : it->second->title;  // not "#" + …: a GCC 12 -Wrestrict false alarm
      if (it != by_id.end()) total_cost = CheckedAdd(total_cost, it->second->cost).value_or(total_cost);
      lines.push_back(html::Object{{"title", title}, {"detail", detail}});
    };
    if (b.type == BallotType::kCumulative) {
      for (const auto& [id, n] : b.points) add(id, site_->T(ctx, TING_KEY("voting.points_given"), {{"points", std::to_string(n)}}));
    } else {
      int rank = 0;
      for (int64_t id : b.projects) {
        ++rank;
        auto it = by_id.find(id);
        add(id, b.type == BallotType::kRanking ? site_->T(ctx, TING_KEY("voting.rank"), {{"rank", std::to_string(rank)}})
                                               : (it == by_id.end() ? "" : site_->FormatMoney(ctx, {it->second->cost, t.budget->currency})));
      }
    }
    html::Data d;
    d.set("process_slug", t.process.slug);
    d.set("budget_slug", t.budget->slug);
    d.set("budget_name", t.budget->Name(ctx.lang));
    d.set("lines", lines);
    d.set("empty", lines.empty());
    d.set("recorded_at", UtcDateTime(stored.ballot->updated_at));
    d.set("first_at", UtcDateTime(stored.ballot->created_at));
    d.set("changed", stored.ballot->updated_at != stored.ballot->created_at);
    d.set("is_knapsack", b.type == BallotType::kKnapsack);
    d.set("total_cost", site_->FormatMoney(ctx, {total_cost, t.budget->currency}));
    d.set("channel", site_->T(ctx, "voting.channel." + stored.ballot->channel));
    d.set("can_change", t.process.PhaseNow(site_->env()) == Phase::kVoting && stored.ballot->channel != "paper");
    d.set("session", voter.door != Voter::Door::kAccount);
    return site_->RenderPage(req, ctx, "voting/receipt", TING_KEY("voting.receipt_title"), d);
  }

  Site* site_ = nullptr;
  ProcessStore processes_;
  BallotBox box_;
  VoterDirectory voters_;
  std::shared_ptr<void> desk_;
};

}  // namespace

const std::vector<std::string>& BallotChannels() {
  static const std::vector<std::string> channels = {"online", "code", "desk", "paper", "batch"};
  return channels;
}

Result<std::vector<StoredBallot>> LoadBallots(db::Database& db, const Budget& budget) {
  std::vector<StoredBallot> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT voter, choices, channel, created_at, updated_at, resident_id FROM ballots WHERE budget_id = ? "
                                             "ORDER BY voter",
                                             {budget.id}));
    out.reserve(rows.size());
    for (const auto& r : rows) {
      auto j = json::parse(r.Str(1), nullptr, false);
      TING_ASSIGN_OR_RETURN(Ballot b, Ballot::FromJson(budget.ballot.type, j));
      out.push_back({r.Str(0), std::move(b), r.Str(2), r.Int(3), r.Int(4), r.IsNull(5) ? 0 : r.Int(5)});
    }
    return {};
  }));
  return out;
}

web::Manifest VotingManifest() {
  return web::ManifestOf<VotingComponent>("voting", "/processes/{slug}/vote, /processes/{slug}/desk, /api/v1/processes/{slug}/budgets/{budget}/ballot",
                                          VotingMigrations, voting::Resources, SeedVoting);
}

}  // namespace ting::components
