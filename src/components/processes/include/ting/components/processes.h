#pragma once
// Processes (one participatory budget each), their phases and their budgets. Other components
// look processes and budgets up through ProcessStore.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ting/base/env.h"
#include "ting/base/result.h"
#include "ting/core/accounts.h"
#include "ting/base/translated.h"
#include "ting/web/component.h"
#include "ting/db/database.h"

namespace ting::components {

enum class Phase { kInformation, kProposals, kReview, kVoting, kResults, kFollowUp };
constexpr int kPhaseCount = 6;
const char* PhaseName(Phase p);  // "information", "proposals", "review", "voting", "results", "followup"
std::optional<Phase> ParsePhase(std::string_view name);
const std::vector<Phase>& AllPhases();

struct PhaseDates {
  Phase phase;
  std::string starts_on, ends_on;  // "YYYY-MM-DD" or empty
};

enum class BallotType { kApproval, kKnapsack, kCumulative, kRanking };
const char* BallotTypeName(BallotType t);
std::optional<BallotType> ParseBallotType(std::string_view name);

enum class CountingRule { kGreedy, kMes };
const char* CountingRuleName(CountingRule r);
std::optional<CountingRule> ParseCountingRule(std::string_view name);

struct BallotRules {
  BallotType type = BallotType::kApproval;
  int min = 0;              // approval/ranking: fewest choices (0 = none required)
  int max = 0;              // approval/ranking: most choices (0 = no limit)
  int points = 0;           // cumulative: points to spread
  int max_per_project = 0;  // cumulative: most points on one project (0 = no limit)
  bool operator==(const BallotRules&) const = default;
};

// Who may vote in a budget. Without "register", any signed-in account may (as before residents);
// districts, ages and households need the register, which is where they are known from.
struct Eligibility {
  bool register_only = false;          // "register": only people in the organisation's register
  std::vector<std::string> districts;  // of residence, from the register; empty: every district
  std::optional<int> min_age, max_age; // years on the day the ballot is cast (organisation's time zone)
  bool per_household = false;          // "per": "household": one ballot per household
  bool operator==(const Eligibility&) const = default;
  bool Open() const { return !register_only; }
};
nlohmann::json EligibilityToJson(const Eligibility& e);  // null when open
Result<Eligibility> EligibilityFromJson(const nlohmann::json& j);
// Why a person may not vote under e (nullopt: they may). in_register: the person is a register
// person (with their district and birth date); today: the local date the ballot is cast on.
enum class Ineligible { kRegister, kDistrict, kAge };
std::optional<Ineligible> CheckEligibility(const Eligibility& e, bool in_register, std::string_view district,
                                           std::string_view birth_date, std::string_view today);
const char* IneligibleName(Ineligible why);  // "register", "district", "age"
// Whole years from birth_date to today (both "YYYY-MM-DD"); nullopt when birth_date is not a date.
std::optional<int> AgeOn(std::string_view birth_date, std::string_view today);

struct Budget {
  int64_t id = 0;
  int64_t process_id = 0;
  std::string slug;
  Translated name;                     // in the organisation's content languages
  std::string default_language = "sv";  // the organisation's, for the fallback
  int64_t amount = 0;  // minor units
  std::string currency = "SEK";
  BallotRules ballot;
  CountingRule rule = CountingRule::kGreedy;
  Eligibility eligibility;  // frozen with the ballot rules once voting opens
  // Changes (in the database, by triggers) whenever the amount, the ballot rules, the counting
  // rule or the set or costs of the projects on its ballot change: a copy of the ballot read at
  // the same version is still exact.
  int64_t ballot_version = 0;
  const std::string& Name(std::string_view lang) const { return name.Get(lang, default_language); }
};

// Budgets one process may hold (a city's districts or wards); keeps every sum of budget amounts
// far inside int64.
inline constexpr size_t kMaxBudgetsPerProcess = 100;

struct Process {
  int64_t id = 0;
  int64_t organisation_id = 0;
  std::string slug;
  Translated title, description;  // in the organisation's content languages
  std::optional<Phase> phase_override;  // set by hand; otherwise the dates decide
  std::vector<PhaseDates> phases;       // in phase order; a skipped phase is absent
  std::vector<Budget> budgets;
  int64_t voting_opened_at = 0;         // first time voting opened (0: never); freezes ballot rules
  std::string time_zone = kDefaultTimeZone;  // its organisation's: dates are local to it
  // Its languages, default first: its organisation's, or those of them the process narrows to
  // ("languages" in the API); its texts and proposals are written in these.
  std::vector<std::string> languages = {"sv", "en"};
  std::vector<std::string> organisation_languages = {"sv", "en"};
  bool NarrowsLanguages() const { return languages != organisation_languages; }
  // Only verified accounts (a confirmed email address, or eID) may propose, support and vote
  // with their account (codes and the desk are verified by their own means).
  bool require_verified_account = false;

