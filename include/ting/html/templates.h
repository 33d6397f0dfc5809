#pragma once
// HTML templates: Mustache (kainjow), which escapes {{values}} by default; {{{raw}}} is only for
// HTML we produced ourselves. Catalogue strings are written [[key]] in a template and compiled
// in once per language at load time (HTML-escaped), so rendering does no lookups.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <kainjow/mustache.hpp>

#include "ting/base/result.h"
#include "ting/html/resources.h"
#include "ting/html/catalog.h"

namespace ting::html {

using Data = kainjow::mustache::data;
using List = kainjow::mustache::list;
using Object = kainjow::mustache::object;

std::string EscapeHtml(std::string_view s);

class Templates {
 public:
  // Compiles every web/templates/*.mustache for every catalogue language. An unknown [[key]]
  // or a Mustache syntax error is an error here, at start-up, not at request time.
  // extra: more files laid out the same way (the components' templates).
  static Result<std::unique_ptr<Templates>> LoadEmbedded(const Catalog& catalog, const std::vector<Resource>& extra = {});
  static Result<std::unique_ptr<Templates>> FromSources(const Catalog& catalog,
                                                        const std::map<std::string, std::string>& sources);

  // Renders template name ("sign_in") in lang. Thread-safe.
  Result<std::string> Render(std::string_view name, std::string_view lang, const Data& data) const;
  bool Has(std::string_view name) const;

 private:
  Templates() = default;
  // (name, lang) -> compiled template
  std::map<std::pair<std::string, std::string>, std::unique_ptr<kainjow::mustache::mustache>> compiled_;
};

}  // namespace ting::html
