#pragma once
// The assemblies component's model (model.cc), store (store.cc) and the freeze, draw and seat
// rules (draw.cc). Handlers are in api.cc and pages.cc; assemblies_component.cc mounts them.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ting/base/env.h"
#include "ting/base/result.h"
#include "ting/base/translated.h"
#include "ting/components/meetings.h"
#include "ting/core/accounts.h"
#include "ting/db/database.h"
#include "ting/sortition/pool.h"
#include "ting/web/component.h"

namespace ting::components::assemblies {

using json = nlohmann::json;

const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/

// --- Model -----------------------------------------------------------------------------------

struct Quota {
  std::string value;             // as categories.csv has it
  int64_t min = 0, max = 0;
  std::optional<double> share;   // the population's share, when the quota came from one
  Translated label;              // how the form shows the value (the value itself when absent)
  // The label in lang, else in fallback (the default language), else the value itself.
  const std::string& Label(std::string_view lang, std::string_view fallback) const {
    return label.Has(lang) || label.Has(fallback) ? label.Get(lang, fallback) : value;
  }
};

struct Feature {
  std::string name;
  Translated question;           // what the registration form asks (the name when empty)
  std::vector<Quota> values;     // in the order given
  // The value matching an answer without case (sortition::FoldCase), or nullptr.
  const Quota* Find(std::string_view answer) const;
};

inline constexpr const char* kStages[] = {"registration", "frozen", "panel", "sessions", "recommendations", "answers"};
inline constexpr const char* kDateNames[] = {"registration_closes", "draw", "first_session", "recommendations", "answers"};

struct Assembly {
  int64_t id = 0, organisation_id = 0;
  std::string slug;
  Translated title, question;
  int64_t panel_size = 0;
  bool households = false;
  bool invitation_only = true;
  int64_t tolerance = 1;
  int64_t support_threshold = 80;  // percent of members
  std::vector<Feature> features;   // by name
  std::map<std::string, std::string> dates;  // kDateNames -> "YYYY-MM-DD"
  std::vector<std::string> languages = {"sv", "en"};
  std::string time_zone;
  // Set by the freeze and the draw.
  int64_t frozen_at = 0, drawn_at = 0;
  std::string inputs_sha256, draw_at, people_csv, categories_csv, seed;
  json record;  // the draw's record (algorithm, probabilities, panel and reserve pseudonyms, ...)

  const std::string& default_language() const { return languages.front(); }
  const std::string& Title(std::string_view lang) const { return title.Get(lang, default_language()); }
  const std::string& Question(std::string_view lang) const { return question.Get(lang, default_language()); }
  const Feature* FindFeature(std::string_view name) const;
  bool frozen() const { return frozen_at != 0; }
  bool drawn() const { return drawn_at != 0; }
  // Registration is open until the freeze and until the day after registration_closes.
  bool RegistrationOpen(const std::string& today) const;
};

// The API's and the seed's JSON form of an assembly's set-up. Errors are kInvalidArgument naming
// the field. `languages` are the organisation's content languages, default first.
Result<Assembly> AssemblyFromJson(const json& body, const std::vector<std::string>& languages);
// The "features" and "questions" parts of that form (also how they are stored).
Result<std::vector<Feature>> FeaturesFromJson(const json& features, const json& questions, int64_t panel_size, int64_t tolerance,
                                              const std::vector<std::string>& languages);
// The features with their questions and labels, as stored and as the API shows them.
json FeaturesToJson(const std::vector<Feature>& features);
json QuestionsToJson(const std::vector<Feature>& features);
json AssemblyToJson(const Assembly& a, const std::string& stage, int64_t volunteers);

// A field of the published inputs, exactly as `ting select` reads it back: quoted only when it
// holds a comma or a quote (names cannot hold line breaks). Unlike CsvField, nothing is added
// against spreadsheet formulas: these files are data for a program and must be byte-exact.
std::string CsvCell(std::string_view text);

// The quotas as sortition categories (categories.csv's rows, in feature then value order).
std::string CategoriesCsv(const Assembly& a);

// --- Volunteers ------------------------------------------------------------------------------

inline constexpr const char* kNeeds[] = {"access", "childcare", "interpreter", "dietary", "other"};

struct Volunteer {
  int64_t id = 0, assembly_id = 0, invitation_id = 0;
  std::string name, email, phone, household, language, source = "web";
  std::map<std::string, std::string> answers;  // feature -> value (as the quota writes it)
  std::map<std::string, std::string> needs;    // kNeeds -> text
  std::string pseudonym, household_pseudonym, seat;  // seat: "", "invited", "confirmed", "declined"
  int64_t reserve_rank = 0;  // place in the reserve order (1-based), 0 when none
  int64_t created_at = 0;
};

// Reads a volunteer from the API's JSON or a CSV row's fields: every feature answered with one
// of its values, consent given. The error names the field (in English, for the import's lines)
// and carries the catalogue key for people.
Result<Volunteer> VolunteerFromFields(const Assembly& a, const std::map<std::string, std::string>& fields,
                                      const std::map<std::string, std::string>& answers, bool consent);

// A household as compared: folded case, spaces collapsed ("Storgatan  1" = "storgatan 1").
std::string HouseholdKey(std::string_view household);

// --- Store -----------------------------------------------------------------------------------

std::vector<db::Migration> Migrations();

class Store {
 public:
  Store(db::Database& db, Env& env) : db_(db), env_(env) {}

