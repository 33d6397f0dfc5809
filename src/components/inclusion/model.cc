// The inclusion model: questions, answers, the population file and the dashboard's tally with
// its suppression. No I/O.

#include <algorithm>
#include <chrono>
#include <set>

#include "inclusion_internal.h"
#include "ting/base/env.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/sortition/pool.h"

namespace ting::components::inclusion {

using json = nlohmann::json;

namespace {

Question Builtin(std::string key, std::vector<std::string> values) {
  Question q;
  q.key = std::move(key);
  q.builtin = true;
  for (auto& v : values) q.choices.push_back({std::move(v), {}});
  return q;
}

bool IsKey(std::string_view k) {
  if (k.empty() || k.size() > 32) return false;
  for (char c : k)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '+')) return false;
  return true;
}

}  // namespace

const std::vector<Question>& BuiltinQuestions() {
  static const std::vector<Question> kQuestions = {
      Builtin("age", {"12-15", "16-19", "20-29", "30-44", "45-64", "65+"}),
      Builtin("gender", {"woman", "man", "other", "no_answer"}),
      Builtin("district", {}),
      Builtin("born", {"sweden", "nordic", "europe", "outside_europe"}),
      Builtin("language", {}),
  };
  return kQuestions;
}

const std::vector<std::pair<std::string, std::string>>& HomeLanguages() {
  static const std::vector<std::pair<std::string, std::string>> kLanguages = {
      {"sv", "Svenska"}, {"ar", "العربية"}, {"so", "Soomaali"}, {"fa", "فارسی"}, {"ti", "ትግርኛ"},  {"en", "English"},
      {"fi", "Suomi"},   {"pl", "Polski"}, {"ku", "Kurdî"},    {"bs", "Bosanski"}, {"es", "Español"}, {"tr", "Türkçe"},
      {"ru", "Русский"}, {"uk", "Українська"}, {"de", "Deutsch"}};
  return kLanguages;
}

