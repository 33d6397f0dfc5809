#include "proposal_store.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "ting/base/keys.h"
#include "ting/base/money.h"
#include "ting/base/rng.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"

namespace ting::components {

using json = nlohmann::json;

const char* ProposalStatusName(ProposalStatus s) {
  switch (s) {
    case ProposalStatus::kSubmitted: return "submitted";
    case ProposalStatus::kRevision: return "revision";
    case ProposalStatus::kFeasible: return "feasible";
    case ProposalStatus::kInfeasible: return "infeasible";
    case ProposalStatus::kMerged: return "merged";
    case ProposalStatus::kWithdrawn: return "withdrawn";
  }
  return "submitted";
}

bool Proposal::WrittenBy(int64_t user_id) const {
  if (user_id == 0) return false;
  if (user_id == author_id) return true;
  return std::any_of(co_authors.begin(), co_authors.end(), [&](const CoAuthor& c) { return c.id == user_id; });
}

std::optional<ProposalStatus> ParseProposalStatus(std::string_view name) {
  for (auto s : {ProposalStatus::kSubmitted, ProposalStatus::kRevision, ProposalStatus::kFeasible, ProposalStatus::kInfeasible,
                 ProposalStatus::kMerged, ProposalStatus::kWithdrawn})
    if (name == ProposalStatusName(s)) return s;
  return std::nullopt;
}

namespace {

constexpr const char* kColumns =
    "p.id, p.process_id, p.budget_id, b.slug, COALESCE(p.author_id, 0), COALESCE(u.name, ''), p.title, p.body, p.category, p.cost, "
    "p.lat, p.lon, p.status, COALESCE(p.reviewer_id, 0), p.review_cost, p.review_explanation, COALESCE(p.merged_into, 0), p.on_ballot, "
    "p.supports, p.created_at, p.updated_at, COALESCE(p.group_id, 0), COALESCE(g.slug, ''), COALESCE(g.name, ''), COALESCE(g.verified_at, 0), p.language "
    "FROM proposals p JOIN budgets b ON b.id = p.budget_id LEFT JOIN users u ON u.id = p.author_id "
    "LEFT JOIN proposal_groups g ON g.id = p.group_id";

Proposal FromRow(const db::Row& r) {
  Proposal p;
  p.id = r.Int(0);
  p.process_id = r.Int(1);
  p.budget_id = r.Int(2);
  p.budget_slug = r.Str(3);
  p.author_id = r.Int(4);
  p.author_name = r.Str(5);
  p.title = r.Str(6);
  p.body = r.Str(7);
  p.category = r.Str(8);
  p.cost = r.Int(9);
  if (!r.IsNull(10)) p.lat = r.Real(10);
  if (!r.IsNull(11)) p.lon = r.Real(11);
  p.status = ParseProposalStatus(r.Str(12)).value_or(ProposalStatus::kSubmitted);
  p.reviewer_id = r.Int(13);
  p.review_cost = r.OptInt(14);
  p.review_explanation = r.Str(15);
  p.merged_into = r.Int(16);
  p.on_ballot = r.Int(17) != 0;
  p.supports = r.Int(18);
  p.created_at = r.Int(19);
  p.updated_at = r.Int(20);
  p.group_id = r.Int(21);
  p.group_slug = r.Str(22);
  p.group_name = r.Str(23);
  p.group_verified = r.Int(24) != 0;
  p.language = r.Str(25);
  return p;
}

// Fills in the co-authors of proposals with one query (by name, in the order they were added).
Status FillCoAuthors(db::Connection& c, std::vector<Proposal>& proposals) {
  if (proposals.empty()) return {};
  std::vector<std::string> marks;
  db::Params ids;
  for (const auto& p : proposals) {
    marks.push_back("?");
    ids.push_back(p.id);
  }
  // Only the number of placeholders comes from here; the ids are bound.
  std::string sql = "SELECT ca.proposal_id, u.id, u.name FROM proposal_coauthors ca JOIN users u ON u.id = ca.account_id WHERE ca.proposal_id IN (";
  sql.append(Join(marks, ", ")).append(") ORDER BY ca.added_at, u.id");
  TING_ASSIGN_OR_RETURN(auto rows, c.Query(sql, ids));
  for (auto& p : proposals) {
    p.co_authors.clear();
    for (const auto& r : rows)
      if (r.Int(0) == p.id) p.co_authors.push_back({r.Int(1), r.Str(2)});
  }
  return {};
}

Result<std::optional<Proposal>> FindIn(db::Connection& c, int64_t id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kColumns + " WHERE p.id = ?", {id}));
  if (!row) return std::optional<Proposal>();
  std::vector<Proposal> one = {FromRow(*row)};
  TING_RETURN_IF_ERROR(FillCoAuthors(c, one));
  return std::optional<Proposal>(std::move(one.front()));
}

