// Form fields, safe redirect paths and the UTF-8 gate: what every page handler reads from a
// browser's request.

#include "ting/base/strings.h"
#include "ting/web/multipart.h"
#include "ting/web/site.h"

namespace ting::web {

using http::Request;

bool RequestTextIsUtf8(const Request& req) {
  if (!IsValidUtf8(req.path) || !IsValidUtf8(http::UrlDecode(req.query, /*form_encoding=*/true))) return false;
  std::string type = AsciiLower(req.Header("Content-Type"));
  if (StartsWith(type, "application/x-www-form-urlencoded")) return IsValidUtf8(http::UrlDecode(req.body, true));
  if (StartsWith(type, "multipart/form-data")) {
    for (const auto& part : MultipartParts(req)) {
      if (!IsValidUtf8(part.name) || !IsValidUtf8(part.filename)) return false;
      if (part.filename.empty() && !IsValidUtf8(part.data)) return false;  // a plain field; files are bytes
    }
  }
  return true;
}

std::string SafeLocalPath(const std::string& next) {
  if (next.empty() || next[0] != '/') return "/";
  for (unsigned char c : next)
    if (c < 0x21 || c == 0x7f || c == '\\') return "/";
  if (next.size() > 1 && next[1] == '/') return "/";
  if (!IsValidUtf8(next)) return "/";
  return next;
}

std::string FormField(const Request& req, const std::string& name) {
  for (const auto& [k, v] : req.FormFields())
    if (k == name) return v;
  // Forms that upload files send multipart bodies; their plain fields count the same.
  for (const auto& part : MultipartParts(req))
    if (part.name == name && part.filename.empty()) return part.data;
  return {};
}

}  // namespace ting::web
