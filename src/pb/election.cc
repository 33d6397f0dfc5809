#include "ting/pb/election.h"

#include <cstdlib>

namespace ting::pb {

const char* VoteTypeName(VoteType type) {
  switch (type) {
    case VoteType::kApproval: return "approval";
    case VoteType::kCumulative: return "cumulative";
    case VoteType::kScoring: return "scoring";
    case VoteType::kOrdinal: return "ordinal";
  }
  return "approval";
}

size_t Election::NumExtraColumns() const {
  size_t n = 0;
  for (const auto& c : vote_columns) {
    if (c != "vote" && c != "points") ++n;
  }
  return n;
}

std::string_view Election::Meta(std::string_view key) const {
  for (const auto& [k, v] : meta) {
    if (k == key) return v;
  }
  return {};
}

int Election::FindProject(std::string_view id) const {
  for (size_t i = 0; i < projects.size(); ++i) {
    if (projects[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

void Election::AddBallot(const std::vector<int32_t>& project_indices,
                         const std::vector<int64_t>& points,
                         const std::vector<std::string>& extra) {
  ballot_projects.insert(ballot_projects.end(), project_indices.begin(), project_indices.end());
  if (HasPoints()) {
    for (size_t i = 0; i < project_indices.size(); ++i) {
      ballot_points.push_back(i < points.size() ? points[i] : 0);
    }
  }
  ballot_offsets.push_back(static_cast<uint32_t>(ballot_projects.size()));
  size_t n = NumExtraColumns();
  for (size_t i = 0; i < n; ++i) extra_values.push_back(i < extra.size() ? extra[i] : "");
}

Status CheckCountable(const Election& e) {
  if (e.budget < 0 || e.budget > kMaxMoney) return Error::Invalid("the budget must be from 0 to 1e15 units");
  int64_t total = 0;
  for (const auto& p : e.projects) {
    if (p.cost < 0 || p.cost > kMaxMoney) return Error::Invalid("the cost of project '" + p.id + "' must be from 0 to 1e15 units");
    total += p.cost;  // at most 2^31 projects of 1e15: cannot wrap before the check below trips
    if (total > kMaxTotalCost) return Error::Invalid("the projects' costs add up to more than 1e18 units");
  }
  if (e.NumVoters() > kMaxVoters) return Error::Invalid("more than 2^31 ballots");
  if (e.ballot_offsets.empty() || e.ballot_offsets.front() != 0 || e.ballot_offsets.back() != e.ballot_projects.size())
    return Error::Invalid("ballot offsets do not match the ballots");
  const int64_t min_points = e.vote_type == VoteType::kScoring ? -kMaxPoints : 0;
  for (size_t k = 0; k < e.ballot_projects.size(); ++k) {
    if (e.ballot_projects[k] < 0 || static_cast<size_t>(e.ballot_projects[k]) >= e.projects.size())
      return Error::Invalid("a ballot names a project that does not exist");
    if (e.HasPoints()) {
      if (k >= e.ballot_points.size()) return Error::Invalid("a ballot entry has no points");
      if (e.ballot_points[k] < min_points || e.ballot_points[k] > kMaxPoints)
        return Error::Invalid("a ballot gives " + std::to_string(e.ballot_points[k]) + " points to project '" +
                              e.projects[e.ballot_projects[k]].id + "'; the engine counts from " + std::to_string(min_points) +
                              " to 1e9 points per entry");
    }
  }
  return Status::Ok();
}

std::string FormatDecimal(int64_t value, int decimals) {
  bool negative = value < 0;
  uint64_t v = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits = std::to_string(v);
  std::string out;
  if (decimals <= 0) {
    out = digits;
  } else {
    if (digits.size() <= static_cast<size_t>(decimals)) {
      digits.insert(0, static_cast<size_t>(decimals) + 1 - digits.size(), '0');
    }
    std::string int_part = digits.substr(0, digits.size() - decimals);
    std::string frac_part = digits.substr(digits.size() - decimals);
    while (!frac_part.empty() && frac_part.back() == '0') frac_part.pop_back();
    out = frac_part.empty() ? int_part : int_part + "." + frac_part;
  }
  return negative && out != "0" ? "-" + out : out;
}

}  // namespace ting::pb
