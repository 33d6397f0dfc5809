#pragma once
// Proposals' storage and rules (inside the proposals component).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ting/base/result.h"
#include "ting/components/processes.h"
#include "ting/components/proposals.h"
#include "ting/db/database.h"

namespace ting::components {

// A person who wrote a proposal with its author (a fellow member of the proposal's group).
struct CoAuthor {
  int64_t id = 0;
  std::string name;
};

struct Proposal {
  int64_t id = 0;
  int64_t process_id = 0;
  int64_t budget_id = 0;
  std::string budget_slug;
  int64_t author_id = 0;
  std::string author_name;
  std::string title, body, category;
  int64_t cost = 0;  // proposer's estimate, minor units
  std::optional<double> lat, lon;
  ProposalStatus status = ProposalStatus::kSubmitted;
  int64_t reviewer_id = 0;  // assigned reviewer (0: none)
  std::optional<int64_t> review_cost;
  std::string review_explanation;
  int64_t merged_into = 0;
  bool on_ballot = true;
  int64_t supports = 0;
  int64_t created_at = 0, updated_at = 0;
  // The group it was submitted in the name of (0: none), as the group is now.
  int64_t group_id = 0;
  std::string group_slug, group_name;
  bool group_verified = false;
  std::vector<CoAuthor> co_authors;  // by name
  std::string language;  // the language its title and body are written in ("" when not recorded)

  int64_t BallotCost() const { return review_cost ? *review_cost : cost; }
  // The author and the co-authors: who may edit it while the author may.
  bool WrittenBy(int64_t user_id) const;
};

struct ProposalDraft {
  std::string title, body, category, budget_slug;
  int64_t cost = 0;
  std::optional<double> lat, lon;
  // Set at submission only (an edit keeps them): the slug of a group of the organisation the
  // author is a member of, and co-authors, who must be members of that group.
  std::string group_slug;
  std::vector<int64_t> co_authors;
  // The language it is written in: one of the organisation's ("" only before languages were
  // recorded). Set at submission; the handlers default it to the proposer's language.
  std::string language;
};

struct ProposalQuery {
  std::string text;       // in title or body
  std::string budget;     // budget slug
  std::string category;
  std::string status;     // a ProposalStatus name; empty: all but withdrawn/merged
  std::string sort = "newest";  // newest, supported, random
  uint64_t seed = 0;      // for random: stable per visitor
  int page = 1;
  int per_page = 20;
};

struct ProposalPage {
  std::vector<Proposal> proposals;
  int64_t total = 0;
};

struct Comment {
  int64_t id = 0, proposal_id = 0, author_id = 0, parent_id = 0;
  std::string author_name, body, hidden_reason;
  bool deleted = false, hidden = false;
  int64_t created_at = 0, edited_at = 0;
};

struct Notification {
  int64_t id = 0;
  std::string key, link;
  std::map<std::string, std::string> vars;
  int64_t created_at = 0;
  bool read = false;
};

struct ProposalImage {
  int64_t id = 0, proposal_id = 0, bytes = 0;
  std::string file_name, content_type;
};

class ProposalStore {
 public:
  static constexpr int64_t kCommentEditWindowSeconds = 15 * 60;
  static constexpr int64_t kMaxImages = 5;  // per proposal, across every edit
  ProposalStore(db::Database& db, Env& env) : db_(db), env_(env) {}

  static constexpr size_t kMaxCoAuthors = 10;
  // Errors: kInvalidArgument with a catalogue key (proposals.problem.*: a group that is not the
  // organisation's, a co-author who is not a member of the group); kPermissionDenied
  // "proposals.problem.group_member" when the author is not a member of the group; kConflict
  // "proposals.not_proposal_phase" outside the proposals phase. Co-authors are notified.
  Result<Proposal> Create(const Process& p, int64_t author_id, const ProposalDraft& d);
  Result<std::optional<Proposal>> Find(int64_t id);
  Result<ProposalPage> List(const Process& p, const ProposalQuery& q);
  // The proposals submitted in a group's name, newest first, without the withdrawn.
  Result<std::vector<Proposal>> ListByGroup(int64_t group_id);
  // The author's (or a co-author's) edit: only while submitted or sent back for revision; a
  // revised proposal goes back to the review queue. The group and co-authors stay.
  Result<Proposal> Edit(const Process& p, int64_t id, int64_t user_id, const ProposalDraft& d);
  Status Withdraw(int64_t id, int64_t user_id);

  // Review. feasible: cost (minor units, optional) and explanation; not feasible: explanation
  // required. Revise: back to the proposer with a message (and a notification).
  Status Review(int64_t id, int64_t reviewer_id, bool feasible, std::optional<int64_t> cost, const std::string& explanation);
  Status RequestRevision(int64_t id, int64_t reviewer_id, const std::string& explanation);
  Status Assign(int64_t id, int64_t reviewer_id);
  // Folds `id` into `into` (same budget): supports move without double counting.
  Status Merge(int64_t id, int64_t into);
  // The manager's shortlist. Once voting has opened, nothing joins the ballot and a project
  // leaves it only with a public reason (recorded in ballot_changes, the proposer notified).
  Status SetOnBallot(int64_t id, bool on_ballot, int64_t manager_id, const std::string& reason);
  // Toggles; returns whether the user now supports it.
  Result<bool> Support(int64_t id, int64_t user_id, bool support);
  Result<bool> Supports(int64_t id, int64_t user_id);

  Result<std::vector<Comment>> Comments(int64_t proposal_id);
  Result<Comment> AddComment(int64_t proposal_id, int64_t author_id, int64_t parent_id, const std::string& body);
  // Comments are addressed through their proposal: a comment id of another proposal (or
  // another organisation) is kNotFound.
  Status EditComment(int64_t proposal_id, int64_t comment_id, int64_t user_id, const std::string& body);
  Status DeleteComment(int64_t proposal_id, int64_t comment_id, int64_t user_id);
  Status HideComment(int64_t proposal_id, int64_t comment_id, int64_t moderator_id, const std::string& reason);

  Result<std::vector<Notification>> Notifications(int64_t user_id);
  Status MarkRead(int64_t user_id);

  Result<std::vector<std::string>> Categories(int64_t process_id);

  Status AddImage(const ProposalImage& image);
  Result<std::vector<ProposalImage>> Images(int64_t proposal_id);
  Result<std::optional<ProposalImage>> ImageByName(const std::string& file_name);

 private:
  db::Database& db_;
  Env& env_;
};

std::vector<db::Migration> ProposalMigrations();
// The demo's proposals (seed.cc).
Status SeedProposals(web::Demo& demo);

}  // namespace ting::components