bool IsLanguageCode(std::string_view code) {
  if (code.size() < 2 || code.size() > 3) return false;
  return std::all_of(code.begin(), code.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

Settings DefaultSettings() { return Settings{BuiltinQuestions(), {}}; }

json SettingsToJson(const Settings& s) {
  json questions = json::array();
  for (const auto& q : s.questions) {
    json o = {{"key", q.key}, {"enabled", q.enabled}, {"builtin", q.builtin}};
    if (!q.builtin) {
      o["label"] = q.label.ToJson();
      json choices = json::array();
      for (const auto& c : q.choices) choices.push_back({{"value", c.value}, {"label", c.label.ToJson()}});
      o["choices"] = choices;
    }
    questions.push_back(o);
  }
  return {{"questions", questions}, {"districts", s.districts}};
}

Result<Settings> SettingsFromJson(const json& j, const std::vector<std::string>& languages) {
  if (!j.is_object()) return Error::Invalid("the settings are a JSON object");
  Settings s = DefaultSettings();
  if (j.contains("districts")) {
    if (!j["districts"].is_array()) return Error::Invalid("\"districts\" is a list of names");
    std::set<std::string> seen;
    for (const auto& d : j["districts"]) {
      if (!d.is_string() || d.get<std::string>().empty() || d.get<std::string>().size() > 80)
        return Error::Invalid("\"districts\" holds names of 1 to 80 characters");
      if (seen.insert(d.get<std::string>()).second) s.districts.push_back(d.get<std::string>());
    }
  }
  if (!j.contains("questions")) return s;
  if (!j["questions"].is_array()) return Error::Invalid("\"questions\" is a list");
  std::set<std::string> seen;
  for (const auto& q : j["questions"]) {
    if (!q.is_object() || !q.contains("key") || !q["key"].is_string()) return Error::Invalid("each question has a \"key\"");
    const std::string key = q["key"].get<std::string>();
    if (!IsKey(key)) return Error::Invalid("\"" + key + "\" is not a question key (a-z, 0-9, _ and -, at most 32)");
    if (!seen.insert(key).second) return Error::Invalid("question \"" + key + "\" is given twice");
    if (q.contains("enabled") && !q["enabled"].is_boolean()) return Error::Invalid("\"enabled\" of \"" + key + "\" is true or false");
    const bool enabled = q.value("enabled", true);
    auto builtin = std::find_if(s.questions.begin(), s.questions.end(), [&](const Question& b) { return b.key == key; });
    if (builtin != s.questions.end()) {
      if (q.contains("label") || q.contains("choices")) return Error::Invalid("question \"" + key + "\" is built in: it can only be switched on or off");
      builtin->enabled = enabled;
      continue;
    }
    Question own;
    own.key = key;
    own.enabled = enabled;
    TING_RETURN_IF_ERROR(ReadTranslated(q, "label", languages, own.label, true));
    if (!q.contains("choices") || !q["choices"].is_array() || q["choices"].size() < 2 || q["choices"].size() > 30)
      return Error::Invalid("question \"" + key + "\" needs 2 to 30 \"choices\"");
    std::set<std::string> values;
    for (const auto& c : q["choices"]) {
      if (!c.is_object() || !c.contains("value") || !c["value"].is_string() || !IsKey(c["value"].get<std::string>()))
        return Error::Invalid("each choice of \"" + key + "\" has a \"value\" (a-z, 0-9, _ and -)");
      Choice choice;
      choice.value = c["value"].get<std::string>();
      if (!values.insert(choice.value).second) return Error::Invalid("choice \"" + choice.value + "\" of \"" + key + "\" is given twice");
      TING_RETURN_IF_ERROR(ReadTranslated(c, "label", languages, choice.label, true));
      own.choices.push_back(std::move(choice));
    }
    s.questions.push_back(std::move(own));
  }
  if (s.questions.size() > 20) return Error::Invalid("at most 20 questions");
  return s;
}

std::vector<std::string> ValuesOf(const Question& q, const std::vector<std::string>& districts) {
  if (q.builtin && q.key == "district") return districts;
  std::vector<std::string> out;
  if (q.builtin && q.key == "language") {
    for (const auto& [code, name] : HomeLanguages()) out.push_back(code);
    return out;
  }
  for (const auto& c : q.choices) out.push_back(c.value);
  return out;
}

Status CheckAnswers(const Answers& answers, const Settings& s, const std::vector<std::string>& districts, std::string& field) {
  for (const auto& [key, value] : answers) {
    field = key;
    auto q = std::find_if(s.questions.begin(), s.questions.end(), [&](const Question& x) { return x.key == key && x.enabled; });
    if (q == s.questions.end()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("inclusion.problem.question"), {{"question", key}});
    const auto values = ValuesOf(*q, districts);
    const bool known = std::find(values.begin(), values.end(), value) != values.end() || (q->builtin && q->key == "language" && IsLanguageCode(value));
    if (!known) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("inclusion.problem.value"), {{"question", key}, {"value", value}});
  }
  field.clear();
  return {};
}

Population ParsePopulation(std::string_view csv, const Settings& s, std::vector<PopulationProblem>& problems) {
  Population out;
  auto rows = sortition::ParseCsv(csv, "population.csv");
  if (!rows.ok()) {
    problems.push_back({0, TING_KEY("inclusion.population.unreadable"), {}});
    return out;
  }
  if (rows->empty()) {
    problems.push_back({1, TING_KEY("inclusion.population.empty"), {}});
    return out;
  }
  const auto& header = rows->front().fields;
  if (header != std::vector<std::string>{"district", "dimension", "value", "count"}) {
    problems.push_back({rows->front().line, TING_KEY("inclusion.population.header"), {}});
    return out;
  }
  for (size_t i = 1; i < rows->size(); ++i) {
    const auto& row = (*rows)[i];
    auto problem = [&](const char* key, std::map<std::string, std::string> vars = {}) { problems.push_back({row.line, key, std::move(vars)}); };
    if (row.fields.size() != 4) {
      problem(TING_KEY("inclusion.population.columns"), {{"n", std::to_string(row.fields.size())}});
      continue;
    }
    const std::string& district = row.fields[0];
    const std::string& dimension = row.fields[1];
    const std::string& value = row.fields[2];
    if (district.empty() || district.size() > 80) {
      problem(TING_KEY("inclusion.population.district"));
      continue;
    }
    auto q = std::find_if(s.questions.begin(), s.questions.end(), [&](const Question& x) { return x.key == dimension; });
    if (q == s.questions.end() || (q->builtin && q->key == "district")) {
      problem(TING_KEY("inclusion.population.dimension"), {{"dimension", dimension}});
      continue;
    }
    const auto values = ValuesOf(*q, {});
    const bool known = std::find(values.begin(), values.end(), value) != values.end() || (q->builtin && q->key == "language" && IsLanguageCode(value));
    if (!known) {
      problem(TING_KEY("inclusion.population.value"), {{"dimension", dimension}, {"value", value}});
      continue;
    }
    auto count = ParseInt64(row.fields[3]);
    if (!count || *count < 0 || *count > 100000000) {
      problem(TING_KEY("inclusion.population.count"), {{"count", row.fields[3]}});
      continue;
    }
    auto& cell = out[district][dimension];
    if (cell.count(value)) {
      problem(TING_KEY("inclusion.population.twice"), {{"district", district}, {"dimension", dimension}, {"value", value}});
      continue;
    }
    cell[value] = *count;
  }
  if (problems.empty() && out.empty()) problems.push_back({rows->back().line, TING_KEY("inclusion.population.empty"), {}});
  return out;
}

std::optional<Stage> ParseStage(std::string_view s) {
  if (s.empty() || s == "any") return Stage::kAny;
  if (s == "proposed") return Stage::kProposed;
  if (s == "supported") return Stage::kSupported;
  if (s == "voted") return Stage::kVoted;
  return std::nullopt;
}

const char* StageName(Stage s) {
  switch (s) {
    case Stage::kAny: return "any";
    case Stage::kProposed: return "proposed";
    case Stage::kSupported: return "supported";
    case Stage::kVoted: return "voted";
  }
  return "any";
}

namespace {

// The Monday of the local week of a Unix time, "YYYY-MM-DD".
std::string WeekOf(int64_t at, const std::string& time_zone) {
  const std::string date = Env::LocalDate(at, time_zone);
  int y = 0;
  unsigned m = 0, d = 0;
  if (std::sscanf(date.c_str(), "%d-%u-%u", &y, &m, &d) != 3) return date;
  using namespace std::chrono;
  sys_days day{year{y} / month{m} / ::std::chrono::day{d}};
  const weekday wd{day};
  day -= days{(wd.c_encoding() + 6) % 7};
  const year_month_day monday{day};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(monday.year()), static_cast<unsigned>(monday.month()),
                static_cast<unsigned>(monday.day()));
  return out;
}

// People in a district's population for a question: the district's own figures, or every
// district's summed.
std::map<std::string, int64_t> PopulationOf(const Population& p, const std::string& district, const std::string& question) {
  std::map<std::string, int64_t> out;
  for (const auto& [d, questions] : p) {
    if (!district.empty() && d != district) continue;
    if (question == "district") {
      // A district's people: its age bands (what Statistics Sweden publishes per area).
      auto age = questions.find("age");
      if (age == questions.end()) continue;
      for (const auto& [v, n] : age->second) out[d] += n;
      continue;
    }
    auto q = questions.find(question);
    if (q == questions.end()) continue;
    for (const auto& [v, n] : q->second) out[v] += n;
  }
  return out;
}

}  // namespace