// The group (of the organisation) a new proposal is submitted in the name of, checked for the
// author and the co-authors, inside the proposal's write. 0 when the draft names no group.
Result<int64_t> GroupForDraft(db::Connection& c, int64_t organisation_id, int64_t author_id, const ProposalDraft& d) {
  if (d.co_authors.size() > ProposalStore::kMaxCoAuthors) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.co_authors_count"));
  std::string slug(Trim(d.group_slug));
  if (slug.empty()) {
    if (!d.co_authors.empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.co_authors_need_group"));
    return int64_t{0};
  }
  TING_ASSIGN_OR_RETURN(auto group, c.QueryOne("SELECT id FROM proposal_groups WHERE organisation_id = ? AND slug = ?", {organisation_id, slug}));
  if (!group) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.group"));
  const int64_t group_id = group->Int(0);
  auto member = [&](int64_t account) -> Result<bool> {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT 1 FROM proposal_group_members WHERE group_id = ? AND account_id = ?", {group_id, account}));
    return row.has_value();
  };
  TING_ASSIGN_OR_RETURN(bool author_is_member, member(author_id));
  if (!author_is_member) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("proposals.problem.group_member"));
  for (int64_t co : d.co_authors) {
    TING_ASSIGN_OR_RETURN(bool is_member, member(co));
    if (co == author_id || !is_member) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.co_author"));
  }
  return group_id;
}

// Lower-case for searching, including the Swedish letters.
std::string Fold(std::string_view s) {
  std::string out = AsciiLower(s);
  const std::pair<const char*, const char*> kPairs[] = {{"Å", "å"}, {"Ä", "ä"}, {"Ö", "ö"}, {"É", "é"}, {"Ü", "ü"}};
  for (const auto& [upper, lower] : kPairs)
    for (size_t pos = out.find(upper); pos != std::string::npos; pos = out.find(upper, pos)) out.replace(pos, 2, lower);
  return out;
}

Status Validate(const Process& p, const ProposalDraft& d, int64_t* budget_id) {
  std::string title(Trim(d.title));
  if (title.empty() || title.size() > 200) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.title"));
  if (Trim(d.body).empty() || d.body.size() > 20000) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.body"));
  const Budget* b = p.FindBudget(d.budget_slug);
  if (!b) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.budget"));
  if (d.cost <= 0 || d.cost > kMaxAmountMinor) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.cost"));
  if (d.category.size() > 100) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.category"));
  if (!d.language.empty() && std::find(p.languages.begin(), p.languages.end(), d.language) == p.languages.end())
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.language"), {{"languages", Join(p.languages, ", ")}});
  if (d.lat.has_value() != d.lon.has_value() || (d.lat && (std::abs(*d.lat) > 90 || std::abs(*d.lon) > 180)))
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.place"));
  *budget_id = b->id;
  return {};
}

bool OnBallot(const Proposal& p) { return p.status == ProposalStatus::kFeasible && p.on_ballot; }

// Whether the proposal's process has opened voting, read inside the caller's transaction: from
// then on its ballot is frozen.
Result<bool> BallotFrozen(db::Connection& c, const Env& env, const Proposal& p) {
  TING_ASSIGN_OR_RETURN(auto process, ProcessStore::FindIn(c, p.process_id));
  return process && process->VotingHasOpened(env.Today(process->time_zone));
}

db::Value Opt(const std::optional<double>& v) { return v ? db::Value(*v) : db::kNull; }

// A notification about a proposal, with the organisation whose site its link is on (for mail).
Status Notify(db::Connection& c, const Env& env, int64_t user_id, const std::string& key, const json& vars, int64_t proposal_id) {
  if (!user_id) return {};
  return StatusOf(c.Exec("INSERT INTO notifications(user_id, message_key, vars, link, created_at, mail_state, organisation_id) "
                         "VALUES(?, ?, ?, ?, ?, 0, (SELECT pr.organisation_id FROM proposals p JOIN processes pr ON pr.id = p.process_id WHERE p.id = ?))",
                         {user_id, key, vars.dump(), "/proposals/" + std::to_string(proposal_id), env.NowSeconds(), proposal_id}));
}

}  // namespace

