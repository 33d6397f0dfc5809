// The assemblies' tables and their reads and writes.

#include "assemblies_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"

namespace ting::components::assemblies {

std::vector<db::Migration> Migrations() {
  return {{1100, "assemblies: set-up, invitations, volunteers, the draw and seat changes", R"sql(
CREATE TABLE assemblies (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  title TEXT NOT NULL,
  question TEXT NOT NULL,
  panel_size INTEGER NOT NULL,
  households INTEGER NOT NULL DEFAULT 0,
  registration TEXT NOT NULL DEFAULT 'invitation' CHECK (registration IN ('invitation', 'open')),
  tolerance INTEGER NOT NULL DEFAULT 1,
  support_threshold INTEGER NOT NULL DEFAULT 80,
  features TEXT NOT NULL,
  dates TEXT NOT NULL DEFAULT '{}',
  frozen_at INTEGER NOT NULL DEFAULT 0,
  inputs_sha256 TEXT NOT NULL DEFAULT '',
  draw_at TEXT NOT NULL DEFAULT '',
  people_csv TEXT NOT NULL DEFAULT '',
  categories_csv TEXT NOT NULL DEFAULT '',
  drawn_at INTEGER NOT NULL DEFAULT 0,
  seed TEXT NOT NULL DEFAULT '',
  record TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE (organisation_id, slug)
);
CREATE TABLE assembly_invitations (
  id INTEGER PRIMARY KEY,
  assembly_id INTEGER NOT NULL REFERENCES assemblies(id) ON DELETE CASCADE,
  resident_id INTEGER REFERENCES residents(id) ON DELETE SET NULL,
  household TEXT NOT NULL DEFAULT '',
  code_hash TEXT NOT NULL UNIQUE,
  used_by INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX assembly_invitations_assembly ON assembly_invitations(assembly_id, resident_id);
CREATE TABLE assembly_volunteers (
  id INTEGER PRIMARY KEY,
  assembly_id INTEGER NOT NULL REFERENCES assemblies(id) ON DELETE CASCADE,
  invitation_id INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  household TEXT NOT NULL DEFAULT '',
  language TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT 'web' CHECK (source IN ('web', 'import')),
  answers TEXT NOT NULL,
  needs TEXT NOT NULL DEFAULT '{}',
  consent_at INTEGER NOT NULL,
  pseudonym TEXT NOT NULL DEFAULT '',
  household_pseudonym TEXT NOT NULL DEFAULT '',
  seat TEXT NOT NULL DEFAULT '' CHECK (seat IN ('', 'invited', 'confirmed', 'declined')),
  reserve_rank INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX assembly_volunteers_assembly ON assembly_volunteers(assembly_id, seat);
CREATE TABLE assembly_seat_changes (
  id INTEGER PRIMARY KEY,
  assembly_id INTEGER NOT NULL REFERENCES assemblies(id) ON DELETE CASCADE,
  out_pseudonym TEXT NOT NULL,
  in_pseudonym TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL CHECK (source IN ('reserve', 'redraw', 'none')),
  at INTEGER NOT NULL
);
)sql"},
          {1110, "assemblies: who attended each session (a meeting of the assembly)", R"sql(
CREATE TABLE assembly_attendance (
  meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  volunteer_id INTEGER NOT NULL REFERENCES assembly_volunteers(id) ON DELETE CASCADE,
  recorded_by INTEGER,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (meeting_id, volunteer_id)
);
)sql"},
          {1120, "assemblies: recommendations, comments, members' votes, answers and follow-up", R"sql(
CREATE TABLE assembly_recommendations (
  id INTEGER PRIMARY KEY,
  assembly_id INTEGER NOT NULL REFERENCES assemblies(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  author_id INTEGER NOT NULL DEFAULT 0,
  edited_by INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'adopted', 'not_adopted')),
  yes_votes INTEGER NOT NULL DEFAULT 0,
  no_votes INTEGER NOT NULL DEFAULT 0,
  abstentions INTEGER NOT NULL DEFAULT 0,
  members INTEGER NOT NULL DEFAULT 0,
  decision TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'accepted', 'partly', 'rejected')),
  answer TEXT NOT NULL DEFAULT '{}',
  answered_at INTEGER NOT NULL DEFAULT 0,
  progress TEXT NOT NULL DEFAULT '' CHECK (progress IN ('', 'planned', 'in_progress', 'done', 'cancelled')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX assembly_recommendations_assembly ON assembly_recommendations(assembly_id, id);
CREATE TABLE recommendation_comments (
  id INTEGER PRIMARY KEY,
  recommendation_id INTEGER NOT NULL REFERENCES assembly_recommendations(id) ON DELETE CASCADE,
  volunteer_id INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE recommendation_votes (
  recommendation_id INTEGER NOT NULL REFERENCES assembly_recommendations(id) ON DELETE CASCADE,
  volunteer_id INTEGER NOT NULL REFERENCES assembly_volunteers(id) ON DELETE CASCADE,
  vote TEXT NOT NULL CHECK (vote IN ('yes', 'no', 'abstain')),
  at INTEGER NOT NULL,
  PRIMARY KEY (recommendation_id, volunteer_id)
);
CREATE TABLE recommendation_updates (
  id INTEGER PRIMARY KEY,
  recommendation_id INTEGER NOT NULL REFERENCES assembly_recommendations(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
)sql"}};
}

namespace {

std::map<std::string, std::string> StringMap(const std::string& stored) {
  std::map<std::string, std::string> out;
  json j = json::parse(stored, nullptr, false);
  if (j.is_object())
    for (const auto& [k, v] : j.items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

}  // namespace

Assembly AssemblyFromRow(const db::Row& r, const core::Organisation& org) {
  Assembly a;
  a.languages = org.languages;
  a.time_zone = org.time_zone;
  a.id = r.Int(0);
  a.organisation_id = r.Int(1);
  a.slug = r.Str(2);
  a.title = Translated::FromStored(r.Str(3), a.default_language());
  a.question = Translated::FromStored(r.Str(4), a.default_language());
  a.panel_size = r.Int(5);
  a.households = r.Int(6) != 0;
  a.invitation_only = r.Str(7) == "invitation";
  a.tolerance = r.Int(8);
  a.support_threshold = r.Int(9);
  // The stored features are the normalised JSON; min and max are explicit in it.
  json stored = json::parse(r.Str(10), nullptr, false);
  if (stored.is_object()) {
    // Languages stored earlier may have been removed from the organisation since: read them all
    // (questions: {feature: {lang: text}}; labels: {feature: {value: {"label": {lang: text}}}}).
    std::vector<std::string> any = a.languages;
    for (const auto& [_, texts] : stored["questions"].items())
      for (const auto& [lang, _2] : texts.items()) any.push_back(lang);
    for (const auto& [_, values] : stored["features"].items())
      for (const auto& [_2, quota] : values.items())
        if (quota.is_object() && quota.contains("label") && quota["label"].is_object())
          for (const auto& [lang, _3] : quota["label"].items()) any.push_back(lang);
    // Stored min and max are explicit, so no quota is recomputed from a share.
    if (auto features = FeaturesFromJson(stored["features"], stored["questions"], a.panel_size, a.tolerance, any); features.ok())
      a.features = std::move(*features);
  }
  a.dates = StringMap(r.Str(11));
  a.frozen_at = r.Int(12);
  a.inputs_sha256 = r.Str(13);
  a.draw_at = r.Str(14);
  a.people_csv = r.Str(15);
  a.categories_csv = r.Str(16);
  a.drawn_at = r.Int(17);
  a.seed = r.Str(18);
  a.record = json::parse(r.Str(19), nullptr, false);
  if (!a.record.is_object()) a.record = json::object();
  return a;
}

Volunteer VolunteerFromRow(const db::Row& r) {
  Volunteer v;
  v.id = r.Int(0);
  v.assembly_id = r.Int(1);
  v.invitation_id = r.Int(2);
  v.name = r.Str(3);
  v.email = r.Str(4);
  v.phone = r.Str(5);
  v.household = r.Str(6);
  v.language = r.Str(7);
  v.source = r.Str(8);
  v.answers = StringMap(r.Str(9));
  v.needs = StringMap(r.Str(10));
  v.pseudonym = r.Str(11);
  v.household_pseudonym = r.Str(12);
  v.seat = r.Str(13);
  v.reserve_rank = r.Int(14);
  v.created_at = r.Int(15);
  return v;
}

Result<std::optional<Assembly>> Store::Find(const core::Organisation& org, std::string_view slug) {
  std::optional<Assembly> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kAssemblyColumns + " FROM assemblies WHERE organisation_id = ? AND slug = ?",
                                               {org.id, std::string(slug)}));
    if (row) out = AssemblyFromRow(*row, org);
    return {};
  }));
  return out;
}

Result<std::vector<Assembly>> Store::List(const core::Organisation& org) {
  std::vector<Assembly> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kAssemblyColumns + " FROM assemblies WHERE organisation_id = ? ORDER BY created_at DESC, id DESC",
                                             {org.id}));
    out.clear();
    for (const auto& r : rows) out.push_back(AssemblyFromRow(r, org));
    return {};
  }));
  return out;
}

