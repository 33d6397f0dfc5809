#include <chrono>
#include <map>
#include <mutex>
#include <tuple>

#include "ting/base/strings.h"
#include "ting/base/keys.h"
#include "ting/components/processes.h"
#include "ting/base/ttl_cache.h"
#include "ting/core/accounts.h"

namespace ting::components {

using json = nlohmann::json;

namespace {

// The process cache shared by every ProcessStore of the program (see ProcessStore::Find), on the
// clock of the first store's Env (one Env per program).
using CacheKey = std::tuple<const db::Database*, int64_t, std::string>;
TtlCache<CacheKey, std::optional<Process>>& ProcessCache(Env& env) {
  static auto* cache = new TtlCache<CacheKey, std::optional<Process>>(env, std::chrono::seconds(1), 1000);
  return *cache;
}

// A process with its organisation's time zone and content languages.
constexpr const char* kProcessColumns =
    "p.id, p.organisation_id, p.slug, p.title, p.description, p.phase_override, p.voting_opened_at, o.time_zone, o.languages, "
    "p.require_verified_account, p.languages "
    "FROM processes p JOIN organisations o ON o.id = p.organisation_id";

Process ProcessFromRow(const db::Row& r) {
  Process p;
  p.id = r.Int(0);
  p.organisation_id = r.Int(1);
  p.slug = r.Str(2);
  p.time_zone = r.Str(7);
  // The process's narrowing, as far as the organisation still has those languages.
  p.organisation_languages = core::ParseLanguages(r.Str(8));
  p.languages.clear();
  for (const auto& code : r.Str(10).empty() ? std::vector<std::string>{} : core::ParseLanguages(r.Str(10)))
    if (std::find(p.organisation_languages.begin(), p.organisation_languages.end(), code) != p.organisation_languages.end()) p.languages.push_back(code);
  if (p.languages.empty()) p.languages = p.organisation_languages;
  p.title = Translated::FromStored(r.Str(3), p.default_language());
  p.description = Translated::FromStored(r.Str(4), p.default_language());
  if (!r.IsNull(5)) p.phase_override = ParsePhase(r.Str(5));
  p.voting_opened_at = r.Int(6);
  p.require_verified_account = r.Int(9) != 0;
  return p;
}

constexpr const char* kBudgetColumns =
    "id, process_id, slug, name, amount, currency, ballot_type, ballot_min, ballot_max, ballot_points, "
    "ballot_max_per_project, rule, ballot_version, eligibility";

// The stored form of a budget's eligibility: its JSON, or '' when any account may vote.
std::string StoredEligibility(const Eligibility& e) { return e.Open() ? std::string() : EligibilityToJson(e).dump(); }

Budget BudgetFromRow(const db::Row& r) {
  Budget b;
  b.id = r.Int(0);
  b.process_id = r.Int(1);
  b.slug = r.Str(2);
  b.name = Translated::FromStored(r.Str(3), "sv");
  b.amount = r.Int(4);
  b.currency = r.Str(5);
  b.ballot.type = ParseBallotType(r.Str(6)).value_or(BallotType::kApproval);
  b.ballot.min = static_cast<int>(r.Int(7));
  b.ballot.max = static_cast<int>(r.Int(8));
  b.ballot.points = static_cast<int>(r.Int(9));
  b.ballot.max_per_project = static_cast<int>(r.Int(10));
  b.rule = ParseCountingRule(r.Str(11)).value_or(CountingRule::kGreedy);
  b.ballot_version = r.Int(12);
  if (!r.Str(13).empty()) {
    // Written by this program from a checked value; a row that no longer reads is closed to all
    // rather than open to all.
    auto e = EligibilityFromJson(json::parse(r.Str(13), nullptr, false));
    if (e.ok()) {
      b.eligibility = *e;
    } else {
      b.eligibility.register_only = true;
      b.eligibility.districts = {"\x01"};  // a district no register has
    }
  }
  return b;
}

Status LoadPhases(db::Connection& c, Process& p) {
  TING_ASSIGN_OR_RETURN(auto phases, c.Query("SELECT phase, starts_on, ends_on FROM process_phases WHERE process_id = ? ORDER BY position", {p.id}));
  for (const auto& r : phases)
    if (auto ph = ParsePhase(r.Str(0))) p.phases.push_back({*ph, r.Str(1), r.Str(2)});
  return {};
}

Status LoadChildren(db::Connection& c, Process& p) {
  TING_RETURN_IF_ERROR(LoadPhases(c, p));
  TING_ASSIGN_OR_RETURN(auto budgets, c.Query(std::string("SELECT ") + kBudgetColumns + " FROM budgets WHERE process_id = ? ORDER BY position, id",
                                              {p.id}));
  for (const auto& r : budgets) {
    p.budgets.push_back(BudgetFromRow(r));
    p.budgets.back().default_language = p.default_language();
  }
  return {};
}

Status WritePhases(db::Connection& c, const Process& p) {
  TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM process_phases WHERE process_id = ?", {p.id})));
  int64_t pos = 0;
  for (const auto& pd : p.phases)
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO process_phases(process_id, phase, position, starts_on, ends_on) VALUES(?, ?, ?, ?, ?)",
                                      {p.id, std::string(PhaseName(pd.phase)), pos++, pd.starts_on, pd.ends_on})));
  return {};
}

