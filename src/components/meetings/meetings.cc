// Meetings' model and store: the JSON form, the tables, documents and sign-ups.

#include <map>

#include "meetings_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/core/accounts.h"
#include "ting/web/json_fields.h"

namespace ting::components {

namespace meetings {

std::vector<db::Migration> Migrations() {
  return {{1000, "meetings of processes and assemblies, their documents and sign-ups", R"sql(
CREATE TABLE meetings (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('assembly', 'process')),
  owner_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  ends_at TEXT NOT NULL DEFAULT '',
  place TEXT NOT NULL DEFAULT '',
  video_url TEXT NOT NULL DEFAULT '',
  agenda TEXT NOT NULL DEFAULT '{}',
  speakers TEXT NOT NULL DEFAULT '[]',
  sign_up INTEGER NOT NULL DEFAULT 0,
  capacity INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX meetings_owner ON meetings(owner_kind, owner_id, starts_at);
CREATE TABLE meeting_documents (
  id INTEGER PRIMARY KEY,
  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  file TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX meeting_documents_meeting ON meeting_documents(meeting_id);
CREATE TABLE meeting_signups (
  id INTEGER PRIMARY KEY,
  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  needs TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX meeting_signups_meeting ON meeting_signups(meeting_id);
)sql"}};
}

}  // namespace meetings

namespace {

constexpr size_t kMaxDocumentBytes = 10 * 1024 * 1024;

bool ValidLocalTime(const std::string& t) {
  if (t.size() != 16 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15})
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
  int month = std::stoi(t.substr(5, 2)), day = std::stoi(t.substr(8, 2)), hour = std::stoi(t.substr(11, 2)), minute = std::stoi(t.substr(14, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60;
}

}  // namespace

Result<Meeting> MeetingFromJson(const nlohmann::json& body, const std::vector<std::string>& languages) {
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
  web::JsonFields f(body);
  m.sign_up = f.Bool("sign_up").value_or(false);
  m.capacity = f.Int("capacity").value_or(0);
  TING_RETURN_IF_ERROR(f.Check());
  if (m.capacity < 0 || m.capacity > 1000000) return Error::Invalid("\"capacity\" is a number of places from 0 (no limit) to 1000000");
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

nlohmann::json MeetingToJson(const Meeting& m, const std::string& lang, const std::string& default_lang, bool insider) {
  nlohmann::json docs = nlohmann::json::array();
  for (const auto& d : m.documents) docs.push_back({{"id", d.id}, {"name", d.name}, {"size", d.size}, {"url", d.Url()}});
  nlohmann::json out = {{"id", m.id},           {"title", m.title.Get(lang, default_lang)}, {"titles", m.title.ToJson()},
                        {"starts_at", m.starts_at}, {"ends_at", m.ends_at}, {"place", m.place},
                        {"agenda", m.agenda.Get(lang, default_lang)}, {"speakers", m.speakers}, {"documents", docs},
                        {"sign_up", m.sign_up}, {"capacity", m.capacity}, {"signed_up", m.signed_up}, {"full", m.Full()}};
  if (insider) out["video_url"] = m.video_url;
  return out;
}

Result<std::vector<Meeting>> MeetingsOf(db::Database& db, const MeetingOwner& owner) {
  std::vector<Meeting> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    out.clear();
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, title, starts_at, ends_at, place, video_url, agenda, speakers, sign_up, capacity, "
                                             "(SELECT COUNT(*) FROM meeting_signups s WHERE s.meeting_id = meetings.id) FROM meetings "
                                             "WHERE owner_kind = ? AND owner_id = ? AND organisation_id = ? ORDER BY starts_at, id",
                                             {owner.kind, owner.id, owner.organisation_id}));
    for (const auto& r : rows) {
      Meeting m;
      m.id = r.Int(0);
      m.title = Translated::FromStored(r.Str(1), "sv");
      m.starts_at = r.Str(2);
      m.ends_at = r.Str(3);
      m.place = r.Str(4);
      m.video_url = r.Str(5);
      m.agenda = Translated::FromStored(r.Str(6), "sv");
      m.speakers = nlohmann::json::parse(r.Str(7), nullptr, false);
      if (!m.speakers.is_array()) m.speakers = nlohmann::json::array();
      m.sign_up = r.Int(8) != 0;
      m.capacity = r.Int(9);
      m.signed_up = r.Int(10);
      TING_ASSIGN_OR_RETURN(auto docs, c.Query("SELECT id, name, content_type, file, size FROM meeting_documents WHERE meeting_id = ? ORDER BY id", {m.id}));
      for (const auto& d : docs) m.documents.push_back({d.Int(0), d.Str(1), d.Str(2), d.Str(3), d.Int(4)});
      out.push_back(std::move(m));
    }
    return {};
  }));
  return out;
}

Result<int64_t> AddMeeting(db::Database& db, Env& env, const MeetingOwner& owner, const Meeting& m) {
  int64_t id = 0;
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO meetings(organisation_id, owner_kind, owner_id, title, starts_at, ends_at, place, video_url, agenda, "
                                         "speakers, sign_up, capacity, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                         {owner.organisation_id, owner.kind, owner.id, m.title.ToJson().dump(), m.starts_at, m.ends_at, m.place,
                                          m.video_url, m.agenda.ToJson().dump(), m.speakers.dump(), int64_t{m.sign_up}, m.capacity,
                                          env.NowSeconds()})));
    id = c.LastInsertId();
    return {};
  }));
  return id;
}