Result<Proposal> ProposalStore::Create(const Process& p, int64_t author_id, const ProposalDraft& d) {
  if (p.PhaseNow(env_) != Phase::kProposals) return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.not_proposal_phase"));
  int64_t budget_id = 0;
  TING_RETURN_IF_ERROR(Validate(p, d, &budget_id));
  std::optional<Proposal> out;
  int64_t now = env_.NowSeconds();
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(int64_t group_id, GroupForDraft(c, p.organisation_id, author_id, d));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec(
        "INSERT INTO proposals(process_id, budget_id, author_id, title, body, category, cost, lat, lon, created_at, updated_at, group_id, language) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {p.id, budget_id, author_id, std::string(Trim(d.title)), d.body, std::string(Trim(d.category)), d.cost, Opt(d.lat), Opt(d.lon), now, now,
         group_id ? db::Value(group_id) : db::kNull, d.language})));
    const int64_t id = c.LastInsertId();
    for (int64_t co : d.co_authors)
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT OR IGNORE INTO proposal_coauthors(proposal_id, account_id, added_at) VALUES(?, ?, ?)", {id, co, now})));
    TING_ASSIGN_OR_RETURN(out, FindIn(c, id));
    for (const auto& co : out->co_authors)
      TING_RETURN_IF_ERROR(Notify(c, env_, co.id, TING_KEY("notify.co_author"), {{"title", out->title}, {"author", out->author_name}}, id));
    return {};
  }));
  return std::move(*out);
}

Result<std::vector<Proposal>> ProposalStore::ListByGroup(int64_t group_id) {
  std::vector<Proposal> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kColumns + " WHERE p.group_id = ? AND p.status <> 'withdrawn' ORDER BY p.id DESC LIMIT 200",
                                             {group_id}));
    for (const auto& r : rows) out.push_back(FromRow(r));
    return FillCoAuthors(c, out);
  }));
  return out;
}

Result<std::optional<Proposal>> ProposalStore::Find(int64_t id) {
  std::optional<Proposal> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(out, FindIn(c, id));
    return {};
  }));
  return out;
}

Result<ProposalPage> ProposalStore::List(const Process& p, const ProposalQuery& q) {
  // Without a text search or a random order, the database filters, orders and pages: a page of
  // twenty reads twenty rows, not the whole process.
  if (Trim(q.text).empty() && q.sort != "random") {
    std::string where = " WHERE p.process_id = ?";
    db::Params params = {p.id};
    if (q.status.empty()) {
      where += " AND p.status NOT IN ('withdrawn', 'merged')";
    } else {
      where += " AND p.status = ?";
      params.push_back(q.status);
    }
    if (!q.budget.empty()) {
      where += " AND b.slug = ?";
      params.push_back(q.budget);
    }
    if (!q.category.empty()) {
      where += " AND p.category = ?";
      params.push_back(q.category);
    }
    std::string order = q.sort == "supported" ? " ORDER BY p.supports DESC, p.id DESC" : " ORDER BY p.id DESC";
    int per = std::clamp(q.per_page, 1, 200);
    db::Params page_params = params;
    page_params.push_back(int64_t{per});
    page_params.push_back(static_cast<int64_t>(std::max(0, q.page - 1)) * per);
    ProposalPage page;
    TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
      TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kColumns + where + order + " LIMIT ? OFFSET ?", page_params));
      for (const auto& r : rows) page.proposals.push_back(FromRow(r));
      TING_RETURN_IF_ERROR(FillCoAuthors(c, page.proposals));
      TING_ASSIGN_OR_RETURN(auto count, c.QueryOne("SELECT COUNT(*) FROM proposals p JOIN budgets b ON b.id = p.budget_id" + where, params));
      page.total = count->Int(0);
      return {};
    }));
    return page;
  }
  std::vector<Proposal> all;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kColumns + " WHERE p.process_id = ? ORDER BY p.id DESC", {p.id}));
    for (const auto& r : rows) all.push_back(FromRow(r));
    return {};
  }));
  std::string needle = Fold(Trim(q.text));
  std::vector<Proposal> kept;
  for (auto& pr : all) {
    if (q.status.empty()) {
      if (pr.status == ProposalStatus::kWithdrawn || pr.status == ProposalStatus::kMerged) continue;
    } else if (q.status != ProposalStatusName(pr.status)) {
      continue;
    }
    if (!q.budget.empty() && pr.budget_slug != q.budget) continue;
    if (!q.category.empty() && pr.category != q.category) continue;
    if (!needle.empty() && Fold(pr.title).find(needle) == std::string::npos && Fold(pr.body).find(needle) == std::string::npos) continue;
    kept.push_back(std::move(pr));
  }
  if (q.sort == "supported") {
    std::stable_sort(kept.begin(), kept.end(), [](const Proposal& a, const Proposal& b) { return a.supports > b.supports; });
  } else if (q.sort == "random") {
    // The same visitor (seed) sees the same order on every page; ids sorted first so that the
    // order does not depend on how rows came back.
    std::sort(kept.begin(), kept.end(), [](const Proposal& a, const Proposal& b) { return a.id < b.id; });
    DeterministicRng("proposal-order:" + std::to_string(q.seed)).Shuffle(kept);
  }
  ProposalPage page;
  page.total = static_cast<int64_t>(kept.size());
  int per = std::clamp(q.per_page, 1, 200);
  size_t start = static_cast<size_t>(std::max(0, q.page - 1)) * per;
  for (size_t i = start; i < kept.size() && i < start + per; ++i) page.proposals.push_back(std::move(kept[i]));
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) { return FillCoAuthors(c, page.proposals); }));
  return page;
}

