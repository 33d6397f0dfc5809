#include <algorithm>
#include "ting/html/catalog.h"

#include <nlohmann/json.hpp>

#include "ting/base/strings.h"
#include "ting/html/resources.h"

namespace ting::html {

Result<Catalog> Catalog::FromJson(const std::map<std::string, std::string>& files) {
  Catalog c;
  for (const auto& [code, text] : files) {
    auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object())
      return Error::Invalid("locales/" + code + ".json: not a JSON object");
    Language lang{code, code, "ltr"};
    auto& table = c.strings_[code];
    for (auto& [key, value] : json.items()) {
      if (key == "_meta") {
        if (!value.is_object()) return Error::Invalid("locales/" + code + ".json: _meta must be an object");
        lang.name = value.value("name", code);
        lang.dir = value.value("dir", "ltr");
        try {
          if (value.contains("number")) {
            lang.money.decimal = value["number"].value("decimal", lang.money.decimal);
            lang.money.group = value["number"].value("group", lang.money.group);
          }
          if (value.contains("money"))
            for (auto& [currency, pattern] : value["money"].items()) {
              std::string p = pattern.get<std::string>();
              if (p.find("{amount}") == std::string::npos)
                return Error::Invalid("locales/" + code + ".json: _meta.money." + currency + " must contain {amount}");
              lang.money.patterns[currency] = p;
            }
        } catch (const nlohmann::json::exception&) {
          return Error::Invalid("locales/" + code + ".json: _meta.number and _meta.money hold texts");
        }
        if (lang.dir != "ltr" && lang.dir != "rtl")
          return Error::Invalid("locales/" + code + ".json: _meta.dir must be ltr or rtl");
        continue;
      }
      if (!value.is_string())
        return Error::Invalid("locales/" + code + ".json: value of \"" + key + "\" is not a string");
      table[key] = value.get<std::string>();
    }
    c.languages_.push_back(lang);
  }
  if (!c.strings_.count(kDefaultLanguage))
    return Error::Invalid(std::string("locales: the default language ") + kDefaultLanguage + " is missing");
  // Default language first, then by code: the order of the language switcher.
  std::stable_sort(c.languages_.begin(), c.languages_.end(), [](const Language& a, const Language& b) {
    return (a.code == kDefaultLanguage) > (b.code == kDefaultLanguage);
  });
  return c;
}

Result<Catalog> Catalog::LoadEmbedded(const std::vector<Resource>& extra) {
  // locales/<lang>.json holds the spine's strings; locales/<lang>/<component>.json each
  // component's. They merge into one table per language; a key defined twice is an error.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> parts;
  std::vector<Resource> all = Resources();
  all.insert(all.end(), extra.begin(), extra.end());
  for (const auto& r : all) {
    if (!StartsWith(r.path, "locales/") || !EndsWith(r.path, ".json")) continue;
    std::string rest(r.path.substr(8, r.path.size() - 8 - 5));
    std::string code = rest.substr(0, rest.find('/'));
    parts[code].emplace_back(std::string(r.path), std::string(r.content));
  }
  std::map<std::string, std::string> files;
  for (auto& [code, list] : parts) {
    nlohmann::json merged = nlohmann::json::object();
    for (auto& [path, text] : list) {
      auto j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_discarded() || !j.is_object()) return Error::Invalid(path + ": not a JSON object");
      for (auto& [k, v] : j.items()) {
        if (merged.contains(k) && k != "_meta") return Error::Invalid(path + ": key \"" + k + "\" is defined twice");
        if (k == "_meta" && merged.contains(k)) continue;
        merged[k] = v;
      }
    }
    files[code] = merged.dump();
  }
  return FromJson(files);
}

bool Catalog::Has(std::string_view lang) const { return strings_.find(lang) != strings_.end(); }

const Language& Catalog::Lang(std::string_view lang) const {
  for (const auto& l : languages_)
    if (l.code == lang) return l;
  return languages_.front();
}

const std::string& Catalog::Get(std::string_view lang, std::string_view key) const {
  for (std::string_view code : {lang, std::string_view(kDefaultLanguage)}) {
    auto table = strings_.find(code);
    if (table == strings_.end()) continue;
    auto it = table->second.find(key);
    if (it != table->second.end()) return it->second;
  }
  thread_local std::string missing;
  missing = std::string(key);
  return missing;
}

bool Catalog::HasKey(std::string_view lang, std::string_view key) const {
  auto table = strings_.find(lang);
  return table != strings_.end() && table->second.find(key) != table->second.end();
}

std::string Catalog::Format(std::string_view lang, std::string_view key,
                            const std::map<std::string, std::string>& vars) const {
  std::string out = Get(lang, key);
  for (const auto& [name, value] : vars) {
    std::string tag = "{{" + name + "}}";
    for (size_t pos = out.find(tag); pos != std::string::npos; pos = out.find(tag, pos + value.size()))
      out.replace(pos, tag.size(), value);
  }
  return out;
}

std::vector<std::string> Catalog::Keys() const {
  std::vector<std::string> keys;
  for (const auto& [k, v] : strings_.at(kDefaultLanguage)) keys.push_back(k);
  return keys;
}

std::string Catalog::Negotiate(std::string_view chosen, std::string_view accept_language) const {
  return Negotiate(chosen, accept_language, {});
}

std::vector<Language> Catalog::Enabled(const std::vector<std::string>& allowed) const {
  std::vector<Language> out;
  for (const auto& code : allowed)
    for (const auto& l : languages_)
      if (l.code == code) out.push_back(l);
  if (out.empty()) out = languages_;
  return out;
}

std::string Catalog::Negotiate(std::string_view chosen, std::string_view accept_language, const std::vector<std::string>& allowed) const {
  const auto enabled = Enabled(allowed);
  auto ok = [&](std::string_view code) {
    return std::any_of(enabled.begin(), enabled.end(), [&](const Language& l) { return l.code == code; });
  };
  if (!chosen.empty() && ok(chosen)) return std::string(chosen);
  for (auto part : Split(accept_language, ',')) {
    auto tag = AsciiLower(Trim(Split(part, ';').front()));
    if (ok(tag)) return tag;
    auto primary = tag.substr(0, tag.find('-'));
    if (ok(primary)) return primary;
  }
  if (ok(kDefaultLanguage) && (allowed.empty() || enabled.front().code == kDefaultLanguage)) return kDefaultLanguage;
  return enabled.front().code;
}

std::vector<std::string> CatalogueLanguages() {
  std::vector<std::string> out = {Catalog::kDefaultLanguage};
  for (const auto& r : Resources()) {
    if (!StartsWith(r.path, "locales/") || !EndsWith(r.path, ".json")) continue;
    std::string code(r.path.substr(8, r.path.size() - 8 - 5));
    if (code.find('/') == std::string::npos && code != Catalog::kDefaultLanguage) out.push_back(code);
  }
  return out;
}

}  // namespace ting::html
