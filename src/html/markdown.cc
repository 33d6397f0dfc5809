#include "ting/html/markdown.h"

#include <cmark.h>

#include <cstdlib>

namespace ting::html {

std::string RenderMarkdown(std::string_view markdown) {
  // CMARK_OPT_SAFE is the default since 0.29 (raw HTML becomes a comment, unsafe URLs are
  // dropped); pass it explicitly so an older library behaves the same.
  char* out = cmark_markdown_to_html(markdown.data(), markdown.size(), CMARK_OPT_SAFE | CMARK_OPT_SMART);
  std::string html(out ? out : "");
  std::free(out);
  return html;
}

}  // namespace ting::html
