#pragma once
// The inclusion component's model: the questions an organisation asks (who takes part), the
// answers people give (apart from ballots), the population they are compared with, and the
// dashboard's tally with its small-cell suppression. Pure functions here (model.cc), SQL in
// store.cc, handlers in inclusion_component.cc.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ting/base/result.h"
#include "ting/base/translated.h"
#include "ting/components/inclusion.h"
#include "ting/db/database.h"

namespace ting::components::inclusion {

const std::vector<html::Resource>& Resources();  // generated from templates/ and locales/
std::vector<db::Migration> Migrations();

// One question. The built-in ones ("age", "gender", "district", "born", "language") take their
// words from the catalogue (inclusion.q.<key>, inclusion.v.<key>.<value>); an organisation's own
// carry theirs in its languages.
struct Choice {
  std::string value;
  Translated label;  // empty for built-in questions
};
struct Question {
  std::string key;
  Translated label;  // empty for built-in questions
  std::vector<Choice> choices;  // "district": the organisation's districts; "language": language codes
  bool builtin = false;
  bool enabled = true;
};

// The built-in questions and their values, in the order they are asked.
const std::vector<Question>& BuiltinQuestions();
// The languages the "language" question offers by name (others may be given as a code).
const std::vector<std::pair<std::string, std::string>>& HomeLanguages();  // code -> name in itself
bool IsLanguageCode(std::string_view code);  // 2 or 3 letters a-z

struct Settings {
  std::vector<Question> questions;       // built-in (enabled or not) then the organisation's own
  std::vector<std::string> districts;    // the organisation's districts, as set (more come from the
                                         // population and the register)
};
Settings DefaultSettings();
nlohmann::json SettingsToJson(const Settings& s);
// From {"questions": [{"key": "age", "enabled": false}, {"key": "work", "label": {...},
// "choices": [{"value": "student", "label": {...}}]}], "districts": ["norr", ...]}: built-in
// questions may only be switched on or off. kInvalidArgument naming what is wrong.
Result<Settings> SettingsFromJson(const nlohmann::json& j, const std::vector<std::string>& languages);

// The values a question accepts, with the districts known (settings, population, register).
std::vector<std::string> ValuesOf(const Question& q, const std::vector<std::string>& districts);

// What one person answered: question key -> value. Skipped questions are absent.
using Answers = std::map<std::string, std::string>;
// Checks answers against the enabled questions: kInvalidArgument with field = the question key
// when a key is unknown or off, or a value is not one of its values.
Status CheckAnswers(const Answers& answers, const Settings& s, const std::vector<std::string>& districts, std::string& field);

// The population reference: district -> question -> value -> people.
using Population = std::map<std::string, std::map<std::string, std::map<std::string, int64_t>>>;
struct PopulationProblem {
  int line = 0;
  std::string key;  // catalogue key
  std::map<std::string, std::string> vars;
};
// Reads "district,dimension,value,count" (a header line first). Every problem is listed with its
// line; the population is only good when there are none.
Population ParsePopulation(std::string_view csv, const Settings& s, std::vector<PopulationProblem>& problems);

// --- The dashboard ---
// kAny (anyone at any stage) is for managers: the other stages' differences with it would show
// the few who took part only in one way.
enum class Stage { kAny, kProposed, kSupported, kVoted };
std::optional<Stage> ParseStage(std::string_view s);
const char* StageName(Stage s);

// One person who took part at the stage, with the subjects their answers may be stored under.
struct Participant {
  std::string key;       // unique per person at the stage ("a:12", "v:r:5", ...)
  std::string channel;   // "online", "code", "desk", "paper", "batch"
  std::vector<std::string> subjects;  // "a:<account>", "r:<resident>": first with answers wins
  int64_t at = 0;
};

struct Cell {
  std::string value;
  int64_t count = 0;
  bool suppressed = false;  // hidden: small (1 to 4), or hidden so a small one cannot be worked out
  bool small = false;       // 1 to 4 ("< 5")
  std::optional<double> population_share;  // null when the population has no figure
};
struct Dimension {
  std::string key;
  int64_t answered = 0;  // participants who answered this question
  bool answered_suppressed = false;
  std::vector<Cell> cells;  // every value of the question, in its order
};
struct Count {
  std::string label;  // a channel or a week ("2026-05-25", the Monday)
  int64_t count = 0;
  bool suppressed = false;
  bool small = false;
};
struct Tally {
  Stage stage = Stage::kAny;
  std::string district;  // "" for all
  int64_t participants = 0;
  bool participants_suppressed = false;
  std::vector<Dimension> dimensions;
  std::vector<Count> channels, weeks;
};

struct TallyInputs {
  std::vector<Participant> participants;
  std::map<std::string, Answers> answers;  // subject -> answers (consented only)
  Population population;
  Settings settings;
  std::vector<std::string> districts;
  std::string district;  // filter: only people who answered this district (and its population)
  std::string time_zone = "Europe/Stockholm";
};
// A count too small to show: 1 to 4 ("< 5"; 0 is shown).
bool IsSmall(int64_t n);
// Exact counts (nothing suppressed yet).
Tally CountTally(Stage stage, const TallyInputs& in);
// Small cells: a count from 1 to 4 is suppressed, then, in each group that adds up to a shown
// total, a second cell when only one is suppressed (so the total does not reveal it).
void Suppress(Tally& t);
// The same across the views of one stage: overall and per district (both suppressed first). A
// district whose own count is hidden shows nothing; each value's counts over the districts
// (and the people who did not say their district) add up to the overall count, so a second cell
// is hidden there too; repeated until nothing changes. District views show no channels or weeks
// (they would add up to the overall ones).
void SuppressAcross(Tally& overall, std::vector<Tally>& districts);
// The share of a cell among those who answered: null when either is suppressed or none answered.
std::optional<double> Share(const Dimension& d, const Cell& c);
std::optional<double> Ratio(const Dimension& d, const Cell& c);

// The groups furthest below their population share (ratio < 1), worst first, for outreach.
struct Gap {
  std::string district;  // "" overall
  std::string dimension, value;
  double ratio = 0;
};
std::vector<Gap> Gaps(const std::vector<Tally>& tallies, size_t limit);

}  // namespace ting::components::inclusion
