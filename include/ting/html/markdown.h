#pragma once
// Markdown written by residents (proposal descriptions, comments, updates) rendered safely:
// CommonMark (Debian's cmark) with raw HTML and javascript:/data: links suppressed.

#include <string>
#include <string_view>

namespace ting::html {

std::string RenderMarkdown(std::string_view markdown);

}  // namespace ting::html
