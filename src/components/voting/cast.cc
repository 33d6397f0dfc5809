// The ballot box: who a voter is for a budget, and the one write that records a ballot.

#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "voting_internal.h"

namespace ting::components {

using json = nlohmann::json;

std::vector<db::Migration> VotingMigrations() {
  return {{400, "voting: ballots", R"sql(
CREATE TABLE ballots (
  id INTEGER PRIMARY KEY,
  budget_id INTEGER NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
  voter_id INTEGER NOT NULL REFERENCES users(id),
  choices TEXT NOT NULL,
  channel TEXT NOT NULL DEFAULT 'online' CHECK (channel IN ('online','paper')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (budget_id, voter_id)
);
)sql"},
          // A ballot belongs to a voter key, not an account: a register person (whichever door
          // they come through), a household, a code or a paper batch row. The unique key is
          // what keeps one ballot per resident, on any database. account_id (the account that
          // cast it, or the staff member) and resident_id are facts, not references.
          {410, "voting: one ballot per voter (person, household, account, code or paper row), and its channel", R"sql(
CREATE TABLE ballots_new (
  id INTEGER PRIMARY KEY,
  budget_id INTEGER NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
  voter TEXT NOT NULL,
  account_id INTEGER,
  resident_id INTEGER,
  choices TEXT NOT NULL,
  -- Not "channel IN (...)": SQLite checks an IN list of five with a temporary index built for
  -- every row written (measured: a third of the ballots per second).
  channel TEXT NOT NULL CHECK (channel = 'online' OR channel = 'code' OR channel = 'desk' OR channel = 'paper' OR channel = 'batch'),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (budget_id, voter)
);
INSERT INTO ballots_new(id, budget_id, voter, account_id, choices, channel, created_at, updated_at)
  SELECT id, budget_id, 'a:' || voter_id, voter_id, choices, channel, created_at, updated_at FROM ballots;
DROP TABLE ballots;
ALTER TABLE ballots_new RENAME TO ballots;
CREATE INDEX ballots_resident ON ballots(resident_id) WHERE resident_id IS NOT NULL;
)sql"},
          {420, "voting: anonymous paper ballots, entered batch by batch by two staff", R"sql(
CREATE TABLE paper_batch_entries (
  id INTEGER PRIMARY KEY,
  budget_id INTEGER NOT NULL REFERENCES budgets(id) ON DELETE CASCADE,
  batch TEXT NOT NULL,
  entered_by INTEGER NOT NULL REFERENCES users(id),
  ballots TEXT NOT NULL,
  entered_at INTEGER NOT NULL,
  counted_at INTEGER NOT NULL DEFAULT 0,
  UNIQUE (budget_id, batch, entered_by)
);
)sql"}};
}

const char* ChannelOf(Voter::Door door) {
  switch (door) {
    case Voter::Door::kAccount: return "online";
    case Voter::Door::kCode: return "code";
    case Voter::Door::kDesk: return "desk";
    case Voter::Door::kPaper: return "paper";
    case Voter::Door::kBatch: return "batch";
  }
  return "online";
}

Result<Identity> IdentifyIn(db::Connection& c, int64_t organisation_id, const Process& process, const Budget& budget, const Voter& voter,
                            std::string_view today) {
  Identity who;
  std::optional<RegisterPerson> person;
  switch (voter.door) {
    case Voter::Door::kBatch:
      // Anonymous paper: staff checked who could vote at the event; the row is its own voter.
      who.key = voter.batch_key;
      return who;
    case Voter::Door::kAccount: {
      if (budget.eligibility.Open()) {
        // Open to any account: no look-up. A verified person's other doors vote under this
        // account's key here (below), so they share its one ballot.
        who.key = "a:" + std::to_string(voter.account_id);
        return who;
      }
      TING_ASSIGN_OR_RETURN(person, PersonOfAccountIn(c, organisation_id, voter.account_id));
      if (!person) who.key = "a:" + std::to_string(voter.account_id);
      break;
    }
    case Voter::Door::kCode: {
      TING_ASSIGN_OR_RETURN(auto holder, CodeHolderIn(c, voter.code_id, process.id));
      if (!holder) {
        who.gone = true;
        return who;
      }
      person = holder->person;
      if (!person) who.key = "c:" + std::to_string(holder->code_id);
      break;
    }
    case Voter::Door::kDesk:
    case Voter::Door::kPaper: {
      TING_ASSIGN_OR_RETURN(person, PersonIn(c, organisation_id, voter.resident_id));
      if (!person) {
        who.gone = true;
        return who;
      }
      break;
    }
  }
  if (person && budget.eligibility.Open() && person->account_id) {
    // A person whose account is verified, in a budget open to any account: their code, desk or
    // paper ballot is their account's one ballot.
    who.key = "a:" + std::to_string(person->account_id);
    return who;
  }
  if (person) {
    who.resident_id = person->resident_id;
    who.key = budget.eligibility.per_household && !person->household.empty() ? "h:" + person->household
                                                                              : "r:" + person->person_key.substr(0, 16);
  }
  who.ineligible = CheckEligibility(budget.eligibility, person.has_value(), person ? person->district : "", person ? person->birth_date : "", today);
  return who;
}

Result<std::shared_ptr<const BallotCopy>> BallotBox::Current(int64_t budget_id, bool fresh) {
  if (!fresh)
    if (auto cached = cache_.Get(budget_id)) return cached;
  std::optional<BallotCopy> copy;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto budget, ProcessStore::BudgetIn(c, budget_id));
    if (!budget) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_budget"));
    TING_ASSIGN_OR_RETURN(auto projects, BallotProjects(c, budget_id));
    copy = BallotCopy{std::move(*budget), std::move(projects)};
    return {};
  }));
  return cache_.Put(budget_id, std::move(*copy));
}

