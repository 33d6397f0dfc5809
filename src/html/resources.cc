#include "ting/html/resources.h"

namespace ting::html {

std::optional<std::string_view> FindResource(std::string_view path) {
  for (const auto& r : Resources())
    if (r.path == path) return r.content;
  return std::nullopt;
}

}  // namespace ting::html
