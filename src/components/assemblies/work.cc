// The assembly at work: who attended its sessions (meetings, ting/components/meetings.h) and its
// recommendations (drafts, comments, the members' votes, the organisation's answers, follow-up).

#include <algorithm>

#include "assemblies_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/core/accounts.h"

namespace ting::components::assemblies {

namespace {

Status CheckText(const std::string& text, size_t max, const char* key) {
  if (Trim(text).empty() || text.size() > max || !IsValidUtf8(text)) return Error::Say(ErrorCode::kInvalidArgument, key);
  return {};
}

// The recommendation of the assembly, locked for the write, or 404.
Result<std::string> StatusIn(db::Connection& c, const Assembly& a, int64_t id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT status FROM assembly_recommendations WHERE id = ? AND assembly_id = ?", {id, a.id}));
  if (!row) return Error::Say(ErrorCode::kNotFound, TING_KEY("assemblies.problem.no_recommendation"));
  return row->Str(0);
}

Status RequireDraft(db::Connection& c, const Assembly& a, int64_t id) {
  TING_ASSIGN_OR_RETURN(std::string status, StatusIn(c, a, id));
  if (status != "draft") return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.vote_closed"));
  return {};
}

}  // namespace

Status SetAttendance(db::Database& db, Env& env, const Assembly& a, int64_t meeting_id, const std::vector<int64_t>& present, int64_t recorded_by) {
  return db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(RequireMeetingIn(c, SessionsOf(a), meeting_id));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM assembly_attendance WHERE meeting_id = ?", {meeting_id})));
    for (int64_t v : present) {
      TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT seat FROM assembly_volunteers WHERE id = ? AND assembly_id = ?", {v, a.id}));
      if (!row || (row->Str(0) != "invited" && row->Str(0) != "confirmed"))
        return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.not_member"), {{"id", std::to_string(v)}});
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO assembly_attendance(meeting_id, volunteer_id, recorded_by, recorded_at) VALUES(?, ?, ?, ?) "
                                           "ON CONFLICT DO NOTHING",
                                           {meeting_id, v, recorded_by, env.NowSeconds()})));
    }
    return {};
  });
}

Result<std::map<int64_t, std::vector<int64_t>>> AttendanceOf(db::Database& db, const Assembly& a) {
  std::map<int64_t, std::vector<int64_t>> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    out.clear();
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT t.meeting_id, t.volunteer_id FROM assembly_attendance t JOIN assembly_volunteers v ON v.id = t.volunteer_id "
                                             "WHERE v.assembly_id = ? ORDER BY t.meeting_id, t.volunteer_id",
                                             {a.id}));
    for (const auto& r : rows) out[r.Int(0)].push_back(r.Int(1));
    return {};
  }));
  return out;
}

Result<std::vector<Recommendation>> Recommendations(db::Database& db, int64_t assembly_id) {
  std::vector<Recommendation> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    out.clear();
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, author_id, yes_votes, no_votes, abstentions, members, answered_at, created_at, updated_at, title, body, "
                                             "status, decision, progress, answer FROM assembly_recommendations WHERE assembly_id = ? ORDER BY id",
                                             {assembly_id}));
    for (const auto& r : rows) {
      Recommendation rec;
      rec.id = r.Int(0);
      rec.author_id = r.Int(1);
      rec.yes = r.Int(2);
      rec.no = r.Int(3);
      rec.abstain = r.Int(4);
      rec.members = r.Int(5);
      rec.answered_at = r.Int(6);
      rec.created_at = r.Int(7);
      rec.updated_at = r.Int(8);
      rec.title = r.Str(9);
      rec.body = r.Str(10);
      rec.status = r.Str(11);
      rec.decision = r.Str(12);
      rec.progress = r.Str(13);
      rec.answer = Translated::FromStored(r.Str(14), "sv");
      TING_ASSIGN_OR_RETURN(auto comments, c.Query("SELECT id, volunteer_id, created_at, body FROM recommendation_comments WHERE recommendation_id = ? ORDER BY id", {rec.id}));
      for (const auto& cm : comments) rec.comments.push_back({cm.Int(0), cm.Int(1), cm.Int(2), cm.Str(3)});
      TING_ASSIGN_OR_RETURN(auto updates, c.Query("SELECT status, body, created_at FROM recommendation_updates WHERE recommendation_id = ? ORDER BY id DESC", {rec.id}));
      for (const auto& u : updates) rec.updates.push_back({u.Str(0), u.Str(1), u.Int(2)});
      TING_ASSIGN_OR_RETURN(auto votes, c.Query("SELECT volunteer_id, vote FROM recommendation_votes WHERE recommendation_id = ?", {rec.id}));
      for (const auto& v : votes) rec.votes[v.Int(0)] = v.Str(1);
      out.push_back(std::move(rec));
    }
    return {};
  }));
  return out;
}

Result<int64_t> AddRecommendation(db::Database& db, Env& env, const Assembly& a, int64_t author, const std::string& title, const std::string& body) {
  TING_RETURN_IF_ERROR(CheckText(title, 300, TING_KEY("assemblies.problem.title")));
  TING_RETURN_IF_ERROR(CheckText(body, 20000, TING_KEY("assemblies.problem.body")));
  int64_t id = 0;
  const int64_t now = env.NowSeconds();
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO assembly_recommendations(assembly_id, title, body, author_id, edited_by, created_at, updated_at) "
                                         "VALUES(?, ?, ?, ?, ?, ?, ?)",
                                         {a.id, std::string(Trim(title)), std::string(Trim(body)), author, author, now, now})));
    id = c.LastInsertId();
    return {};
  }));
  return id;
}

