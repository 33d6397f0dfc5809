#include "ting/base/translated.h"

#include <algorithm>

#include "ting/base/strings.h"

namespace ting {

namespace {
thread_local FallbackWatch* current_watch = nullptr;
}  // namespace

FallbackWatch::FallbackWatch(std::string lang) : lang_(std::move(lang)), previous_(current_watch) { current_watch = this; }
FallbackWatch::~FallbackWatch() { current_watch = previous_; }
FallbackWatch* FallbackWatch::Current() { return current_watch; }
void FallbackWatch::Note(std::string_view asked, std::string_view shown) {
  if (asked == lang_ && shown_.empty()) shown_ = std::string(shown);
}

const std::string& Translated::Get(std::string_view lang, std::string_view fallback) const {
  static const std::string kNone;
  if (auto it = texts_.find(lang); it != texts_.end()) return it->second;
  auto it = texts_.find(fallback);
  if (it == texts_.end()) it = texts_.begin();
  if (it == texts_.end()) return kNone;
  if (current_watch) current_watch->Note(lang, it->first);
  return it->second;
}

void Translated::Set(std::string lang, std::string text) {
  if (text.empty()) {
    texts_.erase(lang);
  } else {
    texts_[std::move(lang)] = std::move(text);
  }
}

nlohmann::json Translated::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [lang, text] : texts_) out[lang] = text;
  return out;
}

Translated Translated::FromStored(std::string_view stored, std::string_view default_lang) {
  Translated t;
  auto j = nlohmann::json::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    for (const auto& [lang, text] : j.items())
      if (text.is_string()) t.Set(lang, text.get<std::string>());
  } else if (!stored.empty()) {
    t.Set(std::string(default_lang), std::string(stored));
  }
  return t;
}

Status ReadTranslated(const nlohmann::json& j, const char* field, const std::vector<std::string>& languages, Translated& out, bool required) {
  if (!j.contains(field) || j[field].is_null()) {
    if (required) return Error::Invalid(std::string("\"") + field + "\" is required");
    return {};
  }
  const nlohmann::json& v = j[field];
  out = Translated();
  if (v.is_string()) {
    out.Set(languages.front(), v.get<std::string>());
  } else if (v.is_object()) {
    for (const auto& [lang, text] : v.items()) {
      if (std::find(languages.begin(), languages.end(), lang) == languages.end())
        return Error::Invalid(std::string("\"") + field + "\": \"" + lang + "\" is not one of this organisation's languages (" +
                              Join(languages, ", ") + ")");
      if (!text.is_string() && !text.is_null()) return Error::Invalid(std::string("\"") + field + "\": the " + lang + " text must be a string");
      if (text.is_string()) out.Set(lang, text.get<std::string>());
    }
  } else {
    return Error::Invalid(std::string("\"") + field + "\" must be a string or {\"" + Join(languages, "\": ..., \"") + "\": ...}");
  }
  if (required && out.empty()) return Error::Invalid(std::string("\"") + field + "\" must not be empty");
  return {};
}


}  // namespace ting
