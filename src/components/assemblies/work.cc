// The assembly at work: sessions (meetings, their documents and attendance) and recommendations
// (drafts, comments, the members' votes, the organisation's answers and follow-up).

#include <algorithm>

#include "assemblies_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/core/accounts.h"

namespace ting::components::assemblies {

namespace {

constexpr size_t kMaxDocumentBytes = 10 * 1024 * 1024;

bool ValidLocalTime(const std::string& t) {
  if (t.size() != 16 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15})
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
  int month = std::stoi(t.substr(5, 2)), day = std::stoi(t.substr(8, 2)), hour = std::stoi(t.substr(11, 2)), minute = std::stoi(t.substr(14, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60;
}

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

Result<Meeting> MeetingFromJson(const json& body, const std::vector<std::string>& languages) {
  if (!body.is_object()) return Error::Invalid("the body must be a JSON object");
  Meeting m;
  TING_RETURN_IF_ERROR(ReadTranslated(body, "title", languages, m.title, true));
  TING_RETURN_IF_ERROR(ReadTranslated(body, "agenda", languages, m.agenda, false));
  auto text = [&](const char* field, std::string& out) -> Status {
    if (!body.contains(field) || body[field].is_null()) return {};
    if (!body[field].is_string() || !IsValidUtf8(body[field].get<std::string>()) || body[field].get<std::string>().size() > 500)
      return Error::Invalid(std::string("\"") + field + "\" must be a text of at most 500 bytes");
    out = std::string(Trim(body[field].get<std::string>()));
    return {};
  };
  TING_RETURN_IF_ERROR(text("starts_at", m.starts_at));
  TING_RETURN_IF_ERROR(text("ends_at", m.ends_at));
  TING_RETURN_IF_ERROR(text("place", m.place));
  TING_RETURN_IF_ERROR(text("video_url", m.video_url));
  if (!ValidLocalTime(m.starts_at)) return Error::Invalid("\"starts_at\" must be a local time, YYYY-MM-DDTHH:MM");
  if (!m.ends_at.empty() && (!ValidLocalTime(m.ends_at) || m.ends_at < m.starts_at))
    return Error::Invalid("\"ends_at\" must be a local time, YYYY-MM-DDTHH:MM, not before starts_at");
  if (!m.video_url.empty() && !StartsWith(m.video_url, "https://")) return Error::Invalid("\"video_url\" must be an https:// link");
  if (body.contains("speakers") && !body["speakers"].is_null()) {
    if (!body["speakers"].is_array() || body["speakers"].size() > 50) return Error::Invalid("\"speakers\" must be a list of {\"name\", \"about\"}");
    for (const auto& s : body["speakers"]) {
      if (!s.is_object() || !s.contains("name") || !s["name"].is_string() || (s.contains("about") && !s["about"].is_string()))
        return Error::Invalid("\"speakers\" must be a list of {\"name\", \"about\"}");
      std::string name = s["name"].get<std::string>(), about = s.value("about", "");
      if (Trim(name).empty() || !IsValidUtf8(name) || !IsValidUtf8(about) || name.size() > 200 || about.size() > 1000)
        return Error::Invalid("\"speakers\": a name (at most 200 bytes) and what they speak of (at most 1000)");
      m.speakers.push_back({{"name", std::string(Trim(name))}, {"about", std::string(Trim(about))}});
    }
  }
  return m;
}

Result<std::vector<Meeting>> Meetings(db::Database& db, const std::string& owner_kind, int64_t owner_id) {
  std::vector<Meeting> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    out.clear();
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, title, starts_at, ends_at, place, video_url, agenda, speakers FROM meetings "
                                             "WHERE owner_kind = ? AND owner_id = ? ORDER BY starts_at, id",
                                             {owner_kind, owner_id}));
    for (const auto& r : rows) {
      Meeting m;
      m.id = r.Int(0);
      m.title = Translated::FromStored(r.Str(1), "sv");
      m.starts_at = r.Str(2);
      m.ends_at = r.Str(3);
      m.place = r.Str(4);
      m.video_url = r.Str(5);
      m.agenda = Translated::FromStored(r.Str(6), "sv");
      m.speakers = json::parse(r.Str(7), nullptr, false);
      if (!m.speakers.is_array()) m.speakers = json::array();
      TING_ASSIGN_OR_RETURN(auto docs, c.Query("SELECT id, name, content_type, size, file FROM meeting_documents WHERE meeting_id = ? ORDER BY id", {m.id}));
      for (const auto& d : docs) m.documents.push_back({d.Int(0), d.Str(1), d.Str(2), d.Str(4), d.Int(3)});
      TING_ASSIGN_OR_RETURN(auto present, c.Query("SELECT volunteer_id FROM meeting_attendance WHERE meeting_id = ? ORDER BY volunteer_id", {m.id}));
      for (const auto& p : present) m.present.push_back(p.Int(0));
      out.push_back(std::move(m));
    }
    return {};
  }));
  return out;
}

