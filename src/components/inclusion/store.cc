// The inclusion component's tables: its settings, people's answers (apart from ballots: keyed by
// account or register person, never by ballot), the population reference and whether a
// process's dashboard is public.

#include "store.h"

namespace ting::components::inclusion {

using json = nlohmann::json;

std::vector<db::Migration> Migrations() {
  return {{1200, "inclusion: questions, answers apart from ballots, the population reference, public dashboards", R"sql(
CREATE TABLE inclusion_settings (
  organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
  settings TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE inclusion_answers (
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  subject TEXT NOT NULL,
  consent INTEGER NOT NULL CHECK (consent IN (0, 1)),
  answers TEXT NOT NULL DEFAULT '{}',
  channel TEXT NOT NULL CHECK (channel = 'self' OR channel = 'desk'),
  recorded_by INTEGER,
  consent_at INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (organisation_id, subject)
);
CREATE TABLE inclusion_population (
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  district TEXT NOT NULL,
  dimension TEXT NOT NULL,
  value TEXT NOT NULL,
  people INTEGER NOT NULL CHECK (people >= 0),
  PRIMARY KEY (organisation_id, district, dimension, value)
);
CREATE TABLE inclusion_public (
  process_id INTEGER PRIMARY KEY REFERENCES processes(id) ON DELETE CASCADE,
  public INTEGER NOT NULL CHECK (public IN (0, 1)),
  updated_at INTEGER NOT NULL
);
)sql"}};
}

Result<Settings> Store::LoadSettings(int64_t org, const std::vector<std::string>& languages) {
  std::optional<std::string> stored;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT settings FROM inclusion_settings WHERE organisation_id = ?", {org}));
    if (row) stored = row->Str(0);
    return {};
  }));
  if (!stored) return DefaultSettings();
  auto j = json::parse(*stored, nullptr, false);
  // Stored settings were checked when saved; a language the organisation has since removed is
  // still read back (its texts stay).
  std::vector<std::string> all = languages;
  if (j.is_object() && j.contains("questions") && j["questions"].is_array())
    for (const auto& q : j["questions"])
      if (q.is_object() && q.contains("label") && q["label"].is_object())
        for (const auto& [lang, text] : q["label"].items())
          if (std::find(all.begin(), all.end(), lang) == all.end()) all.push_back(lang);
  auto s = SettingsFromJson(j, all);
  if (!s.ok()) return DefaultSettings();
  return *s;
}

Status Store::SaveSettings(int64_t org, const Settings& s) {
  return db_.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(c.Exec("INSERT INTO inclusion_settings(organisation_id, settings, updated_at) VALUES (?, ?, ?) "
                  "ON CONFLICT(organisation_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
                  {org, SettingsToJson(s).dump(), env_.NowSeconds()}));
    return {};
  });
}

Result<std::optional<Record>> Store::Find(int64_t org, const std::string& subject) {
  std::optional<Record> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT consent, answers, channel, consent_at, updated_at FROM inclusion_answers "
                                               "WHERE organisation_id = ? AND subject = ?",
                                               {org, subject}));
    if (!row) return {};
    Record r;
    r.consent = row->Int(0) == 1;
    auto j = json::parse(row->Str(1), nullptr, false);
    if (j.is_object())
      for (const auto& [k, v] : j.items())
        if (v.is_string()) r.answers[k] = v.get<std::string>();
    r.channel = row->Str(2);
    r.consent_at = row->Int(3);
    r.updated_at = row->Int(4);
    out = std::move(r);
    return {};
  }));
  return out;
}

Status Store::Save(int64_t org, const std::string& subject, bool consent, const Answers& answers, const std::string& channel,
                   int64_t recorded_by) {
  json a = json::object();
  if (consent)
    for (const auto& [k, v] : answers) a[k] = v;
  const int64_t now = env_.NowSeconds();
  return db_.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(c.Exec("INSERT INTO inclusion_answers(organisation_id, subject, consent, answers, channel, recorded_by, consent_at, updated_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(organisation_id, subject) DO UPDATE SET consent = excluded.consent, "
                  "answers = excluded.answers, channel = excluded.channel, recorded_by = excluded.recorded_by, "
                  "consent_at = excluded.consent_at, updated_at = excluded.updated_at",
                  {org, subject, int64_t{consent ? 1 : 0}, a.dump(), channel, recorded_by > 0 ? db::Value(recorded_by) : db::Value(),
                   consent ? now : int64_t{0}, now}));
    return {};
  });
}

Result<std::map<std::string, Answers>> Store::Consented(int64_t org) {
  std::map<std::string, Answers> out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT subject, answers FROM inclusion_answers WHERE organisation_id = ? AND consent = 1", {org}));
    for (const auto& r : rows) {
      auto j = json::parse(r.Str(1), nullptr, false);
      if (!j.is_object()) continue;
      Answers& a = out[r.Str(0)];
      for (const auto& [k, v] : j.items())
        if (v.is_string()) a[k] = v.get<std::string>();
    }
    return {};
  }));
  return out;
}

Result<Population> Store::LoadPopulation(int64_t org) {
  Population out;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto rows, c.Query("SELECT district, dimension, value, people FROM inclusion_population WHERE organisation_id = ?", {org}));
    for (const auto& r : rows) out[r.Str(0)][r.Str(1)][r.Str(2)] = r.Int(3);
    return {};
  }));
  return out;
}

Result<int64_t> Store::ReplacePopulation(int64_t org, const Population& p) {
  int64_t rows = 0;
  TING_RETURN_IF_ERROR(db_.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(c.Exec("DELETE FROM inclusion_population WHERE organisation_id = ?", {org}));
    for (const auto& [district, questions] : p)
      for (const auto& [dimension, values] : questions)
        for (const auto& [value, people] : values) {
          TING_RETURN_IF_ERROR(c.Exec("INSERT INTO inclusion_population(organisation_id, district, dimension, value, people) VALUES (?, ?, ?, ?, ?)",
                                      {org, district, dimension, value, people}));
          ++rows;
        }
    return {};
  }));
  return rows;
}

Result<bool> Store::Published(int64_t process_id) {
  bool out = false;
  TING_RETURN_IF_ERROR(db_.Read([&](db::Connection& c) -> Status {
    TING_ASSIGN_OR_RETURN(auto row, c.QueryOne("SELECT public FROM inclusion_public WHERE process_id = ?", {process_id}));
    out = row && row->Int(0) == 1;
    return {};
  }));
  return out;
}

Status Store::SetPublished(int64_t process_id, bool published) {
  return db_.Write([&](db::Connection& c) -> Status {
    TING_RETURN_IF_ERROR(c.Exec("INSERT INTO inclusion_public(process_id, public, updated_at) VALUES (?, ?, ?) "
                  "ON CONFLICT(process_id) DO UPDATE SET public = excluded.public, updated_at = excluded.updated_at",
                  {process_id, int64_t{published ? 1 : 0}, env_.NowSeconds()}));
    return {};
  });
}

}  // namespace ting::components::inclusion