namespace {
std::string StoredFeatures(const Assembly& a) {
  return json{{"features", FeaturesToJson(a.features)}, {"questions", QuestionsToJson(a.features)}}.dump();
}
}  // namespace

Status Store::Create(const core::Organisation& org, Assembly& a) {
  a.organisation_id = org.id;
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto existing, c.QueryOne("SELECT id FROM assemblies WHERE organisation_id = ? AND slug = ?", {org.id, a.slug}));
    if (existing) return Error::Say(ErrorCode::kAlreadyExists, TING_KEY("assemblies.problem.slug_taken"), {{"slug", a.slug}});
    TING_RETURN_IF_ERROR(StatusOf(c.Exec(
        "INSERT INTO assemblies(organisation_id, slug, title, question, panel_size, households, registration, tolerance, support_threshold, "
        "features, dates, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {org.id, a.slug, a.title.ToJson().dump(), a.question.ToJson().dump(), a.panel_size, int64_t{a.households},
         std::string(a.invitation_only ? "invitation" : "open"), a.tolerance, a.support_threshold, StoredFeatures(a), json(a.dates).dump(),
         env_.NowSeconds()})));
    a.id = c.LastInsertId();
    return {};
  });
}

Status Store::Update(const Assembly& a) {
  return db_.Write([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT frozen_at FROM assemblies WHERE id = ?", {a.id}));
    if (!row) return Error::Say(ErrorCode::kNotFound, TING_KEY("assemblies.not_found"));
    if (row->Int(0) != 0) return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.frozen"));
    return StatusOf(c.Exec(
        "UPDATE assemblies SET title = ?, question = ?, panel_size = ?, households = ?, registration = ?, tolerance = ?, support_threshold = ?, "
        "features = ?, dates = ? WHERE id = ?",
        {a.title.ToJson().dump(), a.question.ToJson().dump(), a.panel_size, int64_t{a.households}, std::string(a.invitation_only ? "invitation" : "open"),
         a.tolerance, a.support_threshold, StoredFeatures(a), json(a.dates).dump(), a.id}));
  });
}