Status EditRecommendation(db::Database& db, Env& env, const Assembly& a, int64_t id, int64_t editor, const std::string& title, const std::string& body) {
  TING_RETURN_IF_ERROR(CheckText(title, 300, TING_KEY("assemblies.problem.title")));
  TING_RETURN_IF_ERROR(CheckText(body, 20000, TING_KEY("assemblies.problem.body")));
  return db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(RequireDraft(c, a, id));
    return StatusOf(c.Exec("UPDATE assembly_recommendations SET title = ?, body = ?, edited_by = ?, updated_at = ? WHERE id = ?",
                           {std::string(Trim(title)), std::string(Trim(body)), editor, env.NowSeconds(), id}));
  });
}

Status CommentOn(db::Database& db, Env& env, const Assembly& a, int64_t id, int64_t volunteer, const std::string& body) {
  TING_RETURN_IF_ERROR(CheckText(body, 5000, TING_KEY("assemblies.problem.body")));
  return db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(RequireDraft(c, a, id));
    return StatusOf(c.Exec("INSERT INTO recommendation_comments(recommendation_id, volunteer_id, body, created_at) VALUES(?, ?, ?, ?)",
                           {id, volunteer, std::string(Trim(body)), env.NowSeconds()}));
  });
}

Status CastVote(db::Database& db, Env& env, const Assembly& a, int64_t id, int64_t volunteer, const std::string& vote) {
  if (vote != "yes" && vote != "no" && vote != "abstain") return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.vote"));
  return db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(RequireDraft(c, a, id));
    return StatusOf(c.Exec("INSERT INTO recommendation_votes(recommendation_id, volunteer_id, vote, at) VALUES(?, ?, ?, ?) "
                           "ON CONFLICT(recommendation_id, volunteer_id) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                           {id, volunteer, vote, env.NowSeconds()}));
  });
}

Result<Recommendation> CloseVote(db::Database& db, Env& env, const Assembly& a, int64_t id) {
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(RequireDraft(c, a, id));
    // Only the votes of members whose seat is confirmed count; members are all confirmed seats.
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(
        "SELECT (SELECT COUNT(*) FROM assembly_volunteers WHERE assembly_id = ? AND seat = 'confirmed'), "
        "COALESCE(SUM(CASE WHEN v.vote = 'yes' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN v.vote = 'no' THEN 1 ELSE 0 END), 0), "
        "COALESCE(SUM(CASE WHEN v.vote = 'abstain' THEN 1 ELSE 0 END), 0) "
        "FROM recommendation_votes v JOIN assembly_volunteers m ON m.id = v.volunteer_id AND m.seat = 'confirmed' WHERE v.recommendation_id = ?",
        {a.id, id}));
    const int64_t members = row->Int(0), yes = row->Int(1), no = row->Int(2), abstain = row->Int(3);
    const bool adopted = members > 0 && yes * 100 >= a.support_threshold * members;
    return StatusOf(c.Exec("UPDATE assembly_recommendations SET status = ?, yes_votes = ?, no_votes = ?, abstentions = ?, members = ?, updated_at = ? WHERE id = ?",
                           {std::string(adopted ? "adopted" : "not_adopted"), yes, no, abstain, members, env.NowSeconds(), id}));
  }));
  TING_ASSIGN_OR_RETURN(auto all, Recommendations(db, a.id));
  for (auto& r : all)
    if (r.id == id) return r;
  return Error::Say(ErrorCode::kNotFound, TING_KEY("assemblies.problem.no_recommendation"));
}

Status AnswerRecommendation(db::Database& db, Env& env, const Assembly& a, int64_t id, const std::string& decision, const Translated& answer) {
  if (std::find(std::begin(kDecisions), std::end(kDecisions), decision) == std::end(kDecisions))
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.decision"));
  if (answer.empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.answer_text"));
  return db.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(std::string status, StatusIn(c, a, id));
    if (status != "adopted") return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.not_adopted"));
    return StatusOf(c.Exec("UPDATE assembly_recommendations SET decision = ?, answer = ?, answered_at = ?, progress = CASE WHEN progress = '' THEN 'planned' ELSE progress END "
                           "WHERE id = ?",
                           {decision, answer.ToJson().dump(), env.NowSeconds(), id}));
  });
}

Status ReportProgress(db::Database& db, Env& env, const Assembly& a, int64_t id, const std::string& status, const std::string& body) {
  if (std::find(std::begin(kProgress), std::end(kProgress), status) == std::end(kProgress))
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.progress"));
  if (body.size() > 5000 || !IsValidUtf8(body)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.body"));
  return db.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT decision FROM assembly_recommendations WHERE id = ? AND assembly_id = ?", {id, a.id}));
    if (!row) return Error::Say(ErrorCode::kNotFound, TING_KEY("assemblies.problem.no_recommendation"));
    if (row->Str(0).empty()) return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.not_answered"));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE assembly_recommendations SET progress = ? WHERE id = ?", {status, id})));
    return StatusOf(c.Exec("INSERT INTO recommendation_updates(recommendation_id, status, body, created_at) VALUES(?, ?, ?, ?)",
                           {id, status, std::string(Trim(body)), env.NowSeconds()}));
  });
}

}  // namespace ting::components::assemblies
