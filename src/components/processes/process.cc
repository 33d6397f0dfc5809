// The process model: phases, budgets, ballot rules, and their JSON form.

#include <algorithm>
#include <ctime>
#include <limits>

#include "ting/base/money.h"

#include "ting/base/strings.h"
#include "ting/base/time.h"
#include "ting/components/processes.h"
#include "ting/web/json_fields.h"

namespace ting::components {

using json = nlohmann::json;

const std::vector<Phase>& AllPhases() {
  static const std::vector<Phase> kAll = {Phase::kInformation, Phase::kProposals, Phase::kReview,
                                          Phase::kVoting, Phase::kResults, Phase::kFollowUp};
  return kAll;
}

const char* PhaseName(Phase p) {
  switch (p) {
    case Phase::kInformation: return "information";
    case Phase::kProposals: return "proposals";
    case Phase::kReview: return "review";
    case Phase::kVoting: return "voting";
    case Phase::kResults: return "results";
    case Phase::kFollowUp: return "followup";
  }
  return "information";
}

std::optional<Phase> ParsePhase(std::string_view name) {
  for (Phase p : AllPhases())
    if (name == PhaseName(p)) return p;
  if (name == "follow-up") return Phase::kFollowUp;
  return std::nullopt;
}

const char* BallotTypeName(BallotType t) {
  switch (t) {
    case BallotType::kApproval: return "approval";
    case BallotType::kKnapsack: return "knapsack";
    case BallotType::kCumulative: return "cumulative";
    case BallotType::kRanking: return "ranking";
  }
  return "approval";
}

std::optional<BallotType> ParseBallotType(std::string_view name) {
  for (auto t : {BallotType::kApproval, BallotType::kKnapsack, BallotType::kCumulative, BallotType::kRanking})
    if (name == BallotTypeName(t)) return t;
  return std::nullopt;
}

const char* CountingRuleName(CountingRule r) { return r == CountingRule::kMes ? "mes" : "greedy"; }

std::optional<CountingRule> ParseCountingRule(std::string_view name) {
  if (name == "greedy") return CountingRule::kGreedy;
  if (name == "mes") return CountingRule::kMes;
  return std::nullopt;
}


Phase Process::CurrentPhase(const std::string& today) const {
  if (phase_override) return *phase_override;
  std::optional<Phase> current;
  for (const auto& pd : phases)
    if (!pd.starts_on.empty() && pd.starts_on <= today) current = pd.phase;
  if (current) return *current;
  return phases.empty() ? Phase::kInformation : phases.front().phase;
}

bool Process::HasPhase(Phase p) const {
  for (const auto& pd : phases)
    if (pd.phase == p) return true;
  return false;
}

const Budget* Process::FindBudget(std::string_view slug) const {
  for (const auto& b : budgets)
    if (b.slug == slug) return &b;
  return nullptr;
}

namespace {

bool ValidSlug(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return s.front() != '-' && s.back() != '-';
}

bool ValidDate(const std::string& d) { return d.empty() || IsCalendarDate(d); }

std::optional<int64_t> JsonInt(const json& v) {
  if (auto n = web::JsonInt64(v)) return n;
  if (v.is_string()) return ParseInt64(v.get<std::string>());
  return std::nullopt;
}

}  // namespace

Result<BallotRules> BallotRulesFromJson(const json& j) {
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
    return Error::Invalid("\"ballot\" must be an object with a \"type\": approval, knapsack, cumulative or ranking");
  auto type = ParseBallotType(j["type"].get<std::string>());
  if (!type) return Error::Invalid("unknown ballot type \"" + j["type"].get<std::string>() + "\" (approval, knapsack, cumulative or ranking)");
  BallotRules r;
  r.type = *type;
  auto read = [&](const char* name, int& out) -> Status {
    if (!j.contains(name)) return {};
    auto v = JsonInt(j[name]);
    if (!v || *v < 0 || *v > 100000) return Error::Invalid(std::string("ballot \"") + name + "\" must be a whole number from 0");
    out = static_cast<int>(*v);
    return {};
  };
  TING_RETURN_IF_ERROR(read("min", r.min));
  TING_RETURN_IF_ERROR(read("max", r.max));
  TING_RETURN_IF_ERROR(read("points", r.points));
  TING_RETURN_IF_ERROR(read("max_per_project", r.max_per_project));
  if (r.type == BallotType::kCumulative && r.points <= 0) return Error::Invalid("a cumulative ballot needs \"points\" > 0");
  if ((r.type == BallotType::kApproval || r.type == BallotType::kRanking) && r.max && r.min > r.max)
    return Error::Invalid("ballot \"min\" is larger than \"max\"");
  return r;
}

Result<Eligibility> EligibilityFromJson(const json& j) {
  Eligibility e;
  if (j.is_null()) return e;
  if (!j.is_object())
    return Error::Invalid("\"eligibility\" must be an object: {\"register\": true, \"districts\": [...], \"min_age\": 12, \"max_age\": null, \"per\": \"person\"}");
  for (const auto& [key, value] : j.items()) {
    if (key == "register") {
      if (!value.is_boolean()) return Error::Invalid("eligibility \"register\" must be true or false");
      e.register_only = value.get<bool>();
    } else if (key == "districts") {
      if (value.is_null()) continue;
      if (!value.is_array() || value.size() > 1000) return Error::Invalid("eligibility \"districts\" must be a list of district names");
      for (const auto& d : value) {
        if (!d.is_string() || d.get<std::string>().empty() || d.get<std::string>().size() > 200)
          return Error::Invalid("eligibility \"districts\" must be a list of district names");
        if (std::find(e.districts.begin(), e.districts.end(), d.get<std::string>()) == e.districts.end()) e.districts.push_back(d.get<std::string>());
      }
    } else if (key == "min_age" || key == "max_age") {
      if (value.is_null()) continue;
      auto n = web::JsonInt64(value);
      if (!n || *n < 0 || *n > 150) return Error::Invalid("eligibility \"" + key + "\" must be a whole number of years from 0 to 150, or null");
      (key == "min_age" ? e.min_age : e.max_age) = static_cast<int>(*n);
    } else if (key == "per") {
      if (!value.is_string() || (value != "person" && value != "household"))
        return Error::Invalid("eligibility \"per\" must be \"person\" or \"household\"");
      e.per_household = value == "household";
    } else {
      return Error::Invalid("eligibility has no \"" + key + "\" (register, districts, min_age, max_age, per)");
    }
  }
  if (e.min_age && e.max_age && *e.min_age > *e.max_age) return Error::Invalid("eligibility \"min_age\" is larger than \"max_age\"");
  if (!e.register_only && (!e.districts.empty() || e.min_age || e.max_age || e.per_household))
    return Error::Invalid("eligibility by district, age or household needs \"register\": true (the register is where they are known from)");
  std::sort(e.districts.begin(), e.districts.end());
  return e;
}

json EligibilityToJson(const Eligibility& e) {
  if (e.Open()) return nullptr;
  return {{"register", true},
          {"districts", e.districts},
          {"min_age", e.min_age ? json(*e.min_age) : json(nullptr)},
          {"max_age", e.max_age ? json(*e.max_age) : json(nullptr)},
          {"per", e.per_household ? "household" : "person"}};
}

std::optional<Ineligible> CheckEligibility(const Eligibility& e, bool in_register, std::string_view district,
                                           std::string_view birth_date, std::string_view today) {
  if (e.Open()) return std::nullopt;
  if (!in_register) return Ineligible::kRegister;
  if (!e.districts.empty() && !std::binary_search(e.districts.begin(), e.districts.end(), district)) return Ineligible::kDistrict;
  if (e.min_age || e.max_age) {
    auto age = AgeOn(birth_date, today);  // no birth date in the register: the age cannot be shown
    if (!age || (e.min_age && *age < *e.min_age) || (e.max_age && *age > *e.max_age)) return Ineligible::kAge;
  }
  return std::nullopt;
}

const char* IneligibleName(Ineligible why) {
  switch (why) {
    case Ineligible::kRegister: return "register";
    case Ineligible::kDistrict: return "district";
    case Ineligible::kAge: return "age";
  }
  return "register";
}

std::optional<int> AgeOn(std::string_view birth_date, std::string_view today) {
  auto part = [](std::string_view d, size_t at, size_t n) { return ParseInt64(d.substr(at, n)); };
  if (birth_date.size() != 10 || today.size() != 10) return std::nullopt;
  auto by = part(birth_date, 0, 4), bm = part(birth_date, 5, 2), bd = part(birth_date, 8, 2);
  auto ty = part(today, 0, 4), tm = part(today, 5, 2), td = part(today, 8, 2);
  if (!by || !bm || !bd || !ty || !tm || !td) return std::nullopt;
  int64_t age = *ty - *by;
  if (*tm < *bm || (*tm == *bm && *td < *bd)) --age;  // a birthday on 29 February comes on 1 March
  if (age < 0 || age > 200) return std::nullopt;
  return static_cast<int>(age);
}

json BallotRulesToJson(const BallotRules& r) {
  json j = {{"type", BallotTypeName(r.type)}};
  if (r.type == BallotType::kApproval || r.type == BallotType::kRanking) {
    if (r.min) j["min"] = r.min;
    if (r.max) j["max"] = r.max;
  }
  if (r.type == BallotType::kCumulative) {
    j["points"] = r.points;
    if (r.max_per_project) j["max_per_project"] = r.max_per_project;
  }
  return j;
}

static Result<Budget> BudgetFromJson(const json& b, const std::vector<std::string>& languages, const Eligibility& inherited) {
  if (!b.is_object()) return Error::Invalid("each budget must be an object");
  Budget budget;
  if (!b.contains("slug") || !b["slug"].is_string() || !ValidSlug(b["slug"].get<std::string>()))
    return Error::Invalid("budget \"slug\" must be lower-case letters, digits and dashes");
  budget.slug = b["slug"].get<std::string>();
  if (Status named = ReadTranslated(b, "name", languages, budget.name, /*required=*/true); !named.ok())
    return Error::Invalid("budget " + budget.slug + ": " + named.error().message);
  auto amount = b.contains("amount") ? JsonInt(b["amount"]) : std::nullopt;
  if (!amount || *amount <= 0 || *amount > kMaxAmountMinor)
    return Error::Invalid("budget " + budget.slug + ": \"amount\" must be a positive whole number of minor units, at most " +
                          std::to_string(kMaxAmountMinor));
  budget.amount = *amount;
  if (b.contains("currency")) {
    if (!b["currency"].is_string() || b["currency"].get<std::string>().size() != 3)
      return Error::Invalid("budget " + budget.slug + ": \"currency\" must be a three-letter code such as SEK");
    budget.currency = b["currency"].get<std::string>();
  }
  auto ballot = BallotRulesFromJson(b.contains("ballot") ? b["ballot"] : json{{"type", "approval"}});
  if (!ballot.ok()) return ballot.error().At("budget " + budget.slug);
  budget.ballot = *ballot;
  std::string rule = b.contains("rule") && b["rule"].is_string() ? b["rule"].get<std::string>() : "greedy";
  auto parsed = ParseCountingRule(rule);
  if (!parsed) return Error::Invalid("budget " + budget.slug + ": \"rule\" must be greedy or mes");
  budget.rule = *parsed;
  budget.eligibility = inherited;
  if (b.contains("eligibility")) {
    auto eligibility = EligibilityFromJson(b["eligibility"]);
    if (!eligibility.ok()) return eligibility.error().At("budget " + budget.slug);
    budget.eligibility = *eligibility;
  }
  return budget;
}

static Status PhasesFromJson(const json& j, Process& p) {
  if (!j.is_array()) return Error::Invalid("\"phases\" must be a list of {\"phase\", \"start\", \"end\"}");
  p.phases.clear();
  for (const auto& item : j) {
    // A phase is "name" or {"phase": "name", "start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}.
    auto text = [&](const char* key) -> std::optional<std::string> {
      if (!item.is_object() || !item.contains(key) || item[key].is_null()) return std::string();
      if (!item[key].is_string()) return std::nullopt;
      return item[key].get<std::string>();
    };
    if (!item.is_string() && !item.is_object()) return Error::Invalid("each phase must be a name or {\"phase\", \"start\", \"end\"}");
    auto name_field = item.is_string() ? std::optional(item.get<std::string>()) : text("phase");
    auto start = text("start"), end = text("end");
    if (!name_field || !start || !end) return Error::Invalid("a phase's \"phase\", \"start\" and \"end\" must be text");
    std::string name = *name_field;
    auto phase = ParsePhase(name);
    if (!phase) return Error::Invalid("unknown phase \"" + name + "\"");
    PhaseDates pd{*phase, *start, *end};
    if (!ValidDate(pd.starts_on) || !ValidDate(pd.ends_on)) return Error::Invalid("phase " + name + ": dates must be YYYY-MM-DD");
    if (!pd.starts_on.empty() && !pd.ends_on.empty() && pd.ends_on < pd.starts_on)
      return Error::Invalid("phase " + name + ": ends before it starts");
    p.phases.push_back(pd);
  }
  std::sort(p.phases.begin(), p.phases.end(), [](const PhaseDates& a, const PhaseDates& b) { return a.phase < b.phase; });
  for (size_t i = 1; i < p.phases.size(); ++i)
    if (p.phases[i].phase == p.phases[i - 1].phase) return Error::Invalid(std::string("phase ") + PhaseName(p.phases[i].phase) + " is listed twice");
  return {};
}

Result<std::vector<std::string>> NarrowLanguages(const json& j, const std::vector<std::string>& organisation_languages) {
  auto wrong = Error::Invalid("\"languages\" must list some of the organisation's languages (" + Join(organisation_languages, ", ") +
                              "), the default first, each once");
  if (!j.is_array() || j.empty()) return wrong;
  std::vector<std::string> out;
  for (const auto& code : j) {
    if (!code.is_string()) return wrong;
    const std::string c = code.get<std::string>();
    if (std::find(organisation_languages.begin(), organisation_languages.end(), c) == organisation_languages.end() ||
        std::find(out.begin(), out.end(), c) != out.end())
      return wrong;
    out.push_back(c);
  }
  return out;
}

Result<Process> ProcessFromJson(const json& body, const std::vector<std::string>& organisation_languages) {
  Process p;
  if (!body.contains("slug") || !body["slug"].is_string() || !ValidSlug(body["slug"].get<std::string>()))
    return Error::Invalid("\"slug\" must be 1-64 lower-case letters, digits and dashes");
  p.slug = body["slug"].get<std::string>();
  p.organisation_languages = organisation_languages;
  p.languages = organisation_languages;
  if (body.contains("languages") && !body["languages"].is_null()) {
    TING_ASSIGN_OR_RETURN(p.languages, NarrowLanguages(body["languages"], organisation_languages));
  }
  const std::vector<std::string>& languages = p.languages;
  TING_RETURN_IF_ERROR(ReadTranslated(body, "title", languages, p.title, true));
  TING_RETURN_IF_ERROR(ReadTranslated(body, "description", languages, p.description, false));
  if (body.contains("phases")) {
    TING_RETURN_IF_ERROR(PhasesFromJson(body["phases"], p));
  } else {
    for (Phase ph : AllPhases()) p.phases.push_back({ph, "", ""});
  }
  if (body.contains("phase")) {
    if (!body["phase"].is_string() || !ParsePhase(body["phase"].get<std::string>()))
      return Error::Invalid("\"phase\" must be one of information, proposals, review, voting, results, followup");
    p.phase_override = ParsePhase(body["phase"].get<std::string>());
  }
  if (body.contains("require_verified_account")) {
    if (!body["require_verified_account"].is_boolean()) return Error::Invalid("\"require_verified_account\" must be true or false");
    p.require_verified_account = body["require_verified_account"].get<bool>();
  }
  if (!body.contains("budgets") || !body["budgets"].is_array() || body["budgets"].empty())
    return Error::Invalid("\"budgets\" must list at least one budget");
  if (body["budgets"].size() > kMaxBudgetsPerProcess)
    return Error::Invalid("a process holds at most " + std::to_string(kMaxBudgetsPerProcess) + " budgets");
  // A process's eligibility is the default of its budgets; a budget may say its own.
  Eligibility inherited;
  if (body.contains("eligibility")) {
    TING_ASSIGN_OR_RETURN(inherited, EligibilityFromJson(body["eligibility"]));
  }
  for (const auto& b : body["budgets"]) {
    TING_ASSIGN_OR_RETURN(Budget budget, BudgetFromJson(b, languages, inherited));
    budget.default_language = languages.front();
    if (p.FindBudget(budget.slug)) return Error::Invalid("budget slug \"" + budget.slug + "\" is used twice");
    p.budgets.push_back(std::move(budget));
  }
  return p;
}

json ProcessToJson(const Process& p, const std::string& today) {
  json phases = json::array();
  for (const auto& pd : p.phases) phases.push_back({{"phase", PhaseName(pd.phase)}, {"start", pd.starts_on}, {"end", pd.ends_on}});
  json budgets = json::array();
  for (const auto& b : p.budgets) {
    budgets.push_back({{"slug", b.slug}, {"name", b.name.ToJson()}, {"amount", b.amount},
                       {"currency", b.currency}, {"ballot", BallotRulesToJson(b.ballot)}, {"rule", CountingRuleName(b.rule)},
                       {"eligibility", EligibilityToJson(b.eligibility)}});
  }
  return {{"slug", p.slug},
          {"title", p.title.ToJson()},
          {"description", p.description.ToJson()},
          {"phase", PhaseName(p.CurrentPhase(today))},
          {"phase_set_by_hand", p.phase_override.has_value()},
          {"phases", phases},
          {"budgets", budgets},
          {"voting_has_opened", p.VotingHasOpened(today)},
          {"require_verified_account", p.require_verified_account},
          {"languages", p.languages}};
}

}  // namespace ting::components
