#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>
#include <set>

#include "ting/base/strings.h"
#include "ting/base/keys.h"
#include "ting/components/voting.h"
#include "ting/web/site.h"

namespace ting::components {

using json = nlohmann::json;

namespace {

Result<int64_t> ProjectId(const json& v) {
  if (auto id = web::JsonInt64(v)) return *id;
  if (v.is_string())
    if (auto id = ParseInt64(v.get<std::string>())) return *id;
  return Error::Invalid("project ids must be whole numbers");
}

Result<std::vector<int64_t>> IdList(const json& j, const char* field) {
  if (!j.contains(field) || !j[field].is_array())
    return Error::Invalid(std::string("the ballot must have \"") + field + "\": a list of project ids");
  std::vector<int64_t> out;
  for (const auto& v : j[field]) {
    TING_ASSIGN_OR_RETURN(int64_t id, ProjectId(v));
    out.push_back(id);
  }
  return out;
}

}  // namespace

json Ballot::ToJson() const {
  switch (type) {
    case BallotType::kApproval:
    case BallotType::kKnapsack: return {{"projects", projects}};
    case BallotType::kRanking: return {{"ranking", projects}};
    case BallotType::kCumulative: {
      json p = json::object();
      for (const auto& [id, n] : points) p[std::to_string(id)] = n;
      return {{"points", p}};
    }
  }
  return json::object();
}

Result<Ballot> Ballot::FromJson(BallotType type, const json& j) {
  if (!j.is_object()) return Error::Invalid("the ballot must be a JSON object");
  Ballot b;
  b.type = type;
  switch (type) {
    case BallotType::kApproval:
    case BallotType::kKnapsack: {
      TING_ASSIGN_OR_RETURN(b.projects, IdList(j, "projects"));
      std::sort(b.projects.begin(), b.projects.end());  // a choice has no order
      break;
    }
    case BallotType::kRanking: {
      TING_ASSIGN_OR_RETURN(b.projects, IdList(j, "ranking"));
      break;
    }
    case BallotType::kCumulative: {
      if (!j.contains("points") || !j["points"].is_object())
        return Error::Invalid("the ballot must have \"points\": {\"project id\": points, ...}");
      for (const auto& [key, value] : j["points"].items()) {
        auto id = ParseInt64(key);
        if (!id) return Error::Invalid("project ids must be whole numbers");
        auto n = web::JsonInt64(value);
        if (!n || *n < 0) return Error::Invalid("points must be whole numbers from 0");
        if (b.points.count(*id)) return Error::Invalid("project " + key + " is given points twice");
        if (*n > 0) b.points[*id] = *n;
      }
      break;
    }
  }
  return b;
}

std::optional<BallotProblem> ValidateBallot(const Ballot& ballot, const Budget& budget, const std::vector<Project>& projects) {
  assert(std::is_sorted(projects.begin(), projects.end(), [](const Project& a, const Project& b) { return a.id < b.id; }));
  auto find = [&](int64_t id) -> const Project* {  // projects are in id order: no map per ballot
    auto it = std::lower_bound(projects.begin(), projects.end(), id, [](const Project& p, int64_t v) { return p.id < v; });
    return it != projects.end() && it->id == id ? &*it : nullptr;
  };
  auto unknown = [&](int64_t id) -> std::optional<BallotProblem> {
    if (!find(id)) return BallotProblem{TING_KEY("ballot.problem.unknown_project"), {{"id", std::to_string(id)}}};
    return std::nullopt;
  };
  const BallotRules& rules = budget.ballot;
  if (ballot.type != rules.type) return BallotProblem{TING_KEY("ballot.problem.wrong_type"), {}};
  if (ballot.type == BallotType::kCumulative) {
    // Every limit holds with checked arithmetic: no project gets more than the ballot's points
    // (or the per-project maximum), and the sum is computed without wrapping.
    const int64_t per_project = rules.max_per_project ? std::min<int64_t>(rules.max_per_project, rules.points) : rules.points;
    int64_t total = 0;
    for (const auto& [id, n] : ballot.points) {
      if (auto u = unknown(id)) return u;
      if (n < 0) return BallotProblem{TING_KEY("ballot.problem.points_number"), {}};
      if (n > per_project) {
        if (rules.max_per_project && rules.max_per_project < rules.points)
          return BallotProblem{TING_KEY("ballot.problem.too_many_on_one"), {{"max", std::to_string(rules.max_per_project)}}};
        return BallotProblem{TING_KEY("ballot.problem.too_many_points"), {{"points", std::to_string(rules.points)}, {"used", std::to_string(n)}}};
      }
      auto sum = CheckedAdd(total, n);
      if (!sum || *sum > rules.points)
        return BallotProblem{TING_KEY("ballot.problem.too_many_points"),
                             {{"points", std::to_string(rules.points)}, {"used", sum ? std::to_string(*sum) : std::string("> ") + std::to_string(rules.points)}}};
      total = *sum;
    }
    return std::nullopt;
  }
  std::set<int64_t> seen;
  for (int64_t id : ballot.projects) {
    if (auto u = unknown(id)) return u;
    if (!seen.insert(id).second) return BallotProblem{TING_KEY("ballot.problem.duplicate"), {{"id", std::to_string(id)}}};
  }
  int64_t n = static_cast<int64_t>(ballot.projects.size());
  if (ballot.type == BallotType::kKnapsack) {
    int64_t cost = 0;
    bool overflow = false;
    for (int64_t id : ballot.projects) {
      auto sum = CheckedAdd(cost, find(id)->cost);
      if (!sum) overflow = true;  // more than any budget can be
      cost = sum.value_or(std::numeric_limits<int64_t>::max());
    }
    if (overflow || cost > budget.amount)
      return BallotProblem{TING_KEY("ballot.problem.over_budget"), {{"cost", std::to_string(cost)}, {"amount", std::to_string(budget.amount)}}};
    return std::nullopt;
  }
  if (rules.max && n > rules.max) return BallotProblem{TING_KEY("ballot.problem.too_many"), {{"max", std::to_string(rules.max)}, {"count", std::to_string(n)}}};
  if (rules.min && n < rules.min) return BallotProblem{TING_KEY("ballot.problem.too_few"), {{"min", std::to_string(rules.min)}, {"count", std::to_string(n)}}};
  return std::nullopt;
}

}  // namespace ting::components
