#pragma once
// Proposals: residents' ideas, their review, and the projects they become. Other components
// (voting, results, follow-up) see proposals only through this header.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ting/base/env.h"
#include "ting/base/result.h"
#include "ting/web/component.h"
#include "ting/db/database.h"

namespace ting::components {

// submitted: waiting for review; revision: the reviewer asked the proposer to revise;
// feasible / infeasible: reviewed; merged: folded into another proposal (merged_into);
// withdrawn: by its proposer.
enum class ProposalStatus { kSubmitted, kRevision, kFeasible, kInfeasible, kMerged, kWithdrawn };
const char* ProposalStatusName(ProposalStatus s);
std::optional<ProposalStatus> ParseProposalStatus(std::string_view name);

// A project on a budget's ballot: a feasible proposal that the manager has not taken off the
// shortlist. It keeps its proposal's id, so ballots, results and exports use the same ids.
struct Project {
  int64_t id = 0;
  int64_t budget_id = 0;
  std::string title;
  std::string category;
  int64_t cost = 0;  // minor units: the reviewer's estimate when there is one, else the proposer's
};

// Projects on the ballot of a budget, in id order. Usable inside a Write (ballot validation).
Result<std::vector<Project>> BallotProjects(db::Connection& c, int64_t budget_id);
Result<std::vector<Project>> BallotProjects(db::Database& db, int64_t budget_id);

// Once voting has opened, a budget's ballot (its projects and their costs) is frozen like its
// rules. The one change allowed is a manager taking a project off the ballot with a public
// reason; each such change is recorded here, and the count reports what it did to ballots.
struct BallotChange {
  int64_t id = 0;
  int64_t budget_id = 0;
  int64_t proposal_id = 0;
  std::string title;    // the project's title
  std::string reason;   // public
  int64_t actor_id = 0;
  int64_t created_at = 0;
};
// The changes made to a budget's ballot after voting opened, oldest first.
Result<std::vector<BallotChange>> BallotChanges(db::Connection& c, int64_t budget_id);
Result<std::vector<BallotChange>> BallotChanges(db::Database& db, int64_t budget_id);

// --- Notifications ("your proposal was reviewed"): what the mail component turns into mail ---
// mail_state: kNew waits to be mailed (or skipped); kDigest waits for the person's daily digest;
// kDone is mailed, skipped, or older than mail (notifications before this existed).
enum class NotificationMail { kDone = 1, kNew = 0, kDigest = 2 };
struct PendingNotification {
  int64_t id = 0, user_id = 0, organisation_id = 0;  // organisation 0: unknown
  std::string key, link;                               // catalogue key (vars below), local path
  std::map<std::string, std::string> vars;
  int64_t created_at = 0;
};
// A notification for a person, in the caller's transaction (vars: the key's {{placeholders}}).
Status NotifyIn(db::Connection& c, const Env& env, int64_t user_id, int64_t organisation_id, const std::string& key,
                const std::map<std::string, std::string>& vars, const std::string& link);
// A notification for a proposal's author about it ({{title}} is its title), in the caller's
// transaction; nothing when the proposal is gone.
Status NotifyAuthorIn(db::Connection& c, const Env& env, int64_t proposal_id, const std::string& key,
                      std::map<std::string, std::string> vars = {});
// The oldest notifications in a mail state, in the caller's transaction.
Result<std::vector<PendingNotification>> NotificationsToMailIn(db::Connection& c, NotificationMail state, int limit);
// People whose oldest notification waiting for the digest is older than `created_before`.
Result<std::vector<int64_t>> DigestsDueIn(db::Connection& c, int64_t created_before);
// A person's notifications waiting for their digest.
Result<std::vector<PendingNotification>> DigestOfIn(db::Connection& c, int64_t user_id);
Status SetNotificationMailIn(db::Connection& c, int64_t id, NotificationMail state);
// Unread notifications of a person (the bell in the menu).
Result<int64_t> UnreadNotifications(db::Database& db, int64_t user_id);

web::Manifest ProposalsManifest();

}  // namespace ting::components