Result<Proposal> ProposalStore::Edit(const Process& p, int64_t id, int64_t user_id, const ProposalDraft& d) {
  int64_t budget_id = 0;
  TING_RETURN_IF_ERROR(Validate(p, d, &budget_id));
  std::optional<Proposal> out;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto found, FindIn(c, id));
    if (!found || found->process_id != p.id) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    if (!found->WrittenBy(user_id)) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("proposals.not_author"));
    if (found->status != ProposalStatus::kSubmitted && found->status != ProposalStatus::kRevision)
      return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.locked"));
    if (found->status == ProposalStatus::kSubmitted && p.PhaseNow(env_) != Phase::kProposals)
      return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.locked"));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE proposals SET title = ?, body = ?, category = ?, cost = ?, budget_id = ?, lat = ?, lon = ?, "
                                         "status = 'submitted', updated_at = ? WHERE id = ?",
                                         {std::string(Trim(d.title)), d.body, std::string(Trim(d.category)), d.cost, budget_id, Opt(d.lat), Opt(d.lon),
                                          env_.NowSeconds(), id})));
    if (found->status == ProposalStatus::kRevision && found->reviewer_id)
      TING_RETURN_IF_ERROR(Notify(c, env_, found->reviewer_id, TING_KEY("notify.resubmitted"), {{"title", found->title}}, id));
    TING_ASSIGN_OR_RETURN(out, FindIn(c, id));
    return {};
  }));
  return std::move(*out);
}

Status ProposalStore::Withdraw(int64_t id, int64_t user_id) {
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto found, FindIn(c, id));
    if (!found) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    if (found->author_id != user_id) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("proposals.not_author"));
    if (found->status == ProposalStatus::kMerged || found->status == ProposalStatus::kWithdrawn) return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.locked"));
    TING_ASSIGN_OR_RETURN(bool frozen, BallotFrozen(c, env_, *found));
    if (frozen && OnBallot(*found)) return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.ballot_frozen_withdraw"));
    return StatusOf(c.Exec("UPDATE proposals SET status = 'withdrawn', updated_at = ? WHERE id = ?", {env_.NowSeconds(), id}));
  });
}

Status ProposalStore::Review(int64_t id, int64_t reviewer_id, bool feasible, std::optional<int64_t> cost, const std::string& explanation) {
  if (!feasible && Trim(explanation).empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.explanation_required"));
  if (cost && (*cost <= 0 || *cost > kMaxAmountMinor)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.cost"));
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto found, FindIn(c, id));
    if (!found) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    if (found->status == ProposalStatus::kMerged || found->status == ProposalStatus::kWithdrawn) return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.locked"));
    // After voting opened, a review may not take a project off the ballot, change its cost, or
    // put a new one on it.
    TING_ASSIGN_OR_RETURN(bool frozen, BallotFrozen(c, env_, *found));
    if (frozen && (OnBallot(*found) || (feasible && found->on_ballot))) return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.ballot_frozen"));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE proposals SET status = ?, reviewer_id = ?, review_cost = ?, review_explanation = ?, reviewed_at = ?, "
                                         "updated_at = ? WHERE id = ?",
                                         {std::string(feasible ? "feasible" : "infeasible"), reviewer_id, cost ? db::Value(*cost) : db::kNull,
                                          std::string(Trim(explanation)), env_.NowSeconds(), env_.NowSeconds(), id})));
    return Notify(c, env_, found->author_id, feasible ? TING_KEY("notify.feasible") : TING_KEY("notify.infeasible"), {{"title", found->title}},
                  id);
  });
}

