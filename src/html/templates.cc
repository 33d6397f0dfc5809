#include "ting/html/templates.h"

#include "ting/base/strings.h"
#include "ting/html/resources.h"

namespace ting::html {

std::string EscapeHtml(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Replaces every [[key]] with the escaped catalogue string for lang.
Result<std::string> Localise(const std::string& name, const std::string& source, const Catalog& catalog,
                             const std::string& lang) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = source.find("[[", pos);
    if (open == std::string::npos) break;
    size_t close = source.find("]]", open);
    if (close == std::string::npos) return Error::Invalid("templates/" + name + ": unclosed [[");
    std::string key = source.substr(open + 2, close - open - 2);
    if (!catalog.HasKey(Catalog::kDefaultLanguage, key))
      return Error::Invalid("templates/" + name + ": unknown catalogue key [[" + key + "]]");
    out.append(source, pos, open - pos);
    out += EscapeHtml(catalog.Get(lang, key));
    pos = close + 2;
  }
  out.append(source, pos);
  return out;
}

// Expands {{> name}} with the source of template name, at load time, so that rendering never
// parses partials (kainjow would re-parse them on every render).
Result<std::string> ExpandIncludes(const std::string& name, const std::string& source,
                                   const std::map<std::string, std::string>& sources, int depth) {
  if (depth > 8) return Error::Invalid("templates/" + name + ": includes nest too deep");
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = source.find("{{>", pos);
    if (open == std::string::npos) break;
    size_t close = source.find("}}", open);
    if (close == std::string::npos) return Error::Invalid("templates/" + name + ": unclosed {{>");
    std::string inc(Trim(std::string_view(source).substr(open + 3, close - open - 3)));
    auto it = sources.find(inc);
    if (it == sources.end()) return Error::Invalid("templates/" + name + ": includes unknown template " + inc);
    TING_ASSIGN_OR_RETURN(std::string expanded, ExpandIncludes(inc, it->second, sources, depth + 1));
    out.append(source, pos, open - pos);
    out += expanded;
    pos = close + 2;
  }
  out.append(source, pos);
  return out;
}

}  // namespace

Result<std::unique_ptr<Templates>> Templates::FromSources(const Catalog& catalog,
                                                          const std::map<std::string, std::string>& sources) {
  std::unique_ptr<Templates> t(new Templates());
  for (const auto& [name, raw_source] : sources) {
    TING_ASSIGN_OR_RETURN(std::string source, ExpandIncludes(name, raw_source, sources, 0));
    for (const auto& lang : catalog.languages()) {
      TING_ASSIGN_OR_RETURN(std::string text, Localise(name, source, catalog, lang.code));
      auto compiled = std::make_unique<kainjow::mustache::mustache>(text);
      if (!compiled->is_valid())
        return Error::Invalid("templates/" + name + ".mustache: " + compiled->error_message());
      t->compiled_[{name, lang.code}] = std::move(compiled);
    }
  }
  return t;
}

Result<std::unique_ptr<Templates>> Templates::LoadEmbedded(const Catalog& catalog, const std::vector<Resource>& extra) {
  std::map<std::string, std::string> sources;
  std::vector<Resource> all = Resources();
  all.insert(all.end(), extra.begin(), extra.end());
  for (const auto& r : all) {
    if (StartsWith(r.path, "templates/") && EndsWith(r.path, ".mustache"))
      sources[std::string(r.path.substr(10, r.path.size() - 10 - 9))] = std::string(r.content);
  }
  return FromSources(catalog, sources);
}

bool Templates::Has(std::string_view name) const {
  return compiled_.count({std::string(name), Catalog::kDefaultLanguage}) > 0;
}

Result<std::string> Templates::Render(std::string_view name, std::string_view lang, const Data& data) const {
  auto it = compiled_.find({std::string(name), std::string(lang)});
  if (it == compiled_.end()) it = compiled_.find({std::string(name), Catalog::kDefaultLanguage});
  if (it == compiled_.end()) return Error::Internal("no template " + std::string(name));
  // render() does not modify the compiled template unless partials or lambdas fail to parse,
  // and our templates use neither, so one compiled template serves every thread.
  return it->second->render(data);
}

}  // namespace ting::html