  Result<std::optional<Assembly>> Find(const core::Organisation& org, std::string_view slug);
  Result<std::vector<Assembly>> List(const core::Organisation& org);
  Status Create(const core::Organisation& org, Assembly& a);
  Status Update(const Assembly& a);  // the set-up; kConflict after the freeze

  Result<std::vector<Volunteer>> Volunteers(int64_t assembly_id);
  Result<std::optional<Volunteer>> VolunteerById(int64_t assembly_id, int64_t id);
  // The drawn: everyone with a seat (invited, confirmed or declined).
  Result<std::vector<Volunteer>> SeatHolders(int64_t assembly_id);
  Result<int64_t> CountVolunteers(int64_t assembly_id);
  // Adds volunteers in one transaction; with an invitation code (normalised) for the first, the
  // code is used up. Returns their ids in order.
  Result<std::vector<int64_t>> AddVolunteers(const Assembly& a, std::vector<Volunteer> volunteers, const std::string& code_hash);

  // The stage, from what exists (see docs/assemblies.md).
  Result<std::string> Stage(const Assembly& a);

 private:
  db::Database& db_;
  Env& env_;
};

Assembly AssemblyFromRow(const db::Row& r, const core::Organisation& org);
inline constexpr const char* kAssemblyColumns =
    "id, organisation_id, slug, title, question, panel_size, households, registration, tolerance, support_threshold, features, "
    "dates, frozen_at, inputs_sha256, draw_at, people_csv, categories_csv, drawn_at, seed, record";
Volunteer VolunteerFromRow(const db::Row& r);
inline constexpr const char* kVolunteerColumns =
    "id, assembly_id, invitation_id, name, email, phone, household, language, source, answers, needs, pseudonym, "
    "household_pseudonym, seat, reserve_rank, created_at";

// --- Freeze, draw, seats (draw.cc) ---------------------------------------------------------------

// The pseudonymised inputs of the draw, as published: people.csv's text from the volunteers
// (who must have pseudonyms) and the sortition inputs parsed back from the two texts.
std::string PeopleCsv(const Assembly& a, const std::vector<Volunteer>& volunteers);
struct Inputs {
  sortition::Categories categories;
  sortition::Pool pool;
  std::vector<std::string> address_columns;
  std::string digest;
};
Result<Inputs> ParseInputs(const Assembly& a, const std::string& people_csv, const std::string& categories_csv);

// The freeze: pseudonyms, the CSVs and their digest, stored; the quotas checked first. When they
// cannot be met, kInfeasible and `infeasible` holds the API's answer (conflicts, relaxation); with
// accept_relaxation the relaxation is applied to the quotas first.
struct FreezeRequest {
  std::string draw_at;
  bool accept_relaxation = false;
};
Status Freeze(db::Database& db, Env& env, Assembly& a, const FreezeRequest& r, json& infeasible);

// Called inside the write for each person who gets a seat (the draw's panel, a replacement):
// the component queues their message there.
using SeatHook = std::function<Status(db::Connection&, const Volunteer&)>;

// The draw with a seed: the panel as `ting select` draws it, the reserve order, the record.
Status Draw(db::Database& db, Env& env, Assembly& a, const std::string& seed, const SeatHook& on_seat, json& infeasible);

// Records a member's answer. A decline gives the seat to the first in the reserve order whose
// entry keeps every quota and household rule; returns that person's id (0: nobody can).
Result<int64_t> AnswerSeat(db::Database& db, const Assembly& a, int64_t volunteer_id, bool confirm, const SeatHook& on_seat, Env& env);

// The seat holders (invited or confirmed) per feature value, against the quotas.
json MakeUp(const Assembly& a, const std::vector<Volunteer>& volunteers);
// The public record: pseudonyms only.
Result<json> PublicRecord(db::Database& db, const Assembly& a, const std::vector<Volunteer>& volunteers);

// A member's seat key: an HMAC of the seat under the instance's secret (not stored).
std::string SeatKey(const std::string& secret, int64_t assembly_id, int64_t volunteer_id);

}  // namespace ting::components::assemblies

