#pragma once
// User-facing strings per language. Catalogues are flat JSON files, web/locales/<lang>.json
// (the spine's) and src/components/<name>/locales/<lang>.json (each component's):
//   {"_meta": {"name": "Svenska", "dir": "ltr", "number": {"decimal": ",", "group": " "},
//              "money": {"SEK": "{amount} kr", "default": "{amount} {code}"}},
//    "nav.home": "Start", "hello": "Hej {{name}}"}
// Adding a language is adding its files: translate the values, set "dir" ("rtl" for Arabic) and
// how it writes numbers and amounts.
// A key missing in a language falls back to the default language (Swedish).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ting/base/money.h"
#include "ting/base/result.h"
#include "ting/html/resources.h"

namespace ting::html {

struct Language {
  std::string code;  // "sv"
  std::string name;  // "Svenska", in its own language
  std::string dir;   // "ltr" or "rtl"
  MoneyFormat money;  // "_meta": "number" and "money"
};

// The codes of the spine's catalogues compiled in (web/locales/<code>.json), Swedish first: the
// languages a new organisation starts with.
std::vector<std::string> CatalogueLanguages();

class Catalog {
 public:
  static constexpr const char* kDefaultLanguage = "sv";

  // Loads every web/locales/*.json from the embedded resources.
  // extra: more files laid out the same way (the components' catalogues).
  static Result<Catalog> LoadEmbedded(const std::vector<Resource>& extra = {});
  // For tests: language code -> JSON text.
  static Result<Catalog> FromJson(const std::map<std::string, std::string>& files);

  const std::vector<Language>& languages() const { return languages_; }
  bool Has(std::string_view lang) const;
  const Language& Lang(std::string_view lang) const;  // default language when unknown

  // The string for key, falling back to the default language, then to the key itself.
  const std::string& Get(std::string_view lang, std::string_view key) const;
  // Get() with "{{name}}" placeholders replaced by plain (unescaped) values.
  std::string Format(std::string_view lang, std::string_view key,
                     const std::map<std::string, std::string>& vars = {}) const;
  // Keys of the default language (the complete set every language should translate).
  std::vector<std::string> Keys() const;
  bool HasKey(std::string_view lang, std::string_view key) const;

  // Picks the language: explicit choice if known, else the first known one in an
  // Accept-Language header, else the default.
  std::string Negotiate(std::string_view chosen, std::string_view accept_language) const;
  // The same among allowed (an organisation's languages; empty: all), falling back to the first
  // allowed one that has a catalogue.
  std::string Negotiate(std::string_view chosen, std::string_view accept_language, const std::vector<std::string>& allowed) const;
  // The languages of allowed that have a catalogue, in allowed's order; every language when none.
  std::vector<Language> Enabled(const std::vector<std::string>& allowed) const;

 private:
  std::vector<Language> languages_;
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> strings_;
};

}  // namespace ting::html