Status RequireMeetingIn(db::Connection& c, const MeetingOwner& owner, int64_t meeting_id) {
  TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT id FROM meetings WHERE id = ? AND owner_kind = ? AND owner_id = ? AND organisation_id = ?",
                                             {meeting_id, owner.kind, owner.id, owner.organisation_id}));
  if (!row) return Error::Say(ErrorCode::kNotFound, TING_KEY("meetings.problem.no_meeting"));
  return {};
}

Result<int64_t> AddMeetingDocument(db::Database& db, Env& env, const MeetingOwner& owner, int64_t meeting_id, const std::string& name,
                                   std::string_view data) {
  if (Trim(name).empty() || name.size() > 200 || !IsValidUtf8(name) || name.find_first_of("/\\\r\n\"") != std::string::npos)
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("meetings.problem.document_name"));
  if (data.empty() || data.size() > kMaxDocumentBytes) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("meetings.problem.document_size"));
  // The type comes from the name's ending, among the kinds a meeting's material has.
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
  if (type.empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("meetings.problem.document_type"));
  if (!env.Files().enabled()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("meetings.problem.no_uploads"));
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) { return RequireMeetingIn(c, owner, meeting_id); }));
  const std::string file = core::RandomToken(18) + ".doc";
  TING_RETURN_IF_ERROR(env.Files().Put(file, data));
  int64_t id = 0;
  // A file whose row failed stays unreferenced and is never served (names are random).
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(RequireMeetingIn(c, owner, meeting_id));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO meeting_documents(meeting_id, name, content_type, size, file, created_at) VALUES(?, ?, ?, ?, ?, ?)",
                                         {meeting_id, std::string(Trim(name)), type, static_cast<int64_t>(data.size()), file, env.NowSeconds()})));
    id = c.LastInsertId();
    return {};
  }));
  return id;
}

Result<int64_t> SignUp(db::Database& db, Env& env, const MeetingOwner& owner, int64_t meeting_id, const MeetingSignUp& s, const std::string& today) {
  for (const auto* text : {&s.name, &s.email, &s.phone, &s.needs, &s.language})
    if (!IsValidUtf8(*text) || text->size() > 500) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("meetings.problem.text"));
  if (Trim(s.name).empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("meetings.problem.name"));
  if (Trim(s.email).empty() && Trim(s.phone).empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("meetings.problem.contact"));
  std::string email;
  if (!Trim(s.email).empty()) {
    auto normalised = core::NormaliseEmail(s.email);
    if (!normalised) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("meetings.problem.email"));
    email = *normalised;
  }
  int64_t id = 0;
  TING_RETURN_IF_ERROR(db.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(RequireMeetingIn(c, owner, meeting_id));
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT sign_up, capacity, starts_at, (SELECT COUNT(*) FROM meeting_signups WHERE meeting_id = ?) "
                                               "FROM meetings WHERE id = ?",
                                               {meeting_id, meeting_id}));
    if (row->Int(0) == 0) return Error::Say(ErrorCode::kFailedPrecondition, TING_KEY("meetings.problem.no_sign_up"));
    if (row->Str(2).substr(0, 10) < today) return Error::Say(ErrorCode::kConflict, TING_KEY("meetings.problem.passed"));
    // Counted inside the write: two people cannot take the last place.
    if (row->Int(1) > 0 && row->Int(3) >= row->Int(1)) return Error::Say(ErrorCode::kConflict, TING_KEY("meetings.problem.full"));
    TING_RETURN_IF_ERROR(StatusOf(c.Exec("INSERT INTO meeting_signups(meeting_id, name, email, phone, needs, language, created_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
                                         {meeting_id, std::string(Trim(s.name)), email, std::string(Trim(s.phone)),
                                          std::string(Trim(s.needs)), s.language, env.NowSeconds()})));
    id = c.LastInsertId();
    return {};
  }));
  return id;
}

Result<std::vector<MeetingSignUp>> SignUpsOf(db::Database& db, const MeetingOwner& owner, int64_t meeting_id) {
  std::vector<MeetingSignUp> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    out.clear();
    TING_RETURN_IF_ERROR(RequireMeetingIn(c, owner, meeting_id));
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id, name, email, phone, needs, language, created_at FROM meeting_signups WHERE meeting_id = ? ORDER BY id",
                                             {meeting_id}));
    for (const auto& r : rows) out.push_back({r.Int(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Str(5), r.Int(6)});
    return {};
  }));
  return out;
}

}  // namespace ting::components