namespace ting::components::assemblies {

// --- Sessions' attendance and recommendations (work.cc) ----------------------------------------

// Sessions are meetings (ting/components/meetings.h) owned by the assembly.
inline MeetingOwner SessionsOf(const Assembly& a) { return {"assembly", a.id, a.organisation_id}; }
// Present volunteers must hold a seat on the panel; replaces the session's attendance.
Status SetAttendance(db::Database& db, Env& env, const Assembly& a, int64_t meeting_id, const std::vector<int64_t>& present, int64_t recorded_by);
// Each session's present volunteers, by meeting id.
Result<std::map<int64_t, std::vector<int64_t>>> AttendanceOf(db::Database& db, const Assembly& a);

inline constexpr const char* kDecisions[] = {"accepted", "partly", "rejected"};
inline constexpr const char* kProgress[] = {"planned", "in_progress", "done", "cancelled"};

struct Recommendation {
  struct Comment {
    int64_t id = 0, volunteer_id = 0, created_at = 0;
    std::string body;
  };
  struct Update {
    std::string status, body;
    int64_t created_at = 0;
  };
  int64_t id = 0, author_id = 0, yes = 0, no = 0, abstain = 0, members = 0, answered_at = 0, created_at = 0, updated_at = 0;
  std::string title, body, status = "draft", decision, progress;
  Translated answer;
  std::vector<Comment> comments;
  std::vector<Update> updates;
  std::map<int64_t, std::string> votes;  // volunteer -> vote (drafts: the votes so far)
  // Support as a whole percentage of the members, rounded down.
  int64_t SupportPercent() const { return members > 0 ? yes * 100 / members : 0; }
};

Result<std::vector<Recommendation>> Recommendations(db::Database& db, int64_t assembly_id);
Result<int64_t> AddRecommendation(db::Database& db, Env& env, const Assembly& a, int64_t author, const std::string& title, const std::string& body);
Status EditRecommendation(db::Database& db, Env& env, const Assembly& a, int64_t id, int64_t editor, const std::string& title, const std::string& body);
Status CommentOn(db::Database& db, Env& env, const Assembly& a, int64_t id, int64_t volunteer, const std::string& body);
Status CastVote(db::Database& db, Env& env, const Assembly& a, int64_t id, int64_t volunteer, const std::string& vote);
// Counts the votes: adopted when yes × 100 ≥ threshold × members (confirmed seats).
Result<Recommendation> CloseVote(db::Database& db, Env& env, const Assembly& a, int64_t id);
Status AnswerRecommendation(db::Database& db, Env& env, const Assembly& a, int64_t id, const std::string& decision, const Translated& answer);
Status ReportProgress(db::Database& db, Env& env, const Assembly& a, int64_t id, const std::string& status, const std::string& body);

}  // namespace ting::components::assemblies