Status InsertBudget(db::Connection& c, int64_t process_id, Budget& b, int64_t position) {
  auto r = c.Exec("INSERT INTO budgets(process_id, slug, position, name, amount, currency, ballot_type, ballot_min, ballot_max, "
                  "ballot_points, ballot_max_per_project, rule, eligibility) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  {process_id, b.slug, position, b.name.ToJson().dump(), b.amount, b.currency, std::string(BallotTypeName(b.ballot.type)),
                   int64_t{b.ballot.min}, int64_t{b.ballot.max}, int64_t{b.ballot.points}, int64_t{b.ballot.max_per_project},
                   std::string(CountingRuleName(b.rule)), StoredEligibility(b.eligibility)});
  if (!r.ok()) return r.error().code == ErrorCode::kAlreadyExists ? Error::Exists("budget slug \"" + b.slug + "\" is taken") : r.error();
  b.id = c.LastInsertId();
  b.process_id = process_id;
  return {};
}

Result<std::optional<Process>> FindWith(db::Connection& c, const std::string& where, const db::Params& params) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kProcessColumns + " WHERE " + where, params));
  if (!row) return std::optional<Process>();
  Process p = ProcessFromRow(*row);
  TING_RETURN_IF_ERROR(LoadChildren(c, p));
  return std::optional<Process>(std::move(p));
}

}  // namespace

Result<std::optional<Process>> ProcessStore::FindIn(db::Connection& c, int64_t process_id) {
  return FindWith(c, "p.id = ?", {process_id});
}

Result<Phase> ProcessStore::PhaseIn(db::Connection& c, int64_t process_id, const Env& env) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT p.phase_override, o.time_zone FROM processes p "
                                             "JOIN organisations o ON o.id = p.organisation_id WHERE p.id = ?",
                                             {process_id}));
  if (!row) return Error::Say(ErrorCode::kNotFound, TING_KEY("processes.not_found"));
  Process p;
  p.id = process_id;
  if (!row->IsNull(0)) p.phase_override = ParsePhase(row->Str(0));
  if (!row->IsNull(1)) p.time_zone = row->Str(1);
  TING_RETURN_IF_ERROR(LoadPhases(c, p));
  return p.PhaseNow(env);
}

Result<std::optional<Budget>> ProcessStore::BudgetIn(db::Connection& c, int64_t budget_id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kBudgetColumns + " FROM budgets WHERE id = ?", {budget_id}));
  if (!row) return std::optional<Budget>();
  return std::optional<Budget>(BudgetFromRow(*row));
}

Result<std::optional<int64_t>> ProcessStore::BallotVersionIn(db::Connection& c, int64_t budget_id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT ballot_version FROM budgets WHERE id = ?", {budget_id}));
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(row->Int(0));
}

