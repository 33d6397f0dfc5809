#pragma once
// Ballots: one per voter per budget, changeable until voting closes, durable before the voter
// hears it was recorded. The results component reads them through LoadBallots().

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ting/base/result.h"
#include "ting/web/component.h"
#include "ting/components/processes.h"
#include "ting/components/proposals.h"
#include "ting/db/database.h"

namespace ting::components {

struct Ballot {
  BallotType type = BallotType::kApproval;
  std::vector<int64_t> projects;        // approval, knapsack: chosen; ranking: best first
  std::map<int64_t, int64_t> points;    // cumulative: project -> points (> 0)

  // Canonical JSON as stored and returned by the API:
  //   {"projects":[..]} | {"points":{"id":n}} | {"ranking":[..]}
  nlohmann::json ToJson() const;
  static Result<Ballot> FromJson(BallotType type, const nlohmann::json& j);
};

// Why a ballot breaks its budget's rules: a catalogue key and its values (so pages and the API
// can say it in the voter's language).
struct BallotProblem {
  std::string key;
  std::map<std::string, std::string> vars;
};

// Checks a ballot against the budget's rules and its projects. nullopt when valid.
// REQUIRES: projects in id order (as BallotProjects returns them).
std::optional<BallotProblem> ValidateBallot(const Ballot& ballot, const Budget& budget,
                                            const std::vector<Project>& projects);

struct StoredBallot {
  std::string voter;  // the ballot's owner: "a:<account>", "r:<person>", "h:<household>", "c:<code>", "b:<batch>:<n>"
  Ballot ballot;
  std::string channel;  // "online", "code", "desk", "paper" or "batch"
  int64_t created_at = 0, updated_at = 0;
  int64_t resident_id = 0;  // the register person who cast it, 0 when none
};

// The channels ballots come through, in the order results list them.
const std::vector<std::string>& BallotChannels();

// Every ballot of a budget, in voter order.
Result<std::vector<StoredBallot>> LoadBallots(db::Database& db, const Budget& budget);

web::Manifest VotingManifest();

// The component's part of the demo (seed.cc).
Status SeedVoting(web::Demo& demo);

}  // namespace ting::components