namespace {

Result<std::optional<StoredBallot>> ReadBallotOf(db::Connection& c, int64_t budget_id, const std::string& key, BallotType type) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT choices, channel, created_at, updated_at, resident_id FROM ballots WHERE budget_id = ? AND voter = ?",
                                             {budget_id, key}));
  if (!row) return std::optional<StoredBallot>();
  TING_ASSIGN_OR_RETURN(Ballot b, Ballot::FromJson(type, json::parse(row->Str(0), nullptr, false)));
  StoredBallot out{key, std::move(b), row->Str(1), row->Int(2), row->Int(3)};
  out.resident_id = row->IsNull(4) ? 0 : row->Int(4);
  return std::optional(std::move(out));
}

bool Paper(std::string_view channel) { return channel == "paper"; }

}  // namespace

Result<BallotBox::Stored> BallotBox::Load(int64_t organisation_id, const Process& process, const Budget& budget, const Voter& voter) {
  Stored out;
  const std::string today = env_.Today(process.time_zone);
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(out.who, IdentifyIn(c, organisation_id, process, budget, voter, today));
    if (out.who.key.empty()) return {};
    TING_ASSIGN_OR_RETURN(out.ballot, ReadBallotOf(c, budget.id, out.who.key, budget.ballot.type));
    if (out.ballot) {
      out.others = out.ballot->resident_id != out.who.resident_id;
      out.hidden = out.others || (voter.door == Voter::Door::kDesk && out.ballot->channel != "desk");
    }
    return {};
  }));
  return out;
}