Status ProposalStore::RequestRevision(int64_t id, int64_t reviewer_id, const std::string& explanation) {
  if (Trim(explanation).empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.explanation_required"));
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto found, FindIn(c, id));
    if (!found) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    if (found->status != ProposalStatus::kSubmitted && found->status != ProposalStatus::kRevision) return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.locked"));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE proposals SET status = 'revision', reviewer_id = ?, review_explanation = ?, updated_at = ? WHERE id = ?",
                                         {reviewer_id, std::string(Trim(explanation)), env_.NowSeconds(), id})));
    return Notify(c, env_, found->author_id, TING_KEY("notify.revise"), {{"title", found->title}}, id);
  });
}

Status ProposalStore::Assign(int64_t id, int64_t reviewer_id) {
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE proposals SET reviewer_id = ?, updated_at = ? WHERE id = ?", {reviewer_id, env_.NowSeconds(), id}));
    if (n == 0) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    return Notify(c, env_, reviewer_id, TING_KEY("notify.assigned"), {{"id", std::to_string(id)}}, id);
  });
}

Status ProposalStore::Merge(int64_t id, int64_t into) {
  if (id == into) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.merge_self"));
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto from, FindIn(c, id));
    TING_ASSIGN_OR_RETURN(auto to, FindIn(c, into));
    if (!from || !to) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    if (from->budget_id != to->budget_id) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.merge_budget"));
    if (to->status == ProposalStatus::kMerged || to->status == ProposalStatus::kWithdrawn || from->status == ProposalStatus::kMerged)
      return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.locked"));
    TING_ASSIGN_OR_RETURN(bool frozen, BallotFrozen(c, env_, *from));
    if (frozen && (OnBallot(*from) || OnBallot(*to))) return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.ballot_frozen"));
    // Supporters of the duplicate support the survivor; someone who supported both counts once.
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT OR IGNORE INTO proposal_supports(proposal_id, user_id, created_at) "
                                         "SELECT ?, user_id, created_at FROM proposal_supports WHERE proposal_id = ?",
                                         {into, id})));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM proposal_supports WHERE proposal_id = ?", {id})));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE proposals SET supports = (SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = proposals.id) "
                                         "WHERE id IN (?, ?)",
                                         {id, into})));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE proposals SET status = 'merged', merged_into = ?, updated_at = ? WHERE id = ?", {into, env_.NowSeconds(), id})));
    return Notify(c, env_, from->author_id, TING_KEY("notify.merged"), {{"title", from->title}, {"into", to->title}}, into);
  });
}

Status ProposalStore::SetOnBallot(int64_t id, bool on_ballot, int64_t manager_id, const std::string& reason) {
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto found, FindIn(c, id));
    if (!found) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    if (found->on_ballot == on_ballot) return {};
    TING_ASSIGN_OR_RETURN(bool frozen, BallotFrozen(c, env_, *found));
    if (frozen && found->status == ProposalStatus::kFeasible) {
      // Nothing joins a ballot people are already voting on; a project leaves it only by an
      // explicit, audited decision with a public reason.
      if (on_ballot) return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.ballot_frozen"));
      std::string why(Trim(reason));
      if (why.empty() || why.size() > 2000) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.removal_reason"));
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO ballot_changes(budget_id, proposal_id, action, reason, actor_id, created_at) "
                                           "VALUES(?, ?, 'removed', ?, ?, ?)",
                                           {found->budget_id, id, why, manager_id, env_.NowSeconds()})));
      TING_RETURN_IF_ERROR(Notify(c, env_, found->author_id, TING_KEY("notify.removed_from_ballot"), {{"title", found->title}, {"reason", why}},
                                  id));
    }
    return StatusOf(c.Exec("UPDATE proposals SET on_ballot = ?, updated_at = ? WHERE id = ?", {int64_t{on_ballot}, env_.NowSeconds(), id}));
  });
}

