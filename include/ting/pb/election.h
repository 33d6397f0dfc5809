#pragma once
// A participatory budgeting election as read from a Pabulib file: metadata, projects with exact
// costs, and ballots. Money is held as integers of 10^-money_decimals units so that decimal
// costs ("4000.50") stay exact; points likewise as integers of 10^-points_decimals.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ting/base/result.h"

namespace ting::pb {

// Limits of what the engine counts, chosen so that every sum the rules form fits in 64 bits
// (and every MES price in 128-bit intermediate products). The Pabulib reader enforces them per
// line; CheckCountable enforces them for elections built in code.
inline constexpr int64_t kMaxMoney = 1000000000000000LL;         // 1e15 units per cost or budget
inline constexpr int64_t kMaxPoints = 1000000000LL;              // 1e9 per ballot entry
inline constexpr int64_t kMaxTotalCost = 1000000000000000000LL;  // 1e18 for all projects together
inline constexpr uint64_t kMaxVoters = uint64_t{1} << 31;

enum class VoteType { kApproval, kCumulative, kScoring, kOrdinal };

// "approval", "cumulative", "scoring", "ordinal" (the Pabulib spelling).
const char* VoteTypeName(VoteType type);

struct Project {
  std::string id;
  std::string name;
  int64_t cost = 0;  // in units of 10^-Election::money_decimals
  // Raw values of every PROJECTS column, in the order of Election::project_columns (kept so
  // that writing a file back reproduces what was read). May be empty for projects built in code.
  std::vector<std::string> fields;
};

struct Election {
  std::vector<std::pair<std::string, std::string>> meta;  // META rows in file order
  VoteType vote_type = VoteType::kApproval;
  int money_decimals = 0;
  int64_t budget = 0;  // in units of 10^-money_decimals
  int points_decimals = 0;

  std::vector<std::string> project_columns;  // PROJECTS header
  std::vector<Project> projects;

  // VOTES header. The "vote" and "points" columns are held parsed in the ballot arrays below;
  // every other column is kept raw per voter in extra_values.
  std::vector<std::string> vote_columns;
  // Voter v's ballot lists projects ballot_projects[ballot_offsets[v] .. ballot_offsets[v+1]),
  // indices into `projects`, in the order written (the ranking for ordinal ballots).
  std::vector<uint32_t> ballot_offsets = {0};
  std::vector<int32_t> ballot_projects;
  std::vector<int64_t> ballot_points;  // parallel to ballot_projects (cumulative/scoring only)
  // Raw values of the other VOTES columns: voter v, column c (c counts only the other columns)
  // is extra_values[v * NumExtraColumns() + c].
  std::vector<std::string> extra_values;

  size_t NumVoters() const { return ballot_offsets.size() - 1; }
  bool HasPoints() const {
    return vote_type == VoteType::kCumulative || vote_type == VoteType::kScoring;
  }
  size_t NumExtraColumns() const;
  // Value of a META key, or "" when absent.
  std::string_view Meta(std::string_view key) const;
  // Index of a project by id, or -1.
  int FindProject(std::string_view id) const;

  // Appends a ballot (indices into projects; points only when HasPoints()).
  void AddBallot(const std::vector<int32_t>& project_indices, const std::vector<int64_t>& points,
                 const std::vector<std::string>& extra = {});
};

// Whether the engine can count e exactly: budget and costs within [0, kMaxMoney], costs adding
// up to at most kMaxTotalCost, points within [0, kMaxPoints] (scoring: [-kMaxPoints,
// kMaxPoints]), project indices in range, at most kMaxVoters ballots. kInvalidArgument naming
// the first problem otherwise: the engine refuses impossible input instead of wrapping.
Status CheckCountable(const Election& e);

// Exact decimal rendering of value * 10^-decimals, without trailing zeros ("1500", "12.5").
std::string FormatDecimal(int64_t value, int decimals);

}  // namespace ting::pb