Result<Process> ProcessStore::Create(int64_t organisation_id, Process p) {
  p.organisation_id = organisation_id;
  int64_t now = env_.NowSeconds();
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    auto r = c.Exec("INSERT INTO processes(organisation_id, slug, title, description, phase_override, "
                    "voting_opened_at, created_at, require_verified_account, languages) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    {organisation_id, p.slug, p.title.ToJson().dump(), p.description.ToJson().dump(),
                     p.phase_override ? db::Value(std::string(PhaseName(*p.phase_override))) : db::kNull,
                     p.phase_override && *p.phase_override >= Phase::kVoting ? db::Value(now) : db::Value(int64_t{0}), now,
                     int64_t{p.require_verified_account}, p.NarrowsLanguages() ? Join(p.languages, ",") : std::string()});
    if (!r.ok()) return r.error().code == ErrorCode::kAlreadyExists ? Error::Exists("a process with slug \"" + p.slug + "\" exists") : r.error();
    p.id = c.LastInsertId();
    if (p.phase_override && *p.phase_override >= Phase::kVoting) p.voting_opened_at = now;
    TING_RETURN_IF_ERROR(WritePhases(c, p));
    int64_t pos = 0;
    for (auto& b : p.budgets) TING_RETURN_IF_ERROR(InsertBudget(c, p.id, b, pos++));
    return {};
  }));
  ProcessCache(env_).Clear();
  return p;
}

Result<std::optional<Process>> ProcessStore::Find(int64_t organisation_id, std::string_view slug) {
  CacheKey key{&db_, organisation_id, std::string(slug)};
  if (auto cached = ProcessCache(env_).Get(key)) return *cached;
  TING_ASSIGN_OR_RETURN(auto found, FindFresh(organisation_id, slug));
  ProcessCache(env_).Put(key, found);
  return found;
}

Result<std::optional<Process>> ProcessStore::FindFresh(int64_t organisation_id, std::string_view slug) {
  std::optional<Process> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(out, FindWith(c, "p.organisation_id = ? AND p.slug = ?", {organisation_id, std::string(slug)}));
    return {};
  }));
  return out;
}

Result<std::optional<Process>> ProcessStore::FindById(int64_t process_id) {
  std::optional<Process> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(out, FindWith(c, "p.id = ?", {process_id}));
    return {};
  }));
  return out;
}

Result<std::vector<Process>> ProcessStore::List(int64_t organisation_id) {
  std::vector<Process> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kProcessColumns + " WHERE p.organisation_id = ? ORDER BY p.created_at DESC, p.id DESC",
                                             {organisation_id}));
    for (const auto& r : rows) {
      Process p = ProcessFromRow(r);
      TING_RETURN_IF_ERROR(LoadChildren(c, p));
      out.push_back(std::move(p));
    }
    return {};
  }));
  return out;
}

Status ProcessStore::MarkVotingOpened(db::Connection& c, int64_t process_id, int64_t now) {
  return StatusOf(c.Exec("UPDATE processes SET voting_opened_at = ? WHERE id = ? AND voting_opened_at = 0", {now, process_id}));
}