namespace {
Result<std::vector<Volunteer>> VolunteersWhere(db::Database& db, int64_t assembly_id, const char* condition) {
  std::vector<Volunteer> out;
  TING_RETURN_IF_ERROR(db.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query(std::string("SELECT ") + kVolunteerColumns + " FROM assembly_volunteers WHERE assembly_id = ?" + condition +
                                                 " ORDER BY id",
                                             {assembly_id}));
    out.clear();
    for (const auto& r : rows) out.push_back(VolunteerFromRow(r));
    return {};
  }));
  return out;
}
}  // namespace

Result<std::vector<Volunteer>> Store::Volunteers(int64_t assembly_id) { return VolunteersWhere(db_, assembly_id, ""); }

Result<std::vector<Volunteer>> Store::SeatHolders(int64_t assembly_id) { return VolunteersWhere(db_, assembly_id, " AND seat <> ''"); }

Result<std::optional<Volunteer>> Store::VolunteerById(int64_t assembly_id, int64_t id) {
  std::optional<Volunteer> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(std::string("SELECT ") + kVolunteerColumns + " FROM assembly_volunteers WHERE assembly_id = ? AND id = ?",
                                               {assembly_id, id}));
    if (row) out = VolunteerFromRow(*row);
    return {};
  }));
  return out;
}