  // The phase today ("YYYY-MM-DD"): the override if set, else the last phase whose start date
  // has come, else the first phase.
  Phase CurrentPhase(const std::string& today) const;
  bool HasPhase(Phase p) const;
  // The phase now, by the local date in the process's time zone.
  Phase PhaseNow(const Env& env) const { return CurrentPhase(env.Today(time_zone)); }
  const std::string& default_language() const { return languages.front(); }
  // The text in lang, else in the organisation's default language, else any.
  const std::string& Title(std::string_view lang) const { return title.Get(lang, default_language()); }
  const std::string& Description(std::string_view lang) const { return description.Get(lang, default_language()); }
  const Budget* FindBudget(std::string_view slug) const;
  // Ballot rules freeze once voting has opened: by phase, by date, or by a cast ballot.
  bool VotingHasOpened(const std::string& today) const {
    return voting_opened_at != 0 || CurrentPhase(today) >= Phase::kVoting;
  }
};


// Validates the JSON form of a process (the API's and the admin form's) into a Process.
// Translatable fields (title, description, a budget's name) are {"sv": ..., "ar": ...} in any of
// languages (the organisation's, default first), or a plain string meaning the default language.
// Errors are kInvalidArgument with a message for a person (English; field named).
// "languages" (optional) narrows them: some of languages, the default first.
Result<Process> ProcessFromJson(const nlohmann::json& body, const std::vector<std::string>& languages = {"sv", "en"});
// A narrowing of the organisation's languages: a non-empty list of them without repeats.
Result<std::vector<std::string>> NarrowLanguages(const nlohmann::json& j, const std::vector<std::string>& organisation_languages);
nlohmann::json ProcessToJson(const Process& p, const std::string& today);
nlohmann::json BallotRulesToJson(const BallotRules& r);
Result<BallotRules> BallotRulesFromJson(const nlohmann::json& j);

// Following a process: news of it (its phases, its newsletters) by notification and mail.
Status SetFollowing(db::Database& db, const Env& env, int64_t user_id, int64_t process_id, bool follow);
Status SetFollowingIn(db::Connection& c, const Env& env, int64_t user_id, int64_t process_id, bool follow);  // in the caller's transaction
Result<bool> IsFollowing(db::Database& db, int64_t user_id, int64_t process_id);
// The accounts following a process, in the caller's transaction.
Result<std::vector<int64_t>> FollowersIn(db::Connection& c, int64_t process_id);
// The processes of an organisation an account follows: (id, slug).
Result<std::vector<std::pair<int64_t, std::string>>> FollowedBy(db::Database& db, int64_t user_id, int64_t organisation_id);

// OK when the account may take part in the process (propose, support, vote with it); else
// kPermissionDenied telling the person to verify their address first.
Status CheckAccountMayTakePart(const Process& p, const core::User& user);

class ProcessStore {
 public:
  ProcessStore(db::Database& db, Env& env) : db_(db), env_(env) {}

  // kAlreadyExists when the slug (or a budget slug within it) is taken.
  Result<Process> Create(int64_t organisation_id, Process p);
  // Every page reads its process, so Find answers from a short cache shared by every store in
  // the program and cleared by every change made through one. (Another server process on the
  // same database sees a change within a second.) Exact checks (a ballot's phase) read inside
  // their own transaction instead.
  Result<std::optional<Process>> Find(int64_t organisation_id, std::string_view slug);
  Result<std::optional<Process>> FindById(int64_t process_id);
  Result<std::vector<Process>> List(int64_t organisation_id);

  // Applies a PATCH: title, description, phase ("auto" clears the override), phases,
  // budgets (by slug; new slugs are added), eligibility (of every budget). A budget's ballot
  // rules, counting rule and eligibility are frozen once voting has opened: changing them is
  // kFailedPrecondition.
  Result<Process> Update(int64_t organisation_id, std::string_view slug, const nlohmann::json& patch);

  // Records that voting has opened (idempotent); the ballot component calls it with each
  // ballot, inside the ballot's own write.
  static Status MarkVotingOpened(db::Connection& c, int64_t process_id, int64_t now);

  // Reads past the cache.
  Result<std::optional<Process>> FindFresh(int64_t organisation_id, std::string_view slug);
  // Reads a process inside a caller's transaction (exact checks: is the ballot frozen?).
  static Result<std::optional<Process>> FindIn(db::Connection& c, int64_t process_id);
  // The current phase of a process, read inside a caller's transaction (2 small queries).
  static Result<Phase> PhaseIn(db::Connection& c, int64_t process_id, const Env& env);
  // One budget and its ballot version, inside a caller's transaction.
  static Result<std::optional<Budget>> BudgetIn(db::Connection& c, int64_t budget_id);
  // Only the ballot version of a budget (one indexed read), or nullopt when it is gone.
  static Result<std::optional<int64_t>> BallotVersionIn(db::Connection& c, int64_t budget_id);

 private:
  db::Database& db_;
  Env& env_;
};

// Texts shown with processes and budgets, in the request's language.
std::string PhaseLabel(const web::Site& site, const web::Context& ctx, Phase p);
std::string BallotText(const web::Site& site, const web::Context& ctx, const BallotRules& r);
std::string RuleText(const web::Site& site, const web::Context& ctx, CountingRule r);
// Who may vote, in words: "Anyone with an account", or "People in the register, aged 12 or
// over, living in norr; one ballot per household".
std::string EligibilityText(const web::Site& site, const web::Context& ctx, const Eligibility& e);

// The process named in the path for the request's organisation, or kNotFound
// ("processes.not_found").
Result<Process> FindProcess(ProcessStore& store, const web::Context& ctx, const std::string& slug);

web::Manifest ProcessesManifest();

}  // namespace ting::components