Result<bool> ProposalStore::Support(int64_t id, int64_t user_id, bool support) {
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto found, FindIn(c, id));
    if (!found) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    if (found->status == ProposalStatus::kMerged || found->status == ProposalStatus::kWithdrawn) return Error::Say(ErrorCode::kConflict, TING_KEY("proposals.locked"));
    if (support) {
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT OR IGNORE INTO proposal_supports(proposal_id, user_id, created_at) VALUES(?, ?, ?)",
                                           {id, user_id, env_.NowSeconds()})));
    } else {
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM proposal_supports WHERE proposal_id = ? AND user_id = ?", {id, user_id})));
    }
    return StatusOf(c.Exec("UPDATE proposals SET supports = (SELECT COUNT(*) FROM proposal_supports WHERE proposal_id = ?) WHERE id = ?", {id, id}));
  }));
  return support;
}

Result<bool> ProposalStore::Supports(int64_t id, int64_t user_id) {
  bool yes = false;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT 1 FROM proposal_supports WHERE proposal_id = ? AND user_id = ?", {id, user_id}));
    yes = row.has_value();
    return {};
  }));
  return yes;
}

Result<std::vector<Comment>> ProposalStore::Comments(int64_t proposal_id) {
  std::vector<Comment> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT c.id, c.proposal_id, c.author_id, COALESCE(c.parent_id, 0), u.name, c.body, c.hidden_reason, "
                                             "c.deleted, c.hidden_by IS NOT NULL, c.created_at, c.edited_at FROM proposal_comments c "
                                             "JOIN users u ON u.id = c.author_id WHERE c.proposal_id = ? ORDER BY c.id",
                                             {proposal_id}));
    for (const auto& r : rows)
      out.push_back({r.Int(0), r.Int(1), r.Int(2), r.Int(3), r.Str(4), r.Str(5), r.Str(6), r.Int(7) != 0, r.Int(8) != 0, r.Int(9), r.Int(10)});
    return {};
  }));
  return out;
}

Result<Comment> ProposalStore::AddComment(int64_t proposal_id, int64_t author_id, int64_t parent_id, const std::string& body) {
  if (Trim(body).empty() || body.size() > 5000) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.comment"));
  Comment out;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto found, FindIn(c, proposal_id));
    if (!found) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.not_found"));
    if (parent_id) {
      TING_ASSIGN_OR_RETURN(auto parent, c.QueryOne("SELECT 1 FROM proposal_comments WHERE id = ? AND proposal_id = ?", {parent_id, proposal_id}));
      if (!parent) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.comment_parent"));
    }
    int64_t now = env_.NowSeconds();
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO proposal_comments(proposal_id, author_id, parent_id, body, created_at) VALUES(?, ?, ?, ?, ?)",
                                         {proposal_id, author_id, parent_id ? db::Value(parent_id) : db::kNull, std::string(Trim(body)), now})));
    out = Comment{c.LastInsertId(), proposal_id, author_id, parent_id, "", std::string(Trim(body)), "", false, false, now, 0};
    if (found->author_id != author_id)
      TING_RETURN_IF_ERROR(Notify(c, env_, found->author_id, TING_KEY("notify.comment"), {{"title", found->title}}, proposal_id));
    return {};
  }));
  return out;
}

Status ProposalStore::EditComment(int64_t proposal_id, int64_t comment_id, int64_t user_id, const std::string& body) {
  if (Trim(body).empty() || body.size() > 5000) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.comment"));
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT author_id, created_at, deleted FROM proposal_comments WHERE id = ? AND proposal_id = ?",
                                                {comment_id, proposal_id}));
    if (!row || row->Int(2)) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.comment_not_found"));
    if (row->Int(0) != user_id) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("proposals.not_author"));
    if (env_.NowSeconds() - row->Int(1) > kCommentEditWindowSeconds) return Error::Say(ErrorCode::kFailedPrecondition, TING_KEY("proposals.comment_edit_window"));
    return StatusOf(c.Exec("UPDATE proposal_comments SET body = ?, edited_at = ? WHERE id = ?", {std::string(Trim(body)), env_.NowSeconds(), comment_id}));
  });
}