bool IsSmall(int64_t n) { return n >= 1 && n <= 4; }

Tally CountTally(Stage stage, const TallyInputs& in) {
  Tally t;
  t.stage = stage;
  t.district = in.district;
  std::vector<const Answers*> answers;  // per counted participant, null when none
  std::map<std::string, int64_t> channels, weeks;
  static const Answers kNone;
  for (const auto& p : in.participants) {
    const Answers* a = nullptr;
    for (const auto& s : p.subjects) {
      auto it = in.answers.find(s);
      if (it != in.answers.end()) {
        a = &it->second;
        break;
      }
    }
    if (!in.district.empty()) {
      if (!a) continue;
      auto d = a->find("district");
      if (d == a->end() || d->second != in.district) continue;
    }
    ++t.participants;
    ++channels[p.channel];
    ++weeks[WeekOf(p.at, in.time_zone)];
    answers.push_back(a ? a : &kNone);
  }
  for (const auto& q : in.settings.questions) {
    if (!q.enabled) continue;
    Dimension d;
    d.key = q.key;
    const auto population = PopulationOf(in.population, in.district, q.key);
    int64_t population_total = 0;
    for (const auto& [v, n] : population) population_total += n;
    std::map<std::string, int64_t> counts;
    for (const Answers* a : answers) {
      auto it = a->find(q.key);
      if (it == a->end()) continue;
      ++d.answered;
      ++counts[it->second];
    }
    // Languages: only those someone speaks (among participants or in the population).
    std::vector<std::string> values = q.builtin && q.key == "language" ? std::vector<std::string>{} : ValuesOf(q, in.districts);
    for (const auto& [v, n] : counts)  // language codes outside the named list
      if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    for (const auto& [v, n] : population)
      if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    for (const auto& v : values) {
      Cell c;
      c.value = v;
      auto n = counts.find(v);
      c.count = n == counts.end() ? 0 : n->second;
      auto pop = population.find(v);
      if (population_total > 0 && pop != population.end()) c.population_share = static_cast<double>(pop->second) / static_cast<double>(population_total);
      d.cells.push_back(std::move(c));
    }
    t.dimensions.push_back(std::move(d));
  }
  for (const auto& [label, n] : channels) t.channels.push_back({label, n, false});
  for (const auto& [label, n] : weeks) t.weeks.push_back({label, n, false});
  return t;
}

