// Stored results: the outcome of the last count of each budget.

#include "ting/base/strings.h"
#include "ting/base/keys.h"
#include "ting/components/results.h"
#include "ting/core/accounts.h"

namespace ting::components {

using json = nlohmann::json;

namespace {

// Results counted before explanations carried a "stage" hold string values only. Their greedy
// explanations were true and keep their sentences; their Equal Shares ones were not (projects
// funded by Equal Shares were said to be funded with money left over, and the percentage of an
// unfunded one was taken at some other project's price), so those keep only the facts and
// say that counting again gives the explanation.
void UpgradeLegacyExplanation(const std::string& rule, ProjectOutcome* o) {
  json& vars = o->vars;
  if (rule == "mes" && o->explanation_key != TING_KEY("results.explain.no_votes")) {
    json cost = vars.value("cost", json(std::to_string(o->cost)));
    vars = json::object({{"cost", cost}});
    o->explanation_key = o->funded ? TING_KEY("results.explain.outdated_funded") : TING_KEY("results.explain.outdated_not_funded");
  }
  vars["stage"] = !o->funded ? "not_funded" : rule == "mes" ? "mes" : "greedy";
}

}  // namespace

json BallotReport::ToJson() const {
  json list = json::array();
  for (const auto& r : removed)
    list.push_back({{"id", r.id}, {"title", r.title}, {"reason", r.reason}, {"removed_at", r.removed_at}, {"ballots", r.ballots}});
  return {{"ballots", ballots}, {"counted_in_full", counted_in_full}, {"counted_in_part", counted_in_part},
          {"counted_for_nothing", counted_for_nothing}, {"removed", list}};
}

BallotReport BallotReport::FromJson(const json& j) {
  BallotReport r;
  if (!j.is_object()) return r;
  auto number = [](const json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_number_integer() ? it->get<int64_t>() : int64_t{0};
  };
  auto text = [](const json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  r.ballots = number(j, "ballots");
  r.counted_in_full = number(j, "counted_in_full");
  r.counted_in_part = number(j, "counted_in_part");
  r.counted_for_nothing = number(j, "counted_for_nothing");
  if (auto it = j.find("removed"); it != j.end() && it->is_array())
    for (const auto& x : *it)
      if (x.is_object()) r.removed.push_back({number(x, "id"), text(x, "title"), text(x, "reason"), number(x, "removed_at"), number(x, "ballots")});
  return r;
}

json BudgetResult::ToJson() const {
  json projects_json = json::array();
  for (const auto& p : projects) {
    projects_json.push_back({{"id", p.id}, {"title", p.title}, {"cost", p.cost}, {"votes", p.votes}, {"funded", p.funded},
                             {"position", p.position}, {"money_left_at_turn", p.money_left_at_turn},
                             {"explanation_key", p.explanation_key}, {"explanation_vars", p.vars}});
  }
  return {{"rule", rule}, {"budget", budget}, {"currency", currency}, {"ballots", ballots}, {"channels", channels}, {"selected", selected},
          {"spent", spent}, {"projects", projects_json}, {"counted_at", counted_at}, {"ballot_report", ballot_report.ToJson()}};
}

Result<BudgetResult> BudgetResult::FromJson(const json& j) {
  try {
    BudgetResult r;
    r.rule = j.at("rule").get<std::string>();
    r.budget = j.at("budget").get<int64_t>();
    r.currency = j.at("currency").get<std::string>();
    r.ballots = j.at("ballots").get<int64_t>();
    if (auto it = j.find("channels"); it != j.end() && it->is_object())
      for (const auto& [channel, n] : it->items())
        if (n.is_number_integer()) r.channels[channel] = n.get<int64_t>();
    r.selected = j.at("selected").get<std::vector<int64_t>>();
    r.spent = j.at("spent").get<int64_t>();
    r.counted_at = j.value("counted_at", int64_t{0});
    for (const auto& p : j.at("projects")) {
      ProjectOutcome o;
      o.id = p.at("id").get<int64_t>();
      o.title = p.at("title").get<std::string>();
      o.cost = p.at("cost").get<int64_t>();
      o.votes = p.at("votes").get<int64_t>();
      o.funded = p.at("funded").get<bool>();
      o.position = p.at("position").get<int>();
      o.money_left_at_turn = p.value("money_left_at_turn", int64_t{0});
      o.explanation_key = p.at("explanation_key").get<std::string>();
      o.vars = p.at("explanation_vars");
      if (!o.vars.is_object()) return Error::Internal("stored result is damaged: explanation_vars is not an object");
      if (!o.vars.contains("stage")) UpgradeLegacyExplanation(r.rule, &o);
      r.projects.push_back(std::move(o));
    }
    if (auto it = j.find("ballot_report"); it != j.end()) {
      r.ballot_report = BallotReport::FromJson(*it);
    } else {  // counted before the report existed: every ballot was counted as stored
      r.ballot_report.ballots = r.ballot_report.counted_in_full = r.ballots;
    }
    return r;
  } catch (const json::exception& e) {
    return Error::Internal(std::string("stored result is damaged: ") + e.what());
  }
}

Result<std::optional<BudgetResult>> LoadResult(db::Database& db, int64_t budget_id) {
  std::optional<BudgetResult> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT outcome FROM results WHERE budget_id = ?", {budget_id}));
    if (!row) return {};
    auto j = json::parse(row->Str(0), nullptr, false);
    TING_ASSIGN_OR_RETURN(auto r, BudgetResult::FromJson(j));
    out = std::move(r);
    return {};
  }));
  return out;
}

Result<std::vector<int64_t>> FundedProjects(db::Connection& c, int64_t budget_id) {
  std::vector<int64_t> out;
  TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT proposal_id FROM funded_projects WHERE budget_id = ? ORDER BY position", {budget_id}));
  for (const auto& r : rows) out.push_back(r.Int(0));
  return out;
}

}  // namespace ting::components
