#pragma once
// Inside the voting component: who casts a ballot (the doors), and the ballot box that checks
// eligibility and keeps one ballot per resident in the ballot's own write.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "ting/base/ttl_cache.h"
#include "ting/components/residents.h"
#include "ting/components/voting.h"
#include "ting/web/site.h"

namespace ting::components {

namespace voting {
const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
}

std::vector<db::Migration> VotingMigrations();

// Who casts a ballot, and through which door.
struct Voter {
  enum class Door { kAccount, kCode, kDesk, kPaper, kBatch } door = Door::kAccount;
  int64_t account_id = 0;   // kAccount: the voter's account; kDesk, kPaper, kBatch: the staff member's
  int64_t code_id = 0;      // kCode
  int64_t resident_id = 0;  // kDesk, kPaper: the register person
  std::string batch_key;    // kBatch: "b:<batch>:<n>"
};
const char* ChannelOf(Voter::Door door);  // "online", "code", "desk", "paper", "batch"

// Who a voter is for one budget, as stored now.
struct Identity {
  // The owner of the one ballot: "a:<account>" (budgets open to any account), "r:<person>",
  // "h:<household>" (one ballot a household), "c:<anonymous code>", "b:<batch>:<n>".
  std::string key;
  int64_t resident_id = 0;  // the register person, 0 when none
  std::optional<Ineligible> ineligible;
  bool gone = false;  // the code was replaced, or the person left the register
};

// At most one indexed look-up (none for an account in a budget open to any account).
Result<Identity> IdentifyIn(db::Connection& c, int64_t organisation_id, const Process& process, const Budget& budget, const Voter& voter,
                            std::string_view today);

// What happened to a ballot, and the words for it (a catalogue key and its values).
struct CastResult {
  enum class Outcome { kRecorded, kInvalid, kNotVoting, kNotEligible, kRefused, kGone } outcome = Outcome::kRecorded;
  std::string key;
  std::map<std::string, std::string> vars;
  Budget budget;  // as checked (money in the words)
};

// A budget's ballot as read in one snapshot: its rules and amount, its projects, and the ballot
// version they were read at (Budget::ballot_version).
struct BallotCopy {
  Budget budget;
  std::vector<Project> projects;
};

class BallotBox {
 public:
  BallotBox(db::Database& db, Env& env) : db_(db), env_(env), cache_(env, std::chrono::seconds(1), 10000) {}

  // Validates the ballot, checks who may vote and records the voter's one ballot for the budget
  // (replacing an earlier one where the rules allow), durably, in one write.
  Result<CastResult> Cast(int64_t organisation_id, const Process& process, const Budget& budget, const Ballot& ballot, const Voter& voter);

  // The voter's identity and stored ballot (if any) for a budget.
  struct Stored {
    Identity who;
    std::optional<StoredBallot> ballot;
    // The ballot exists but is not this voter's to see: another household member's, or, on a
    // desk session, one the person cast elsewhere (staff hold the device). Whether and through
    // which door may be shown; the choices may not.
    bool hidden = false;
    bool others = false;  // another household member's
  };
  Result<Stored> Load(int64_t organisation_id, const Process& process, const Budget& budget, const Voter& voter);

  // The ballot of a budget, cached for a second for pages and the first check of a ballot; each
  // ballot's write compares the version and checks again when anything has changed since.
  Result<std::shared_ptr<const BallotCopy>> Current(int64_t budget_id, bool fresh = false);

  db::Database& db() { return db_; }
  Env& env() { return env_; }

 private:
  db::Database& db_;
  Env& env_;
  TtlCache<int64_t, BallotCopy> cache_;
};

// The words of a ballot problem in the request's language (money formatted).
std::string ProblemText(const Site& site, const Context& ctx, const BallotProblem& problem, const Budget& budget);
// A refused cast as the API's answer: 422 {"error": <what is wrong>, "code": "voting.invalid"},
// or the error: 403 not eligible, 409 refused or closed, 401 code gone.
Result<Response> CastFailure(const Site& site, const Context& ctx, const CastResult& r);

}  // namespace ting::components

namespace ting::components {

// The voter session of this request for the process, if any: the API's bearer token or the
// page's cookie, signed and unexpired, and for this process.
std::optional<VoterSession> SessionOf(const Request& req, const Context& ctx, VoterDirectory& voters, int64_t process_id);

// The ballot from a submitted form, or what is wrong with the form itself.
std::variant<Ballot, BallotProblem> BallotFromForm(const Request& req, BallotType type);

// Where the ballot form posts, and what else it carries (the staff desk's paper ballot names its
// person) and says.
struct BallotForm {
  explicit BallotForm(std::string action_to, std::vector<std::pair<std::string, std::string>> hidden_fields = {}, std::string notice_text = {})
      : action(std::move(action_to)), hidden(std::move(hidden_fields)), notice(std::move(notice_text)) {}
  std::string action;
  std::vector<std::pair<std::string, std::string>> hidden;
  std::string notice;  // shown above the form (already in the request's language)
  // The desk's anonymous paper batch: the batch's name field, how many ballots are in so far,
  // and two buttons (add this ballot; enter the pile) instead of "send my ballot".
  bool batch_mode = false;
  std::string batch;
  int64_t batch_count = 0;
};
// The ballot page: projects in the order given (VoterOrder), the current ballot checked.
Result<Response> RenderBallotForm(Site& site, Request& req, Context& ctx, const Process& process, const Budget& budget,
                                  const std::vector<Project>& projects, const std::optional<Ballot>& current,
                                  const std::vector<std::string>& errors, int status, const BallotForm& form);

// The staff desk: look people up, record their paper ballots, open a ballot for them on a
// tablet; and anonymous paper batches (desk.cc).
// The caller keeps what it returns for as long as the routes may run.
std::shared_ptr<void> MountDesk(Site& site, BallotBox& box, VoterDirectory& voters, ProcessStore& processes);

}  // namespace ting::components