namespace {

template <typename Item>
bool Hide(Item& it) {
  if (it.suppressed) return false;
  it.suppressed = true;
  return true;
}

// Primary and secondary suppression over counts that add up to a shown total: every small count,
// then, when exactly one is hidden, the smallest other non-zero one too (else total minus the
// shown ones gives it back). extra_small: a part of the total that is not a cell but could be
// worked out (people who did not say their district), counted as one more small part.
template <typename Item>
bool SuppressGroup(std::vector<Item*>& items, bool extra_small = false) {
  bool changed = false;
  int hidden = 0;
  for (Item* it : items) {
    if (IsSmall(it->count)) {
      it->small = true;
      changed |= Hide(*it);
    }
    if (it->suppressed && it->count > 0) ++hidden;
  }
  if (extra_small) ++hidden;
  if (hidden != 1) return changed;
  Item* next = nullptr;
  for (Item* it : items)
    if (!it->suppressed && it->count > 0 && (!next || it->count < next->count)) next = it;
  if (next) changed |= Hide(*next);
  return changed;
}

template <typename Item>
bool SuppressList(std::vector<Item>& list) {
  std::vector<Item*> items;
  for (auto& it : list) items.push_back(&it);
  return SuppressGroup(items);
}

void HideAll(Tally& t) {
  t.participants_suppressed = t.participants > 0;
  for (auto& d : t.dimensions) {
    d.answered_suppressed = d.answered > 0;
    for (auto& c : d.cells)
      if (c.count > 0) c.suppressed = true;
  }
  t.channels.clear();
  t.weeks.clear();
}

Cell* FindCell(Tally& t, const std::string& key, const std::string& value) {
  for (auto& d : t.dimensions)
    if (d.key == key)
      for (auto& c : d.cells)
        if (c.value == value) return &c;
  return nullptr;
}

}  // namespace

void Suppress(Tally& t) {
  t.participants_suppressed = IsSmall(t.participants);
  SuppressList(t.channels);
  SuppressList(t.weeks);
  for (auto& d : t.dimensions) {
    d.answered_suppressed = IsSmall(d.answered);
    SuppressList(d.cells);
    if (d.answered_suppressed)
      for (auto& c : d.cells)
        if (c.count > 0) c.suppressed = true;
  }
}

void SuppressAcross(Tally& overall, std::vector<Tally>& districts) {
  for (auto& t : districts) {
    t.channels.clear();
    t.weeks.clear();
    const Cell* own = FindCell(overall, "district", t.district);
    if (!own || own->suppressed) HideAll(t);
  }
  for (int round = 0; round < 10; ++round) {
    bool changed = false;
    // Each value over the districts adds up (with those who did not say) to its overall count.
    for (auto& d : overall.dimensions) {
      if (d.key == "district") continue;
      for (auto& total : d.cells) {
        if (total.suppressed) continue;
        std::vector<Cell*> parts;
        int64_t sum = 0;
        for (auto& t : districts)
          if (Cell* c = FindCell(t, d.key, total.value)) {
            parts.push_back(c);
            sum += c->count;
          }
        changed |= SuppressGroup(parts, IsSmall(total.count - sum));
      }
    }
    // And each district's values add up to its own answered count.
    for (auto& t : districts)
      for (auto& d : t.dimensions) {
        if (d.answered_suppressed) continue;
        std::vector<Cell*> parts;
        for (auto& c : d.cells) parts.push_back(&c);
        changed |= SuppressGroup(parts);
      }
    if (!changed) break;
  }
}

std::optional<double> Share(const Dimension& d, const Cell& c) {
  if (c.suppressed || d.answered_suppressed || d.answered == 0) return std::nullopt;
  return static_cast<double>(c.count) / static_cast<double>(d.answered);
}

std::optional<double> Ratio(const Dimension& d, const Cell& c) {
  auto share = Share(d, c);
  if (!share || !c.population_share || *c.population_share <= 0) return std::nullopt;
  return *share / *c.population_share;
}

std::vector<Gap> Gaps(const std::vector<Tally>& tallies, size_t limit) {
  std::vector<Gap> out;
  for (const auto& t : tallies)
    for (const auto& d : t.dimensions) {
      if (!t.district.empty() && d.key == "district") continue;
      for (const auto& c : d.cells) {
        auto r = Ratio(d, c);
        // A group with people in the population but no participant is the furthest below.
        if (!r && c.count == 0 && !c.suppressed && !d.answered_suppressed && d.answered > 0 && c.population_share && *c.population_share > 0) r = 0.0;
        if (r && *r < 1.0) out.push_back({t.district, d.key, c.value, *r});
      }
    }
  std::stable_sort(out.begin(), out.end(), [](const Gap& a, const Gap& b) { return a.ratio < b.ratio; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace ting::components::inclusion
