#pragma once
// Meetings: a dated event of a process or an assembly — an assembly's session, a budget's
// information evening or proposal workshop at the library — with a place or a video link, an
// agenda, speakers, material (uploaded documents) and, when the organisers want it, sign-ups
// with a capacity. Owned by kind and id ("process", "assembly"), so any process type can have them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ting/base/env.h"
#include "ting/base/result.h"
#include "ting/base/translated.h"
#include "ting/db/database.h"
#include "ting/web/component.h"

namespace ting::components {

struct MeetingDocument {
  int64_t id = 0;
  std::string name, content_type, file;
  int64_t size = 0;
  std::string Url() const { return "/meetings/documents/" + std::to_string(id); }
};

struct Meeting {
  int64_t id = 0;
  Translated title, agenda;
  std::string starts_at, ends_at, place, video_url;  // times "YYYY-MM-DDTHH:MM", local to the organisation
  nlohmann::json speakers = nlohmann::json::array();  // [{"name", "about"}]
  bool sign_up = false;   // takes sign-ups (a public event); an assembly's sessions do not
  int64_t capacity = 0;   // places for sign-ups, 0: no limit
  int64_t signed_up = 0;  // sign-ups so far
  std::vector<MeetingDocument> documents;
  // "12 december 18:00" style parts for pages.
  std::string Date() const { return starts_at.substr(0, 10); }
  std::string Time() const { return starts_at.size() >= 16 ? starts_at.substr(11, 5) : ""; }
  bool Full() const { return capacity > 0 && signed_up >= capacity; }
};

// Who a meeting belongs to.
struct MeetingOwner {
  std::string kind;  // "process" or "assembly"
  int64_t id = 0;
  int64_t organisation_id = 0;
};

// The API's JSON form: {"title": {lang: text}, "starts_at", "ends_at"?, "place"?, "video_url"?
// (https), "agenda"?: {lang: markdown}, "speakers"?: [{"name", "about"?}], "sign_up"?: bool,
// "capacity"?: N}. Errors are kInvalidArgument naming the field.
Result<Meeting> MeetingFromJson(const nlohmann::json& body, const std::vector<std::string>& languages);
// insider: the video link too (members, staff).
nlohmann::json MeetingToJson(const Meeting& m, const std::string& lang, const std::string& default_lang, bool insider);

Result<std::vector<Meeting>> MeetingsOf(db::Database& db, const MeetingOwner& owner);
Result<int64_t> AddMeeting(db::Database& db, Env& env, const MeetingOwner& owner, const Meeting& m);
// kNotFound (meetings.problem.no_meeting) unless the meeting is the owner's.
Status RequireMeetingIn(db::Connection& c, const MeetingOwner& owner, int64_t meeting_id);
// A document (≤ 10 MB; PDF, images, text, office formats, by the name's ending) of the owner's meeting.
Result<int64_t> AddMeetingDocument(db::Database& db, Env& env, const MeetingOwner& owner, int64_t meeting_id, const std::string& name,
                                   std::string_view data);

struct MeetingSignUp {
  int64_t id = 0;
  std::string name, email, phone, needs, language;
  int64_t created_at = 0;
};
// Signs a person up (name, and an email or a phone; consent given). kConflict when the meeting
// is full or has passed, kFailedPrecondition when it takes no sign-ups.
Result<int64_t> SignUp(db::Database& db, Env& env, const MeetingOwner& owner, int64_t meeting_id, const MeetingSignUp& s,
                       const std::string& today);
Result<std::vector<MeetingSignUp>> SignUpsOf(db::Database& db, const MeetingOwner& owner, int64_t meeting_id);

web::Manifest MeetingsManifest();

// The component's part of the demo (seed.cc): meetings of the 2026 participatory budget.
Status SeedMeetings(web::Demo& demo);

}  // namespace ting::components