Status ProposalStore::DeleteComment(int64_t proposal_id, int64_t comment_id, int64_t user_id) {
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT author_id FROM proposal_comments WHERE id = ? AND proposal_id = ?", {comment_id, proposal_id}));
    if (!row) return Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.comment_not_found"));
    if (row->Int(0) != user_id) return Error::Say(ErrorCode::kPermissionDenied, TING_KEY("proposals.not_author"));
    return StatusOf(c.Exec("UPDATE proposal_comments SET deleted = 1, body = '' WHERE id = ?", {comment_id}));
  });
}

Status ProposalStore::HideComment(int64_t proposal_id, int64_t comment_id, int64_t moderator_id, const std::string& reason) {
  if (Trim(reason).empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.hide_reason"));
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto n, c.Exec("UPDATE proposal_comments SET hidden_by = ?, hidden_reason = ? WHERE id = ? AND proposal_id = ?",
                                         {moderator_id, std::string(Trim(reason)), comment_id, proposal_id}));
    return n ? Status() : Status(Error::Say(ErrorCode::kNotFound, TING_KEY("proposals.comment_not_found")));
  });
}

Result<std::vector<Notification>> ProposalStore::Notifications(int64_t user_id) {
  std::vector<Notification> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, message_key, vars, link, created_at, read_at FROM notifications WHERE user_id = ? "
                                             "ORDER BY id DESC LIMIT 100",
                                             {user_id}));
    for (const auto& r : rows) {
      Notification n{r.Int(0), r.Str(1), r.Str(3), {}, r.Int(4), r.Int(5) != 0};
      auto vars = json::parse(r.Str(2), nullptr, false);
      if (vars.is_object())
        for (auto& [k, v] : vars.items())
          if (v.is_string()) n.vars[k] = v.get<std::string>();
      out.push_back(std::move(n));
    }
    return {};
  }));
  return out;
}

namespace {

Result<std::vector<PendingNotification>> PendingFrom(db::Connection& c, const std::string& where, const db::Params& params) {
  std::vector<PendingNotification> out;
  // where comes from this file, never from input.
  TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, user_id, COALESCE(organisation_id, 0), message_key, link, vars, created_at FROM notifications WHERE " +
                                               where + " ORDER BY id LIMIT ?",
                                           params));
  for (const auto& r : rows) {
    PendingNotification n{r.Int(0), r.Int(1), r.Int(2), r.Str(3), r.Str(4), {}, r.Int(6)};
    auto vars = json::parse(r.Str(5), nullptr, false);
    if (vars.is_object())
      for (auto& [k, v] : vars.items())
        if (v.is_string()) n.vars[k] = v.get<std::string>();
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace

Result<std::vector<PendingNotification>> NotificationsToMailIn(db::Connection& c, NotificationMail state, int limit) {
  return PendingFrom(c, "mail_state = ?", {static_cast<int64_t>(state), static_cast<int64_t>(limit)});
}

Result<std::vector<PendingNotification>> DigestOfIn(db::Connection& c, int64_t user_id) {
  return PendingFrom(c, "user_id = ? AND mail_state = ?", {user_id, static_cast<int64_t>(NotificationMail::kDigest), int64_t{500}});
}

Status NotifyIn(db::Connection& c, const Env& env, int64_t user_id, int64_t organisation_id, const std::string& key,
                const std::map<std::string, std::string>& vars, const std::string& link) {
  json v = json::object();
  for (const auto& [k, value] : vars) v[k] = value;
  return StatusOf(c.Exec("INSERT INTO notifications(user_id, message_key, vars, link, created_at, mail_state, organisation_id) VALUES(?, ?, ?, ?, ?, 0, ?)",
                         {user_id, key, v.dump(), link, env.NowSeconds(), organisation_id}));
}

Status NotifyAuthorIn(db::Connection& c, const Env& env, int64_t proposal_id, const std::string& key, std::map<std::string, std::string> vars) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT p.author_id, p.title, pr.organisation_id FROM proposals p JOIN processes pr ON pr.id = p.process_id "
                                             "WHERE p.id = ?",
                                             {proposal_id}));
  if (!row || row->Int(0) == 0) return {};
  vars["title"] = row->Str(1);
  return NotifyIn(c, env, row->Int(0), row->Int(2), key, vars, "/proposals/" + std::to_string(proposal_id));
}

Result<std::vector<int64_t>> DigestsDueIn(db::Connection& c, int64_t created_before) {
  std::vector<int64_t> out;
  TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT user_id FROM notifications WHERE mail_state = ? GROUP BY user_id HAVING MIN(created_at) <= ? LIMIT 200",
                                           {static_cast<int64_t>(NotificationMail::kDigest), created_before}));
  for (const auto& r : rows) out.push_back(r.Int(0));
  return out;
}