Result<Process> ProcessStore::Update(int64_t organisation_id, std::string_view slug, const json& patch) {
  if (!patch.is_object()) return Error::Invalid("the body must be a JSON object");
  ProcessCache(env_).Clear();
  std::optional<Process> result;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto found, FindWith(c, "p.organisation_id = ? AND p.slug = ?", {organisation_id, std::string(slug)}));
    if (!found) return Error::NotFound("no process \"" + std::string(slug) + "\"");
    Process p = std::move(*found);
    const std::string today = env_.Today(p.time_zone);
    bool frozen = p.VotingHasOpened(today);
    for (const auto& [key, value] : patch.items()) {
      if (key == "title" || key == "description") {
        // Reuse the create-time validation by building a minimal body.
        json probe = {{"slug", p.slug}, {"title", key == "title" ? value : p.title.ToJson()}, {"budgets", json::array({{{"slug", "x"}, {"name", "x"}, {"amount", 1}}})}};
        if (key == "description") probe["description"] = value;
        TING_ASSIGN_OR_RETURN(Process parsed, ProcessFromJson(probe, p.languages));
        if (key == "title") {
          p.title = parsed.title;
        } else {
          p.description = parsed.description;
        }
      } else if (key == "phase") {
        if (!value.is_string()) return Error::Invalid("\"phase\" must be a phase name or \"auto\"");
        if (value == "auto") {
          p.phase_override.reset();
        } else {
          auto ph = ParsePhase(value.get<std::string>());
          if (!ph) return Error::Invalid("\"phase\" must be one of information, proposals, review, voting, results, followup, or auto");
          p.phase_override = ph;
        }
      } else if (key == "phases") {
        json probe = {{"slug", p.slug}, {"title", "x"}, {"phases", value}, {"budgets", json::array({{{"slug", "x"}, {"name", "x"}, {"amount", 1}}})}};
        TING_ASSIGN_OR_RETURN(Process parsed, ProcessFromJson(probe, p.languages));
        p.phases = parsed.phases;
      } else if (key == "budgets") {
        if (!value.is_array()) return Error::Invalid("\"budgets\" must be a list");
        for (const auto& b : value) {
          json probe = {{"slug", p.slug}, {"title", "x"}, {"budgets", json::array({b})}};
          // A partial budget patch: fill what it leaves out from the stored budget.
          const Budget* existing = b.is_object() && b.contains("slug") && b["slug"].is_string() ? p.FindBudget(b["slug"].get<std::string>()) : nullptr;
          if (existing) {
            json full = {{"slug", existing->slug}, {"name", existing->name.ToJson()}, {"amount", existing->amount},
                         {"currency", existing->currency}, {"ballot", BallotRulesToJson(existing->ballot)}, {"rule", CountingRuleName(existing->rule)},
                         {"eligibility", EligibilityToJson(existing->eligibility)}};
            for (const auto& [k, v] : b.items()) full[k] = v;
            probe["budgets"] = json::array({full});
          }
          TING_ASSIGN_OR_RETURN(Process parsed, ProcessFromJson(probe, p.languages));
          Budget nb = parsed.budgets.front();
          if (existing) {
            if (frozen && (!(nb.ballot == existing->ballot) || nb.rule != existing->rule || nb.amount != existing->amount ||
                           nb.currency != existing->currency || !(nb.eligibility == existing->eligibility)))
              return Error::Precondition("voting has opened: the amount, the ballot type, its limits, the counting rule and who may vote in budget \"" +
                                         nb.slug + "\" can no longer change");
            TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE budgets SET name = ?, amount = ?, currency = ?, ballot_type = ?, ballot_min = ?, "
                                              "ballot_max = ?, ballot_points = ?, ballot_max_per_project = ?, rule = ?, eligibility = ? WHERE id = ?",
                                              {nb.name.ToJson().dump(), nb.amount, nb.currency, std::string(BallotTypeName(nb.ballot.type)),
                                               int64_t{nb.ballot.min}, int64_t{nb.ballot.max}, int64_t{nb.ballot.points},
                                               int64_t{nb.ballot.max_per_project}, std::string(CountingRuleName(nb.rule)),
                                               StoredEligibility(nb.eligibility), existing->id})));
          } else {
            if (frozen) return Error::Precondition("voting has opened: no budget can be added");
            if (p.budgets.size() >= kMaxBudgetsPerProcess)
              return Error::Invalid("a process holds at most " + std::to_string(kMaxBudgetsPerProcess) + " budgets");
            TING_RETURN_IF_ERROR(InsertBudget(c, p.id, nb, static_cast<int64_t>(p.budgets.size())));
          }
        }
      } else if (key == "eligibility") {
        // Every budget's at once (a budget's own is set in "budgets").
        TING_ASSIGN_OR_RETURN(Eligibility e, EligibilityFromJson(value));
        for (auto& b : p.budgets) {
          if (b.eligibility == e) continue;
          if (frozen) return Error::Precondition("voting has opened: who may vote in budget \"" + b.slug + "\" can no longer change");
          TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE budgets SET eligibility = ? WHERE id = ?", {StoredEligibility(e), b.id})));
          b.eligibility = e;
        }
      } else if (key == "languages") {
        // Texts already written in a language the process leaves are kept (shown as a fallback).
        if (value.is_null()) {
          p.languages = p.organisation_languages;
        } else {
          TING_ASSIGN_OR_RETURN(p.languages, NarrowLanguages(value, p.organisation_languages));
        }
      } else if (key == "require_verified_account") {
        if (!value.is_boolean()) return Error::Invalid("\"require_verified_account\" must be true or false");
        p.require_verified_account = value.get<bool>();
      } else if (key != "slug") {
        return Error::Invalid("cannot change \"" + key + "\"");
      }
    }
    if (p.voting_opened_at == 0 && p.CurrentPhase(today) >= Phase::kVoting) p.voting_opened_at = env_.NowSeconds();
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE processes SET title = ?, description = ?, phase_override = ?, "
                                      "voting_opened_at = ?, require_verified_account = ?, languages = ? WHERE id = ?",
                                      {p.title.ToJson().dump(), p.description.ToJson().dump(),
                                       p.phase_override ? db::Value(std::string(PhaseName(*p.phase_override))) : db::kNull, p.voting_opened_at,
                                       int64_t{p.require_verified_account}, p.NarrowsLanguages() ? Join(p.languages, ",") : std::string(), p.id})));
    TING_RETURN_IF_ERROR(WritePhases(c, p));
    TING_ASSIGN_OR_RETURN(result, FindWith(c, "p.id = ?", {p.id}));
    return {};
  }));
  ProcessCache(env_).Clear();  // also after the commit, so no reader re-caches the old state
  return std::move(*result);
}