Result<CastResult> BallotBox::Cast(int64_t organisation_id, const Process& process, const Budget& target, const Ballot& ballot, const Voter& voter) {
  using Outcome = CastResult::Outcome;
  TING_ASSIGN_OR_RETURN(std::shared_ptr<const BallotCopy> copy, Current(target.id));
  if (ValidateBallot(ballot, copy->budget, copy->projects)) {
    // Refused by a copy up to a second old: the rules may just have changed; ask the database.
    TING_ASSIGN_OR_RETURN(copy, Current(target.id, /*fresh=*/true));
    if (auto problem = ValidateBallot(ballot, copy->budget, copy->projects))
      return CastResult{Outcome::kInvalid, problem->key, problem->vars, copy->budget};
  }
  const std::string choices = ballot.ToJson().dump();
  const std::string channel = ChannelOf(voter.door);
  const int64_t now = env_.NowSeconds();
  const std::string today = env_.Today(process.time_zone);
  std::optional<CastResult> refused;
  Status st = db_.Write([&](db::Connection& c) -> Status {
    // The phase as stored at this moment, in the ballot's own transaction; and the ballot's rules,
    // projects and eligibility: the copy checked above may be a second old (voting may just have
    // opened with other rules, or a project just left the ballot), so when the budget's ballot
    // version has moved since, the ballot is checked again against what is stored now.
    TING_ASSIGN_OR_RETURN(Phase phase, ProcessStore::PhaseIn(c, process.id, env_));
    TING_ASSIGN_OR_RETURN(auto version, ProcessStore::BallotVersionIn(c, target.id));
    if (phase != Phase::kVoting || !version) {
      refused = CastResult{Outcome::kNotVoting, TING_KEY("voting.closed"), {}, copy->budget};
      return Error::Precondition("not voting");
    }
    const Budget* budget = &copy->budget;
    std::optional<BallotCopy> current;
    if (*version != copy->budget.ballot_version) {
      TING_ASSIGN_OR_RETURN(auto stored_budget, ProcessStore::BudgetIn(c, target.id));
      if (!stored_budget) return Error::Say(ErrorCode::kNotFound, TING_KEY("voting.no_budget"));
      TING_ASSIGN_OR_RETURN(auto projects, BallotProjects(c, target.id));
      current = BallotCopy{std::move(*stored_budget), std::move(projects)};
      budget = &current->budget;
      if (auto problem = ValidateBallot(ballot, current->budget, current->projects)) {
        refused = CastResult{Outcome::kInvalid, problem->key, problem->vars, current->budget};
        return Error::Invalid("the ballot changed");
      }
    }
    // Who may vote: at most one indexed look-up, inside the write.
    TING_ASSIGN_OR_RETURN(Identity who, IdentifyIn(c, organisation_id, process, *budget, voter, today));
    if (who.gone) {
      refused = CastResult{Outcome::kGone, voter.door == Voter::Door::kCode ? TING_KEY("voting.code_gone") : TING_KEY("voting.person_gone"), {}, *budget};
      return Error::Precondition("gone");
    }
    if (who.ineligible) {
      refused = CastResult{Outcome::kNotEligible, std::string("voting.not_eligible.") + IneligibleName(*who.ineligible), {}, *budget};
      return Error::Precondition("not eligible");
    }
    // One ballot per voter key. Online doors change their own ballot; a paper ballot replaces the
    // same person's online one (they came in person: as Estonia does); nothing replaces a paper
    // ballot; in a household, one member's ballot is not another's to change, on paper either.
    TING_ASSIGN_OR_RETURN(int64_t written, c.Exec(
        "INSERT INTO ballots(budget_id, voter, account_id, resident_id, choices, channel, created_at, updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(budget_id, voter) DO UPDATE SET choices = excluded.choices, channel = excluded.channel, account_id = excluded.account_id, "
        "resident_id = excluded.resident_id, updated_at = excluded.updated_at "
        "WHERE ballots.channel <> 'paper' AND ballots.resident_id IS excluded.resident_id",
        {target.id, who.key, voter.account_id ? db::Value(voter.account_id) : db::kNull, who.resident_id ? db::Value(who.resident_id) : db::kNull,
         choices, channel, now, now}));
    if (written == 0) {
      TING_ASSIGN_OR_RETURN(auto existing, ReadBallotOf(c, target.id, who.key, budget->ballot.type));
      const char* key = !existing                 ? TING_KEY("voting.refused")
                        : !Paper(existing->channel) ? TING_KEY("voting.household_voted")
                        : Paper(channel)          ? TING_KEY("voting.paper_twice")
                                                  : TING_KEY("voting.paper_recorded");
      refused = CastResult{Outcome::kRefused, key, {}, *budget};
      return Error::Conflict("refused");
    }
    // Recorded once per process; the cached process says whether that happened already.
    return process.voting_opened_at ? Status() : ProcessStore::MarkVotingOpened(c, process.id, now);
  });
  if (refused) {
    if (refused->outcome == Outcome::kInvalid) cache_.Erase(target.id);
    return *refused;
  }
  TING_RETURN_IF_ERROR(st);
  return CastResult{Outcome::kRecorded, TING_KEY("voting.recorded"), {}, copy->budget};
}

std::string ProblemText(const Site& site, const Context& ctx, const BallotProblem& problem, const Budget& budget) {
  auto vars = problem.vars;
  for (const char* money : {"cost", "amount"})
    if (auto it = vars.find(money); it != vars.end())
      it->second = site.FormatMoney(ctx, {ParseInt64(it->second).value_or(0), budget.currency});
  return site.T(ctx, problem.key, vars);
}

Result<Response> CastFailure(const Site& site, const Context& ctx, const CastResult& r) {
  using Outcome = CastResult::Outcome;
  switch (r.outcome) {
    case Outcome::kInvalid:
      return Site::Json(422, {{"error", ProblemText(site, ctx, {r.key, r.vars}, r.budget)}, {"code", TING_KEY("voting.invalid")}});
    case Outcome::kNotVoting: return Error::Say(ErrorCode::kConflict, r.key);
    case Outcome::kNotEligible: return Error::Say(ErrorCode::kPermissionDenied, r.key);
    case Outcome::kRefused: return Error::Say(ErrorCode::kConflict, r.key);
    case Outcome::kGone: return Error::Say(ErrorCode::kUnauthenticated, r.key);
    case Outcome::kRecorded: break;
  }
  return Error::Internal("a recorded ballot is not a failure");
}

}  // namespace ting::components
