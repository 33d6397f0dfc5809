// An assembly's set-up in JSON (quotas from min/max or population shares), volunteers' answers,
// and categories.csv.

#include <algorithm>
#include <cmath>

#include "assemblies_internal.h"
#include "ting/base/keys.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"
#include "ting/core/accounts.h"
#include "ting/web/json_fields.h"

namespace ting::components::assemblies {

namespace {

constexpr int64_t kMaxPanel = 10000;
constexpr size_t kMaxName = 64;

Error Bad(const std::string& message) { return Error::Invalid(message); }

bool ValidName(const std::string& s) {
  return !s.empty() && s.size() <= kMaxName && IsValidUtf8(s) && Trim(s) == s && s.find_first_of("\r\n\"") == std::string::npos;
}

std::optional<int64_t> IntField(const json& o, const char* field, bool& wrong) {
  if (!o.contains(field) || o[field].is_null()) return std::nullopt;
  auto v = web::JsonInt64(o[field]);
  if (!v) wrong = true;
  return v;
}

Result<Quota> QuotaFromJson(const std::string& feature, const std::string& value, const json& q, int64_t panel, int64_t tolerance,
                            const std::vector<std::string>& languages) {
  const std::string where = "\"features\": \"" + feature + "\": \"" + value + "\"";
  if (!q.is_object()) return Bad(where + " must be {\"min\": ..., \"max\": ...} or {\"share\": ...}");
  Quota out;
  out.value = value;
  bool wrong = false;
  auto min = IntField(q, "min", wrong), max = IntField(q, "max", wrong), tol = IntField(q, "tolerance", wrong);
  if (wrong) return Bad(where + ": min, max and tolerance are whole numbers");
  if (q.contains("share") && !q["share"].is_null()) {
    if (!q["share"].is_number() || q["share"].get<double>() < 0 || q["share"].get<double>() > 1)
      return Bad(where + ": \"share\" is the population's share, a number from 0 to 1");
    out.share = q["share"].get<double>();
  }
  if (tol && (*tol < 0 || *tol > panel)) return Bad(where + ": \"tolerance\" is a number of seats from 0 to the panel size");
  if (min || max) {
    out.min = min.value_or(0);
    out.max = max.value_or(panel);
  } else if (out.share) {
    const int64_t t = tol.value_or(tolerance);
    // The share's seats, rounded down and up: the only floating point here, and it only sets a quota.
    const double seats = *out.share * static_cast<double>(panel);
    out.min = std::max<int64_t>(0, static_cast<int64_t>(std::floor(seats + 1e-9)) - t);
    out.max = std::min<int64_t>(panel, static_cast<int64_t>(std::ceil(seats - 1e-9)) + t);
  } else {
    return Bad(where + " needs \"min\" and \"max\", or \"share\"");
  }
  if (out.min < 0 || out.max < out.min || out.max > panel) return Bad(where + ": need 0 ≤ min ≤ max ≤ panel_size");
  TING_RETURN_IF_ERROR(ReadTranslated(q, "label", languages, out.label, false));
  return out;
}

}  // namespace

const Quota* Feature::Find(std::string_view answer) const {
  const std::string folded = sortition::FoldCase(Trim(answer));
  for (const auto& q : values)
    if (sortition::FoldCase(q.value) == folded) return &q;
  return nullptr;
}

const Feature* Assembly::FindFeature(std::string_view name) const {
  for (const auto& f : features)
    if (f.name == name) return &f;
  return nullptr;
}

bool Assembly::RegistrationOpen(const std::string& today) const {
  if (frozen()) return false;
  auto closes = dates.find("registration_closes");
  return closes == dates.end() || today <= closes->second;
}

Result<std::vector<Feature>> FeaturesFromJson(const json& features, const json& questions_json, int64_t panel_size, int64_t tolerance,
                                              const std::vector<std::string>& languages) {
  if (!features.is_object() || features.empty())
    return Bad("\"features\" must be an object: {\"feature\": {\"value\": {\"min\": ..., \"max\": ...}}}");
  const json questions = questions_json.is_object() ? questions_json : json::object();
  std::vector<Feature> out;
  for (const auto& [name, values] : features.items()) {
    if (!ValidName(name) || name == "id" || name == "household" || name == "consent" || name == "name" || name == "email" || name == "phone")
      return Bad("\"features\": \"" + name + "\" is not a usable feature name (1–64 characters; not id, household, name, email, phone or consent)");
    if (!values.is_object() || values.empty()) return Bad("\"features\": \"" + name + "\" must be an object of its values");
    Feature feature;
    feature.name = name;
    if (questions.contains(name)) TING_RETURN_IF_ERROR(ReadTranslated(questions, name.c_str(), languages, feature.question, false));
    for (const auto& [value, q] : values.items()) {
      if (!ValidName(value)) return Bad("\"features\": \"" + name + "\": \"" + value + "\" is not a usable value (1–64 characters)");
      TING_ASSIGN_OR_RETURN(Quota quota, QuotaFromJson(name, value, q, panel_size, tolerance, languages));
      if (feature.Find(value)) return Bad("\"features\": \"" + name + "\": \"" + value + "\" is there twice");
      feature.values.push_back(std::move(quota));
    }
    out.push_back(std::move(feature));
  }
  for (const auto& [name, _] : questions.items())
    if (std::none_of(out.begin(), out.end(), [&](const Feature& f) { return f.name == name; }))
      return Bad("\"questions\": \"" + name + "\" is not a feature");
  return out;
}

Result<Assembly> AssemblyFromJson(const json& body, const std::vector<std::string>& languages) {
  if (!body.is_object()) return Bad("the body must be a JSON object");
  Assembly a;
  a.languages = languages;
  web::JsonFields f(body);
  a.slug = f.Text("slug");
  auto panel = f.Int("panel_size");
  auto households = f.Bool("households");
  std::string registration = f.Text("registration", "invitation");
  auto tolerance = f.Int("tolerance");
  auto threshold = f.Int("support_threshold");
  TING_RETURN_IF_ERROR(f.Check());
  if (a.slug.empty() || a.slug.size() > 64 || a.slug.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
    return Bad("\"slug\" is 1–64 characters a–z, 0–9 and -");
  TING_RETURN_IF_ERROR(ReadTranslated(body, "title", languages, a.title, true));
  TING_RETURN_IF_ERROR(ReadTranslated(body, "question", languages, a.question, true));
  if (!panel || *panel < 1 || *panel > kMaxPanel) return Bad("\"panel_size\" is a whole number from 1 to 10000");
  a.panel_size = *panel;
  a.households = households.value_or(false);
  if (registration != "invitation" && registration != "open") return Bad("\"registration\" is \"invitation\" or \"open\"");
  a.invitation_only = registration == "invitation";
  a.tolerance = tolerance.value_or(1);
  if (a.tolerance < 0 || a.tolerance > a.panel_size) return Bad("\"tolerance\" is a number of seats from 0 to the panel size");
  a.support_threshold = threshold.value_or(80);
  if (a.support_threshold < 1 || a.support_threshold > 100) return Bad("\"support_threshold\" is a percentage from 1 to 100");

  if (body.contains("questions") && !body["questions"].is_object() && !body["questions"].is_null())
    return Bad("\"questions\" must be {\"feature\": {\"sv\": \"...\"}}");
  TING_ASSIGN_OR_RETURN(a.features, FeaturesFromJson(body.value("features", json()), body.value("questions", json::object()), a.panel_size,
                                                     a.tolerance, languages));

  if (body.contains("dates") && !body["dates"].is_null()) {
    if (!body["dates"].is_object()) return Bad("\"dates\" must be {\"registration_closes\": \"YYYY-MM-DD\", ...}");
    for (const auto& [name, date] : body["dates"].items()) {
      bool known = false;
      for (const char* d : kDateNames) known = known || name == d;
      if (!known) return Bad("\"dates\": \"" + name + "\" is not one of registration_closes, draw, first_session, recommendations, answers");
      if (!date.is_string() || !IsCalendarDate(date.get<std::string>())) return Bad("\"dates\": \"" + name + "\" must be a date, YYYY-MM-DD");
      a.dates[name] = date.get<std::string>();
    }
  }
  return a;
}

json FeaturesToJson(const std::vector<Feature>& features) {
  json out = json::object();
  for (const auto& f : features) {
    json values = json::object();
    for (const auto& q : f.values) {
      json v = {{"min", q.min}, {"max", q.max}};
      if (q.share) v["share"] = *q.share;
      if (!q.label.empty()) v["label"] = q.label.ToJson();
      values[q.value] = v;
    }
    out[f.name] = values;
  }
  return out;
}

json QuestionsToJson(const std::vector<Feature>& features) {
  json out = json::object();
  for (const auto& f : features)
    if (!f.question.empty()) out[f.name] = f.question.ToJson();
  return out;
}

json AssemblyToJson(const Assembly& a, const std::string& stage, int64_t volunteers) {
  json out = {{"slug", a.slug},
              {"title", a.title.ToJson()},
              {"question", a.question.ToJson()},
              {"panel_size", a.panel_size},
              {"households", a.households},
              {"registration", a.invitation_only ? "invitation" : "open"},
              {"tolerance", a.tolerance},
              {"support_threshold", a.support_threshold},
              {"features", FeaturesToJson(a.features)},
              {"questions", QuestionsToJson(a.features)},
              {"dates", a.dates},
              {"stage", stage},
              {"volunteers", volunteers}};
  if (a.frozen()) {
    out["inputs_sha256"] = a.inputs_sha256;
    out["draw_at"] = a.draw_at;
  }
  if (a.drawn()) out["seed"] = a.seed;
  return out;
}

std::string CsvCell(std::string_view text) {
  if (text.find_first_of(",\"") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string CategoriesCsv(const Assembly& a) {
  std::string csv = "feature,value,min,max\n";
  for (const auto& f : a.features)
    for (const auto& q : f.values)
      csv += Join({CsvCell(f.name), CsvCell(q.value), std::to_string(q.min), std::to_string(q.max)}, ",") + "\n";
  return csv;
}

std::string HouseholdKey(std::string_view household) {
  std::string out;
  for (char ch : sortition::FoldCase(Trim(household))) {
    if (ch == ' ' || ch == '\t' || ch == ',' || ch == '.') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += ch;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

Result<Volunteer> VolunteerFromFields(const Assembly& a, const std::map<std::string, std::string>& fields,
                                      const std::map<std::string, std::string>& answers, bool consent) {
  auto get = [&](const char* k) -> std::string {
    auto it = fields.find(k);
    return it == fields.end() ? "" : std::string(Trim(it->second));
  };
  Volunteer v;
  v.name = get("name");
  v.email = get("email");
  v.phone = get("phone");
  v.household = get("household");
  v.language = get("language");
  for (const auto* text : {&v.name, &v.email, &v.phone, &v.household, &v.language})
    if (!IsValidUtf8(*text) || text->size() > 300) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.text"));
  if (v.name.empty()) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.name"));
  if (!v.email.empty()) {
    auto email = core::NormaliseEmail(v.email);
    if (!email) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.email"));
    v.email = *email;
  }
  if (v.email.empty() && v.phone.empty() && v.household.empty())
    return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.contact"));
  for (const auto& f : a.features) {
    auto it = answers.find(f.name);
    const Quota* q = it == answers.end() ? nullptr : f.Find(it->second);
    if (!q) {
      std::vector<std::string> values;
      for (const auto& value : f.values) values.push_back(value.value);
      return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.answer"), {{"feature", f.name}, {"values", Join(values, ", ")}});
    }
    v.answers[f.name] = q->value;
  }
  for (const auto& [k, _] : answers)
    if (!a.FindFeature(k)) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.unknown_feature"), {{"feature", k}});
  for (const char* need : kNeeds)
    if (auto it = fields.find(std::string("need_") + need); it != fields.end() && !Trim(it->second).empty()) {
      if (!IsValidUtf8(it->second) || it->second.size() > 1000) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.text"));
      v.needs[need] = std::string(Trim(it->second));
    }
  if (!consent) return Error::Say(ErrorCode::kInvalidArgument, TING_KEY("assemblies.problem.consent"));
  return v;
}

}  // namespace ting::components::assemblies