Status SetFollowingIn(db::Connection& c, const Env& env, int64_t user_id, int64_t process_id, bool follow) {
  if (!follow) return StatusOf(c.Exec("DELETE FROM process_follows WHERE user_id = ? AND process_id = ?", {user_id, process_id}));
  // A process removed meanwhile is followed by no one (no foreign-key error).
  return StatusOf(c.Exec("INSERT OR IGNORE INTO process_follows(user_id, process_id, created_at) SELECT ?, id, ? FROM processes WHERE id = ?",
                         {user_id, env.NowSeconds(), process_id}));
}

Status SetFollowing(db::Database& db, const Env& env, int64_t user_id, int64_t process_id, bool follow) {
  return db.Write([&](db::Connection& c) { return SetFollowingIn(c, env, user_id, process_id, follow); });
}

Result<bool> IsFollowing(db::Database& db, int64_t user_id, int64_t process_id) {
  bool following = false;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT 1 FROM process_follows WHERE user_id = ? AND process_id = ?", {user_id, process_id}));
    following = row.has_value();
    return {};
  }));
  return following;
}

Result<std::vector<int64_t>> FollowersIn(db::Connection& c, int64_t process_id) {
  std::vector<int64_t> out;
  TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT user_id FROM process_follows WHERE process_id = ? ORDER BY user_id", {process_id}));
  for (const auto& r : rows) out.push_back(r.Int(0));
  return out;
}

Result<std::vector<std::pair<int64_t, std::string>>> FollowedBy(db::Database& db, int64_t user_id, int64_t organisation_id) {
  std::vector<std::pair<int64_t, std::string>> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT p.id, p.slug FROM process_follows f JOIN processes p ON p.id = f.process_id "
                                             "WHERE f.user_id = ? AND p.organisation_id = ? ORDER BY p.slug",
                                             {user_id, organisation_id}));
    for (const auto& r : rows) out.emplace_back(r.Int(0), r.Str(1));
    return {};
  }));
  return out;
}

Status CheckAccountMayTakePart(const Process& p, const core::User& user) {
  if (!p.require_verified_account || user.verified()) return {};
  return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("processes.verify_account_first"));
}

}  // namespace ting::components