Result<int64_t> AddMeeting(db::Database& db, Env& env, int64_t organisation_id, const std::string& owner_kind, int64_t owner_id, const Meeting& m) {
  int64_t id = 0;
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO meetings(organisation_id, owner_kind, owner_id, title, starts_at, ends_at, place, video_url, agenda, "
                                         "speakers, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                         {organisation_id, owner_kind, owner_id, m.title.ToJson().dump(), m.starts_at, m.ends_at, m.place, m.video_url,
                                          m.agenda.ToJson().dump(), m.speakers.dump(), env.NowSeconds()})));
    id = c.LastInsertId();
    return {};
  }));
  return id;
}

namespace {
Status RequireMeeting(db::Connection& c, const Assembly& a, int64_t meeting_id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT id FROM meetings WHERE id = ? AND owner_kind = 'assembly' AND owner_id = ?", {meeting_id, a.id}));
  if (!row) return Error::Say(ErrorCode::kNotFound, TING_KEY("assemblies.problem.no_session"));
  return {};
}
}  // namespace

Status SetAttendance(db::Database& db, Env& env, const Assembly& a, int64_t meeting_id, const std::vector<int64_t>& present, int64_t recorded_by) {
  return db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(RequireMeeting(c, a, meeting_id));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("DELETE FROM meeting_attendance WHERE meeting_id = ?", {meeting_id})));
    for (int64_t v : present) {
      TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT seat FROM assembly_volunteers WHERE id = ? AND assembly_id = ?", {v, a.id}));
      if (!row || (row->Str(0) != "invited" && row->Str(0) != "confirmed"))
        return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.not_member"), {{"id", std::to_string(v)}});
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO meeting_attendance(meeting_id, volunteer_id, recorded_by, recorded_at) VALUES(?, ?, ?, ?) "
                                           "ON CONFLICT DO NOTHING",
                                           {meeting_id, v, recorded_by, env.NowSeconds()})));
    }
    return {};
  });
}

Result<int64_t> AddDocument(db::Database& db, Env& env, const Assembly& a, int64_t meeting_id, const std::string& name, std::string_view data) {
  if (Trim(name).empty() || name.size() > 200 || !IsValidUtf8(name) || name.find_first_of("/\\\r\n\"") != std::string::npos)
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.document_name"));
  if (data.empty() || data.size() > kMaxDocumentBytes) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.document_size"));
  // The type comes from the name's ending, among the kinds a session's material has.
  static const std::map<std::string, std::string> kTypes = {
      {".pdf", "application/pdf"}, {".png", "image/png"}, {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".txt", "text/plain; charset=utf-8"},
      {".md", "text/plain; charset=utf-8"}, {".odt", "application/vnd.oasis.opendocument.text"},
      {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
      {".odp", "application/vnd.oasis.opendocument.presentation"}};
  const std::string lower = AsciiLower(name);
  std::string type;
  for (const auto& [ext, t] : kTypes)
    if (EndsWith(lower, ext)) type = t;
  if (type.empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.document_type"));
  if (!env.Files().enabled()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.no_uploads"));
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) { return RequireMeeting(c, a, meeting_id); }));
  const std::string file = core::RandomToken(18) + ".doc";
  TING_RETURN_IF_ERROR(env.Files().Put(file, data));
  int64_t id = 0;
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(RequireMeeting(c, a, meeting_id));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO meeting_documents(meeting_id, name, content_type, size, file, created_at) VALUES(?, ?, ?, ?, ?, ?)",
                                         {meeting_id, std::string(Trim(name)), type, static_cast<int64_t>(data.size()), file, env.NowSeconds()})));
    id = c.LastInsertId();
    return {};
  }));
  return id;
}

Result<std::optional<Document>> FindDocument(db::Database& db, int64_t organisation_id, int64_t document_id) {
  std::optional<Document> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT d.id, d.name, d.content_type, d.file, d.size FROM meeting_documents d "
                                               "JOIN meetings m ON m.id = d.meeting_id WHERE d.id = ? AND m.organisation_id = ?",
                                               {document_id, organisation_id}));
    if (row) out = Document{row->Int(0), row->Str(1), row->Str(2), row->Str(3), row->Int(4)};
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
