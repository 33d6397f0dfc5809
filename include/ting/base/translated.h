#pragma once
// Content written in several languages (a process's title, a budget's name): language code ->
// text. Read with a fallback chain: the language asked for, then the organisation's default
// language, then any language that has a text. Stored as a JSON object, {"sv": "...", "ar": "..."};
// an empty text is no text.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ting/base/result.h"

namespace ting {

class Translated {
 public:
  Translated() = default;
  Translated(std::string lang, std::string text) { Set(std::move(lang), std::move(text)); }

  // The text in lang, else in fallback, else the first by language code, else "".
  const std::string& Get(std::string_view lang, std::string_view fallback) const;
  // Whether lang itself has a text (no fallback).
  bool Has(std::string_view lang) const { return texts_.count(lang) > 0; }
  void Set(std::string lang, std::string text);  // an empty text removes lang
  bool empty() const { return texts_.empty(); }
  const std::map<std::string, std::string, std::less<>>& texts() const { return texts_; }

  nlohmann::json ToJson() const;
  // From stored JSON: an object of strings (anything else is skipped), or a plain string as
  // the text of default_lang (rows written before content had languages).
  static Translated FromStored(std::string_view stored, std::string_view default_lang);

  bool operator==(const Translated&) const = default;

 private:
  std::map<std::string, std::string, std::less<>> texts_;
};

// Notes when content is shown in another language than the reader's. While one is open on a
// thread (the site opens one around each page handler, in the reader's language), every
// Translated::Get for that language that has to fall back records the language it fell back to,
// so the page can tell the reader ("this text is shown in Swedish"). Handlers run on one thread.
class FallbackWatch {
 public:
  explicit FallbackWatch(std::string lang);
  ~FallbackWatch();
  FallbackWatch(const FallbackWatch&) = delete;
  FallbackWatch& operator=(const FallbackWatch&) = delete;
  static FallbackWatch* Current();
  const std::string& lang() const { return lang_; }
  // The language content was shown in instead of lang(), "" when none was.
  const std::string& shown() const { return shown_; }
  void Note(std::string_view asked, std::string_view shown);

 private:
  std::string lang_, shown_;
  FallbackWatch* previous_;
};

// Reads field of a JSON object as content in languages (the organisation's, default first):
// {"sv": "...", "ar": "..."}, or a plain string meaning the default language. Errors are
// kInvalidArgument naming the field: a language not among languages, a text that is not a
// string, and (when required) an absent or empty field.
Status ReadTranslated(const nlohmann::json& j, const char* field, const std::vector<std::string>& languages, Translated& out,
                      bool required);

}  // namespace ting