Status SetNotificationMailIn(db::Connection& c, int64_t id, NotificationMail state) {
  return StatusOf(c.Exec("UPDATE notifications SET mail_state = ? WHERE id = ?", {static_cast<int64_t>(state), id}));
}

Result<int64_t> UnreadNotifications(db::Database& db, int64_t user_id) {
  int64_t n = 0;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at = 0", {user_id}));
    n = row->Int(0);
    return {};
  }));
  return n;
}

Status ProposalStore::MarkRead(int64_t user_id) {
  return db_.Write([&](db::Connection& c) -> Status {
    return StatusOf(c.Exec("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = 0", {env_.NowSeconds(), user_id}));
  });
}

Result<std::vector<std::string>> ProposalStore::Categories(int64_t process_id) {
  std::vector<std::string> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT DISTINCT category FROM proposals WHERE process_id = ? AND category <> '' ORDER BY category", {process_id}));
    for (const auto& r : rows) out.push_back(r.Str(0));
    return {};
  }));
  return out;
}

Status ProposalStore::AddImage(const ProposalImage& image) {
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto count, c.QueryOne("SELECT COUNT(*) FROM proposal_images WHERE proposal_id = ?", {image.proposal_id}));
    if (count && count->Int(0) >= kMaxImages) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("proposals.problem.image_count"));
    return StatusOf(c.Exec("INSERT INTO proposal_images(proposal_id, file_name, content_type, bytes, created_at) VALUES(?, ?, ?, ?, ?)",
                           {image.proposal_id, image.file_name, image.content_type, image.bytes, env_.NowSeconds()}));
  });
}

static ProposalImage ImageFromRow(const db::Row& r) { return {r.Int(0), r.Int(1), r.Int(2), r.Str(3), r.Str(4)}; }

Result<std::vector<ProposalImage>> ProposalStore::Images(int64_t proposal_id) {
  std::vector<ProposalImage> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, proposal_id, bytes, file_name, content_type FROM proposal_images WHERE proposal_id = ? ORDER BY id",
                                             {proposal_id}));
    for (const auto& r : rows) out.push_back(ImageFromRow(r));
    return {};
  }));
  return out;
}

Result<std::optional<ProposalImage>> ProposalStore::ImageByName(const std::string& file_name) {
  std::optional<ProposalImage> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT id, proposal_id, bytes, file_name, content_type FROM proposal_images WHERE file_name = ?",
                                                {file_name}));
    if (row) out = ImageFromRow(*row);
    return {};
  }));
  return out;
}

Result<std::vector<Project>> BallotProjects(db::Connection& c, int64_t budget_id) {
  std::vector<Project> out;
  TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, budget_id, title, category, COALESCE(review_cost, cost) FROM proposals "
                                           "WHERE budget_id = ? AND status = 'feasible' AND on_ballot = 1 ORDER BY id",
                                           {budget_id}));
  for (const auto& r : rows) out.push_back({r.Int(0), r.Int(1), r.Str(2), r.Str(3), r.Int(4)});
  return out;
}

Result<std::vector<Project>> BallotProjects(db::Database& db, int64_t budget_id) {
  std::vector<Project> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(out, BallotProjects(c, budget_id));
    return {};
  }));
  return out;
}

namespace {
BallotChange ChangeFromRow(const db::Row& r) {
  return {r.Int(0), r.Int(1), r.Int(2), r.Str(3), r.Str(4), r.Int(5), r.Int(6)};
}
}  // namespace

Result<std::vector<BallotChange>> BallotChanges(db::Connection& c, int64_t budget_id) {
  std::vector<BallotChange> out;
  TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT bc.id, bc.budget_id, bc.proposal_id, p.title, bc.reason, COALESCE(bc.actor_id, 0), bc.created_at "
                                           "FROM ballot_changes bc JOIN proposals p ON p.id = bc.proposal_id WHERE bc.budget_id = ? ORDER BY bc.id",
                                           {budget_id}));
  for (const auto& r : rows) out.push_back(ChangeFromRow(r));
  return out;
}

Result<std::vector<BallotChange>> BallotChanges(db::Database& db, int64_t budget_id) {
  std::vector<BallotChange> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(out, BallotChanges(c, budget_id));
    return {};
  }));
  return out;
}

}  // namespace ting::components
