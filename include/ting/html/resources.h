#pragma once
// Files from web/ (templates, catalogues, static assets) compiled into the binary.

#include <optional>
#include <string_view>
#include <vector>

namespace ting::html {

struct Resource {
  std::string_view path;  // relative to web/, e.g. "templates/layout.mustache"
  std::string_view content;
};

const std::vector<Resource>& Resources();
std::optional<std::string_view> FindResource(std::string_view path);

}  // namespace ting::html