Result<int64_t> Store::CountVolunteers(int64_t assembly_id) {
  int64_t n = 0;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT COUNT(*) FROM assembly_volunteers WHERE assembly_id = ?", {assembly_id}));
    n = row ? row->Int(0) : 0;
    return {};
  }));
  return n;
}

Result<std::vector<int64_t>> Store::AddVolunteers(const Assembly& a, std::vector<Volunteer> volunteers, const std::string& code_hash) {
  std::vector<int64_t> ids;
  const int64_t now = env_.NowSeconds();
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    ids.clear();
    // Checked again inside the write: a freeze that committed first closes registration.
    TING_ASSIGN_OR_RETURN(auto state, c.QueryOne("SELECT frozen_at FROM assemblies WHERE id = ?", {a.id}));
    if (!state || state->Int(0) != 0) return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.closed"));
    int64_t invitation = 0;
    if (!code_hash.empty()) {
      TING_ASSIGN_OR_RETURN(auto inv, c.QueryOne("SELECT id, used_by, household FROM assembly_invitations WHERE assembly_id = ? AND code_hash = ?",
                                                 {a.id, code_hash}));
      if (!inv) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.code"));
      if (!inv->IsNull(1)) return Error::Say(ErrorCode::kConflict, TING_KEY("assemblies.problem.code_used"));
      invitation = inv->Int(0);
      // The register's household wins over what was typed: it is what the letter went to.
      if (!volunteers.empty() && !inv->Str(2).empty()) volunteers.front().household = inv->Str(2);
    }
    for (size_t i = 0; i < volunteers.size(); ++i) {
      const Volunteer& v = volunteers[i];
      TING_RETURN_IF_ERROR(StatusOf(c.Exec(
          "INSERT INTO assembly_volunteers(assembly_id, invitation_id, name, email, phone, household, language, source, answers, needs, consent_at, "
          "created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {a.id, i == 0 ? invitation : int64_t{0}, v.name, v.email, v.phone, v.household, v.language, v.source, json(v.answers).dump(),
           json(v.needs).dump(), now, now})));
      ids.push_back(c.LastInsertId());
    }
    if (invitation != 0)
      TING_RETURN_IF_ERROR(StatusOf(c.Exec("UPDATE assembly_invitations SET used_by = ? WHERE id = ?", {ids.front(), invitation})));
    return {};
  }));
  return ids;
}

Result<std::string> Store::Stage(const Assembly& a) {
  if (!a.frozen()) return std::string("registration");
  if (!a.drawn()) return std::string("frozen");
  std::string stage = "panel";
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne(
        "SELECT (SELECT COUNT(*) FROM meetings WHERE owner_kind = 'assembly' AND owner_id = ? AND organisation_id = ?), "
        "(SELECT COUNT(*) FROM assembly_recommendations WHERE assembly_id = ? AND status <> 'draft'), "
        "(SELECT COUNT(*) FROM assembly_recommendations WHERE assembly_id = ? AND decision <> '')",
        {a.id, a.organisation_id, a.id, a.id}));
    if (row->Int(2) > 0) {
      stage = "answers";
    } else if (row->Int(1) > 0) {
      stage = "recommendations";
    } else if (row->Int(0) > 0) {
      stage = "sessions";
    }
    return {};
  }));
  return stage;
}

}  // namespace ting::components::assemblies
