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
#include "ting/components/voting.h"
#include "ting/base/rng.h"
#include "ting/base/ttl_cache.h"
#include "ting/core/accounts.h"

namespace ting::components {

namespace voting {
const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
}


namespace {

std::vector<db::Migration> VotingMigrations() {
  return {{400, "voting: ballots", R"sql(
CREATE TABLE ballots (
  id INTEGER PRIMARY KEY,
  budget_id INTEGER NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
  voter_id INTEGER NOT NULL REFERENCES users(id),
  choices TEXT NOT NULL,
  channel TEXT NOT NULL DEFAULT 'online' CHECK (channel IN ('online','paper')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (budget_id, voter_id)
);
)sql"}};
}


// Who may vote in a budget. Today: every signed-in resident. District of residence, age range
// and membership rules plug in here (see docs/architecture.md, "Eligibility").
std::optional<BallotProblem> CheckEligibility(const core::User&, const Process&, const Budget&) { return std::nullopt; }

std::string ProblemText(const Site& site, const Context& ctx, const BallotProblem& problem, const Budget& budget) {
  auto vars = problem.vars;
  for (const char* money : {"cost", "amount"})
    if (auto it = vars.find(money); it != vars.end())
      it->second = site.FormatMoney(ctx, {ParseInt64(it->second).value_or(0), budget.currency});
  return site.T(ctx, problem.key, vars);
}

// Projects in a per-voter order: shuffled so that the first places do not favour the same
// projects for everyone, yet stable for one voter across reloads.
std::vector<Project> VoterOrder(std::vector<Project> projects, int64_t voter_id, int64_t budget_id) {
  DeterministicRng("ballot-order:" + std::to_string(voter_id) + ":" + std::to_string(budget_id)).Shuffle(projects);
  return projects;
}

class VotingComponent final : public web::Component {
 public:
  explicit VotingComponent(Site& site) : ballot_cache_(site.env(), std::chrono::seconds(1), 10000) {
    site_ = &site;
    processes_ = std::make_unique<ProcessStore>(site.db(), site.env());
    const auto signed_in = web::Access::SignedIn();
    site.Page("GET", "/processes/{slug}/vote/{budget}", signed_in, [this](Request& req, Context& ctx) { return BallotPage(req, ctx); });
    site.Page("POST", "/processes/{slug}/vote/{budget}", signed_in, [this](Request& req, Context& ctx) { return SubmitForm(req, ctx); });
    site.Page("GET", "/processes/{slug}/vote/{budget}/receipt", signed_in, [this](Request& req, Context& ctx) { return Receipt(req, ctx); });
    site.Api("PUT", "/api/v1/processes/{slug}/budgets/{budget}/ballot", signed_in, [this](Request& req, Context& ctx) { return ApiPut(req, ctx); });
    site.Api("GET", "/api/v1/processes/{slug}/budgets/{budget}/ballot", signed_in, [this](Request& req, Context& ctx) { return ApiGet(req, ctx); });
  }

 private:
  struct Target {
    Process process;
    const Budget* budget = nullptr;
  };

  // The process and budget of the path, from the processes' shared cache (cleared by every
  // change made on this server); each ballot's write checks them again as stored.
  Result<Target> Find(const Context& ctx, const std::string& slug, const std::string& budget_slug) {
    TING_ASSIGN_OR_RETURN(auto process, processes_->Find(ctx.org.id, slug));
    if (!process) return Error::Say(ErrorCode::kNotFound, TING_KEY("processes.not_found"));
    Target t{std::move(*process), nullptr};
    t.budget = t.process.FindBudget(budget_slug);
    if (!t.budget) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_budget"));
    return t;
  }

  // A budget's ballot as read in one snapshot: its rules and amount, its projects, and the
  // ballot version they were read at (Budget::ballot_version).
  struct BallotCopy {
    Budget budget;
    std::vector<Project> projects;
  };

  static Result<BallotCopy> ReadBallot(db::Connection& c, int64_t budget_id) {
    TING_ASSIGN_OR_RETURN(auto budget, ProcessStore::BudgetIn(c, budget_id));
    if (!budget) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_budget"));
    TING_ASSIGN_OR_RETURN(auto projects, BallotProjects(c, budget_id));
    return BallotCopy{std::move(*budget), std::move(projects)};
  }

  // The ballot of a budget, cached for a second for pages and the first check of a ballot; each
  // ballot's write compares the version and checks again when anything has changed since.
  // Shared, never copied: every ballot reads the same copy of a budget's projects.
  Result<std::shared_ptr<const BallotCopy>> CurrentBallot(int64_t budget_id, bool fresh = false) {
    if (!fresh)
      if (auto cached = ballot_cache_.Get(budget_id)) return cached;
    std::optional<BallotCopy> copy;
    TING_RETURN_IF_ERROR(site_->db().Read([&](db::Connection& c) -> Status {
      TING_ASSIGN_OR_RETURN(copy, ReadBallot(c, budget_id));
      return {};
    }));
    return ballot_cache_.Put(budget_id, std::move(*copy));
  }

  Result<std::vector<Project>> Projects(int64_t budget_id) {
    TING_ASSIGN_OR_RETURN(auto copy, CurrentBallot(budget_id));
    return copy->projects;
  }

  Result<std::optional<StoredBallot>> Load(int64_t budget_id, int64_t voter_id, BallotType type) {
    std::optional<StoredBallot> out;
    TING_RETURN_IF_ERROR(site_->db().Read([&](db::Connection& c) -> Status {
      TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT choices, channel, created_at, updated_at FROM ballots WHERE budget_id = ? AND voter_id = ?",
                                                  {budget_id, voter_id}));
      if (!row) return {};
      auto j = json::parse(row->Str(0), nullptr, false);
      TING_ASSIGN_OR_RETURN(Ballot b, Ballot::FromJson(type, j));
      out = StoredBallot{voter_id, std::move(b), row->Str(1), row->Int(2), row->Int(3)};
      return {};
    }));
    return out;
  }

  enum class Outcome { kRecorded, kInvalid, kNotVoting, kError };
  struct CastResult {
    Outcome outcome;
    std::string message;
  };

  // Validates and durably records the voter's one ballot for the budget (replacing an earlier one).
  CastResult Cast(const Context& ctx, const Target& t, const Ballot& ballot) {
    if (auto problem = CheckEligibility(*ctx.user, t.process, *t.budget))
      return {Outcome::kInvalid, ProblemText(*site_, ctx, *problem, *t.budget)};
    auto cached = CurrentBallot(t.budget->id);
    if (!cached.ok()) return {Outcome::kError, cached.error().message};
    std::shared_ptr<const BallotCopy> copy = *cached;
    if (ValidateBallot(ballot, copy->budget, copy->projects)) {
      // Refused by a copy up to a second old: the rules may just have changed; ask the database.
      auto fresh = CurrentBallot(t.budget->id, /*fresh=*/true);
      if (!fresh.ok()) return {Outcome::kError, fresh.error().message};
      copy = *fresh;
      if (auto problem = ValidateBallot(ballot, copy->budget, copy->projects))
        return {Outcome::kInvalid, ProblemText(*site_, ctx, *problem, copy->budget)};
    }
    std::string choices = ballot.ToJson().dump();
    int64_t now = site_->env().NowSeconds();
    bool not_voting = false;
    std::optional<BallotProblem> late_problem;
    std::optional<Budget> budget_now;
    Status st = site_->db().Write([&](db::Connection& c) -> Status {
      // The phase as stored at this moment, in the ballot's own transaction; and the ballot's
      // rules and projects: the copy checked above may be a second old (voting may just have
      // opened with other rules, or a project just left the ballot), so when the budget's ballot
      // version has moved since, the ballot is checked again against what is stored now.
      TING_ASSIGN_OR_RETURN(Phase phase, ProcessStore::PhaseIn(c, t.process.id, site_->env()));
      TING_ASSIGN_OR_RETURN(auto version, ProcessStore::BallotVersionIn(c, t.budget->id));
      if (phase != Phase::kVoting || !version) {
        not_voting = true;
        return Error::Precondition("not voting");
      }
      if (*version != copy->budget.ballot_version) {
        TING_ASSIGN_OR_RETURN(BallotCopy current, ReadBallot(c, t.budget->id));
        budget_now = current.budget;
        if ((late_problem = ValidateBallot(ballot, current.budget, current.projects))) return Error::Invalid("the ballot changed");
      }
      TING_RETURN_IF_ERROR(StatusOf(c.Exec(
          "INSERT INTO ballots(budget_id, voter_id, choices, channel, created_at, updated_at) VALUES(?, ?, ?, 'online', ?, ?) "
          "ON CONFLICT(budget_id, voter_id) DO UPDATE SET choices = excluded.choices, channel = excluded.channel, updated_at = excluded.updated_at",
          {t.budget->id, ctx.user->id, choices, now, now})));
      // Recorded once per process; the cached process says whether that happened already.
      return t.process.voting_opened_at ? Status() : ProcessStore::MarkVotingOpened(c, t.process.id, now);
    });
    if (not_voting) return {Outcome::kNotVoting, site_->T(ctx, TING_KEY("voting.closed"))};
    if (late_problem) {
      ballot_cache_.Erase(t.budget->id);
      return {Outcome::kInvalid, ProblemText(*site_, ctx, *late_problem, budget_now ? *budget_now : *t.budget)};
    }
    if (!st.ok()) return {Outcome::kError, st.error().message};
    return {Outcome::kRecorded, {}};
  }

  // --- API ---
  Result<Response> ApiPut(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    TING_ASSIGN_OR_RETURN(Target target, Find(ctx, req.Param("slug"), req.Param("budget")));
    const Target* t = &target;
    TING_ASSIGN_OR_RETURN(json parsed_body, web::JsonBody(req));
    auto ballot = Ballot::FromJson(t->budget->ballot.type, parsed_body);
    if (!ballot.ok()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("voting.bad_ballot"), {{"detail", ballot.error().message}});
    CastResult r = Cast(ctx, *t, *ballot);
    switch (r.outcome) {
      case Outcome::kRecorded: return Site::Json(200, BallotJson(*t, *ballot, site_->env().NowSeconds()));
      case Outcome::kInvalid: return Site::Json(422, {{"error", r.message}, {"code", TING_KEY("voting.invalid")}});
      case Outcome::kNotVoting: return Site::Json(409, {{"error", r.message}, {"code", TING_KEY("voting.closed")}});
      case Outcome::kError: return Error::Internal("a store call failed");
    }
    return Error::Internal("a store call failed");
  }

  static json BallotJson(const Target& t, const Ballot& b, int64_t updated_at) {
    json j = b.ToJson();
    j["budget"] = t.budget->slug;
    j["type"] = BallotTypeName(t.budget->ballot.type);
    j["updated_at"] = updated_at;
    return j;
  }

  Result<Response> ApiGet(Request& req, Context& ctx) {
    TING_RETURN_IF_ERROR(Site::RequireUser(ctx));
    TING_ASSIGN_OR_RETURN(Target target, Find(ctx, req.Param("slug"), req.Param("budget")));
    const Target* t = &target;
    auto stored = Load(t->budget->id, ctx.user->id, t->budget->ballot.type);
    if (!stored.ok()) return stored.error();
    if (!*stored) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_ballot"));
    json j = BallotJson(*t, (*stored)->ballot, (*stored)->updated_at);
    j["created_at"] = (*stored)->created_at;
    return Site::Json(200, j);
  }

  // --- pages ---
  // The ballot from a submitted form, or what is wrong with the form itself.
  static std::variant<Ballot, BallotProblem> FromForm(const Request& req, BallotType type) {
    Ballot b;
    b.type = type;
    std::vector<std::pair<int64_t, int64_t>> ranked;  // (rank, project)
    for (const auto& [k, v] : req.FormFields()) {
      if (k == "project") {
        if (auto id = ParseInt64(v)) b.projects.push_back(*id);
      } else if (StartsWith(k, "points_")) {
        auto id = ParseInt64(k.substr(7));
        std::string_view typed = Trim(v);
        if (!id || typed.empty()) continue;
        auto n = ParseInt64(typed);
        if (!n || *n < 0) return BallotProblem{TING_KEY("ballot.problem.points_number"), {}};
        if (*n > 0) b.points[*id] = *n;
      } else if (StartsWith(k, "rank_")) {
        auto id = ParseInt64(k.substr(5));
        auto r = ParseInt64(v);
        if (id && r && *r > 0) ranked.push_back({*r, *id});
      }
    }
    std::sort(ranked.begin(), ranked.end());
    for (size_t i = 0; i < ranked.size(); ++i) {
      if (i && ranked[i].first == ranked[i - 1].first)
        return BallotProblem{TING_KEY("ballot.problem.same_rank"), {{"rank", std::to_string(ranked[i].first)}}};
      b.projects.push_back(ranked[i].second);
    }
    if (type != BallotType::kRanking) std::sort(b.projects.begin(), b.projects.end());
    return b;
  }

  Result<Response> RenderBallot(Request& req, Context& ctx, const Target& t, const std::vector<Project>& projects, const std::optional<Ballot>& current,
                        const std::vector<std::string>& errors, int status) {
    const Budget& b = *t.budget;
    html::Data d;
    d.set("process_slug", t.process.slug);
    d.set("process_title", t.process.Title(ctx.lang));
    d.set("budget_slug", b.slug);
    d.set("budget_name", b.Name(ctx.lang));
    d.set("amount", site_->FormatMoney(ctx, {b.amount, b.currency}));
    d.set("amount_minor", std::to_string(b.amount));
    d.set("currency", b.currency);
    d.set("ballot_text", BallotText(*site_, ctx, b.ballot));
    d.set("type", BallotTypeName(b.ballot.type));
    d.set("max", std::to_string(b.ballot.max));
    d.set("points", std::to_string(b.ballot.points));
    d.set("is_approval", b.ballot.type == BallotType::kApproval || b.ballot.type == BallotType::kKnapsack);
    d.set("is_cumulative", b.ballot.type == BallotType::kCumulative);
    d.set("is_ranking", b.ballot.type == BallotType::kRanking);
    d.set("has_errors", !errors.empty());
    html::List err;
    for (const auto& e : errors) err.push_back(html::Data(e));
    d.set("errors", err);
    d.set("has_ballot", current.has_value());
    int rank_slots = static_cast<int>(projects.size());
    if (b.ballot.max) rank_slots = std::min(rank_slots, b.ballot.max);
    html::List items;
    for (const auto& p : VoterOrder(projects, ctx.user->id, b.id)) {
      html::Object o{{"id", std::to_string(p.id)}, {"title", p.title}, {"cost", site_->FormatMoney(ctx, {p.cost, b.currency})},
                     {"cost_minor", std::to_string(p.cost)}};
      bool chosen = false;
      int64_t pts = 0;
      int rank = 0;
      if (current) {
        chosen = std::find(current->projects.begin(), current->projects.end(), p.id) != current->projects.end();
        if (auto it = current->points.find(p.id); it != current->points.end()) pts = it->second;
        auto pos = std::find(current->projects.begin(), current->projects.end(), p.id);
        if (pos != current->projects.end()) rank = static_cast<int>(pos - current->projects.begin()) + 1;
      }
      o["checked"] = html::Data(chosen ? html::Data::type::bool_true : html::Data::type::bool_false);
      o["points_value"] = html::Data(pts ? std::to_string(pts) : "");
      html::List ranks;
      for (int r = 1; r <= rank_slots; ++r) {
        html::Object ro{{"value", std::to_string(r)}};
        ro["selected"] = html::Data(r == rank ? html::Data::type::bool_true : html::Data::type::bool_false);
        ranks.push_back(ro);
      }
      o["ranks"] = html::Data(ranks);
      items.push_back(o);
    }
    d.set("projects", items);
    d.set("has_projects", !projects.empty());
    return site_->RenderPageTitled(req, ctx, "voting/ballot", site_->T(ctx, TING_KEY("voting.title"), {{"budget", b.Name(ctx.lang)}}), d, status);
  }

  Result<Response> BallotPage(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(const Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    if (t.process.PhaseNow(site_->env()) != Phase::kVoting) return site_->ErrorPage(req, ctx, 409, TING_KEY("voting.closed_title"), TING_KEY("voting.closed"));
    auto projects = Projects(t.budget->id);
    auto stored = Load(t.budget->id, ctx.user->id, t.budget->ballot.type);
    if (!projects.ok() || !stored.ok()) return Error::Internal("a store call failed");
    std::optional<Ballot> current;
    if (*stored) current = (*stored)->ballot;
    return RenderBallot(req, ctx, t, *projects, current, {}, 200);
  }

  Result<Response> SubmitForm(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(const Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    auto parsed = FromForm(req, t.budget->ballot.type);
    if (auto* problem = std::get_if<BallotProblem>(&parsed)) {
      auto projects = Projects(t.budget->id);
      return RenderBallot(req, ctx, t, projects.ok() ? *projects : std::vector<Project>{}, std::nullopt,
                          {ProblemText(*site_, ctx, *problem, *t.budget)}, 422);
    }
    const Ballot& ballot = std::get<Ballot>(parsed);
    CastResult r = Cast(ctx, t, ballot);
    if (r.outcome == Outcome::kRecorded)
      return site_->RedirectWithFlash(ctx, "/processes/" + t.process.slug + "/vote/" + t.budget->slug + "/receipt", TING_KEY("voting.recorded"));
    if (r.outcome == Outcome::kNotVoting) return site_->ErrorPage(req, ctx, 409, TING_KEY("voting.closed_title"), TING_KEY("voting.closed"));
    if (r.outcome == Outcome::kError) return Error::Internal("a store call failed");
    auto projects = Projects(t.budget->id);
    return RenderBallot(req, ctx, t, projects.ok() ? *projects : std::vector<Project>{}, ballot, {r.message}, 422);
  }

  Result<Response> Receipt(Request& req, Context& ctx) {
    TING_ASSIGN_OR_RETURN(const Target t, Find(ctx, req.Param("slug"), req.Param("budget")));
    auto stored = Load(t.budget->id, ctx.user->id, t.budget->ballot.type);
    auto projects = BallotProjects(site_->db(), t.budget->id);
    if (!stored.ok() || !projects.ok()) return Error::Internal("a store call failed");
    if (!*stored) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_ballot"));
    const Ballot& b = (*stored)->ballot;
    std::map<int64_t, const Project*> by_id;
    for (const auto& p : *projects) by_id[p.id] = &p;
    html::List lines;
    int64_t total_cost = 0;
    auto add = [&](int64_t id, const std::string& detail) {
      auto it = by_id.find(id);
      std::string title = it == by_id.end() ? "#" + std::to_string(id) : it->second->title;
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
    d.set("recorded_at", UtcDateTime((*stored)->updated_at));
    d.set("first_at", UtcDateTime((*stored)->created_at));
    d.set("changed", (*stored)->updated_at != (*stored)->created_at);
    d.set("is_knapsack", b.type == BallotType::kKnapsack);
    d.set("total_cost", site_->FormatMoney(ctx, {total_cost, t.budget->currency}));
    d.set("can_change", t.process.PhaseNow(site_->env()) == Phase::kVoting);
    return site_->RenderPage(req, ctx, "voting/receipt", TING_KEY("voting.receipt_title"), d);
  }

  Site* site_ = nullptr;
  std::unique_ptr<ProcessStore> processes_;
  TtlCache<int64_t, BallotCopy> ballot_cache_;
};

}  // namespace

Result<std::vector<StoredBallot>> LoadBallots(db::Database& db, const Budget& budget) {
  std::vector<StoredBallot> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT voter_id, choices, channel, created_at, updated_at FROM ballots WHERE budget_id = ? ORDER BY voter_id",
                                             {budget.id}));
    out.reserve(rows.size());
    for (const auto& r : rows) {
      auto j = json::parse(r.Str(1), nullptr, false);
      TING_ASSIGN_OR_RETURN(Ballot b, Ballot::FromJson(budget.ballot.type, j));
      out.push_back({r.Int(0), std::move(b), r.Str(2), r.Int(3), r.Int(4)});
    }
    return {};
  }));
  return out;
}

web::Manifest VotingManifest() {
  return web::ManifestOf<VotingComponent>("voting", "/processes/{slug}/vote/{budget}, /api/v1/processes/{slug}/budgets/{budget}/ballot",
                                  VotingMigrations, voting::Resources, SeedVoting);
}

}  // namespace ting::components
