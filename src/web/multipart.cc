#include "ting/web/multipart.h"

#include "ting/base/strings.h"

namespace ting::web {

namespace {

// The value of a parameter in a header value: boundary=..., name="...". A quoted value runs to
// its closing quote and may hold ';' (browsers send a file "a;b.png" as filename="a;b.png":
// they escape only '"', CR and LF in names, as %22, %0D and %0A, never with a backslash).
std::string HeaderParam(std::string_view header, std::string_view param) {
  for (size_t i = 0; i < header.size(); ++i) {
    size_t start = i;
    for (bool quoted = false; i < header.size() && (quoted || header[i] != ';'); ++i)
      if (header[i] == '"') quoted = !quoted;
    std::string_view piece = Trim(header.substr(start, i - start));
    auto eq = piece.find('=');
    if (eq == std::string_view::npos || AsciiLower(Trim(piece.substr(0, eq))) != param) continue;
    std::string_view v = Trim(piece.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return std::string(v);
  }
  return {};
}

}  // namespace

std::vector<Part> MultipartParts(const http::Request& req) {
  std::vector<Part> parts;
  std::string_view type = req.Header("Content-Type");
  if (AsciiLower(type).rfind("multipart/form-data", 0) != 0) return parts;
  std::string boundary = HeaderParam(type, "boundary");
  if (boundary.empty() || boundary.size() > 200) return parts;
  std::string delimiter = "--" + boundary;
  std::string_view body(req.body);
  size_t pos = body.find(delimiter);
  while (pos != std::string_view::npos) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") break;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return {};
    pos += 2;
    size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return {};
    Part part;
    for (auto line : Split(body.substr(pos, headers_end - pos), '\n')) {
      line = Trim(line);
      auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name = AsciiLower(Trim(line.substr(0, colon)));
      std::string_view value = Trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        part.name = HeaderParam(value, "name");
        part.filename = HeaderParam(value, "filename");
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    size_t data_start = headers_end + 4;
    size_t next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string_view::npos) return {};
    part.data = std::string(body.substr(data_start, next - data_start));
    parts.push_back(std::move(part));
    pos = next + 2;
  }
  return parts;
}

std::string SniffImageType(std::string_view d) {
  if (d.size() >= 8 && d.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  if (d.size() >= 3 && static_cast<unsigned char>(d[0]) == 0xFF && static_cast<unsigned char>(d[1]) == 0xD8 &&
      static_cast<unsigned char>(d[2]) == 0xFF)
    return "image/jpeg";
  if (d.size() >= 12 && d.substr(0, 4) == "RIFF" && d.substr(8, 4) == "WEBP") return "image/webp";
  if (d.size() >= 6 && (d.substr(0, 6) == "GIF87a" || d.substr(0, 6) == "GIF89a")) return "image/gif";
  return "";
}

}  // namespace ting::web
