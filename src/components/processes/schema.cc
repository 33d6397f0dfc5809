#include "processes_internal.h"

namespace ting::components {

std::vector<db::Migration> ProcessesMigrations() {
  return {{200, "processes: processes, phases, budgets", R"sql(
CREATE TABLE processes (
  id INTEGER PRIMARY KEY,
  organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  title_sv TEXT NOT NULL,
  title_en TEXT NOT NULL,
  description_sv TEXT NOT NULL DEFAULT '',
  description_en TEXT NOT NULL DEFAULT '',
  phase_override TEXT,
  voting_opened_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (organisation_id, slug)
);
CREATE TABLE process_phases (
  process_id INTEGER NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
  phase TEXT NOT NULL CHECK (phase IN ('information','proposals','review','voting','results','followup')),
  position INTEGER NOT NULL,
  starts_on TEXT NOT NULL DEFAULT '',
  ends_on TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (process_id, phase)
);
CREATE TABLE budgets (
  id INTEGER PRIMARY KEY,
  process_id INTEGER NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
  slug TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  name_sv TEXT NOT NULL,
  name_en TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL DEFAULT 'SEK',
  ballot_type TEXT NOT NULL CHECK (ballot_type IN ('approval','knapsack','cumulative','ranking')),
  ballot_min INTEGER NOT NULL DEFAULT 0,
  ballot_max INTEGER NOT NULL DEFAULT 0,
  ballot_points INTEGER NOT NULL DEFAULT 0,
  ballot_max_per_project INTEGER NOT NULL DEFAULT 0,
  rule TEXT NOT NULL CHECK (rule IN ('greedy','mes')),
  UNIQUE (process_id, slug)
);
)sql"},
          {210, "processes: repair ill-formed UTF-8 in titles and names", "", [](db::Connection& c) -> Status {
             TING_RETURN_IF_ERROR(db::RepairUtf8Columns(c, "processes", "id", {"title_sv", "title_en", "description_sv", "description_en"}));
             return db::RepairUtf8Columns(c, "budgets", "id", {"name_sv", "name_en"});
           }},
          {220, "processes: a budget's ballot version, changed by every change to its rules or amount", R"sql(
ALTER TABLE budgets ADD COLUMN ballot_version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER budgets_ballot_version AFTER UPDATE OF amount, currency, ballot_type, ballot_min, ballot_max, ballot_points,
  ballot_max_per_project, rule ON budgets
BEGIN
  UPDATE budgets SET ballot_version = ballot_version + 1 WHERE id = NEW.id;
END;
)sql"},
          {230, "processes: titles, descriptions and budget names in any language (language -> text, as JSON)", R"sql(
ALTER TABLE processes ADD COLUMN title TEXT NOT NULL DEFAULT '{}';
ALTER TABLE processes ADD COLUMN description TEXT NOT NULL DEFAULT '{}';
ALTER TABLE budgets ADD COLUMN name TEXT NOT NULL DEFAULT '{}';
UPDATE processes SET
  title = json_patch(json_object(), json_object('sv', NULLIF(title_sv, ''), 'en', NULLIF(NULLIF(title_en, ''), title_sv))),
  description = json_patch(json_object(), json_object('sv', NULLIF(description_sv, ''),
                                                      'en', NULLIF(NULLIF(description_en, ''), description_sv)));
UPDATE budgets SET name = json_patch(json_object(), json_object('sv', NULLIF(name_sv, ''), 'en', NULLIF(NULLIF(name_en, ''), name_sv)));
ALTER TABLE processes DROP COLUMN title_sv;
ALTER TABLE processes DROP COLUMN title_en;
ALTER TABLE processes DROP COLUMN description_sv;
ALTER TABLE processes DROP COLUMN description_en;
ALTER TABLE budgets DROP COLUMN name_sv;
ALTER TABLE budgets DROP COLUMN name_en;
)sql"},
          {240, "processes: who may vote in a budget (eligibility, as JSON; '' for any account), frozen with its ballot", R"sql(
ALTER TABLE budgets ADD COLUMN eligibility TEXT NOT NULL DEFAULT '';
CREATE TRIGGER budgets_eligibility_version AFTER UPDATE OF eligibility ON budgets
BEGIN
  UPDATE budgets SET ballot_version = ballot_version + 1 WHERE id = NEW.id;
END;
)sql"},
          {250, "processes: whether only verified accounts may take part", R"sql(
ALTER TABLE processes ADD COLUMN require_verified_account INTEGER NOT NULL DEFAULT 0;
)sql"},
          {260, "processes: who follows a process (its news by notification and mail)", R"sql(
CREATE TABLE process_follows (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  process_id INTEGER NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, process_id)
);
CREATE INDEX process_follows_process ON process_follows(process_id);
)sql"},
          {270, "processes: a process may narrow its organisation's languages ('' for all of them)", R"sql(
ALTER TABLE processes ADD COLUMN languages TEXT NOT NULL DEFAULT '';
)sql"}};
}

}  // namespace ting::components
