// libFuzzer target for multipart/form-data bodies (web::MultipartParts) and the image sniffer.
//
// The input's first line is the Content-Type header value, the rest is the body. Properties,
// beyond "does not crash":
//  - a request that is not multipart/form-data, or has no boundary, has no parts;
//  - every part's data is a piece of the body that follows a blank line ("\r\n\r\n") and ends
//    right before "\r\n--BOUNDARY"; names and file names are pieces of the body too;
//  - there are fewer parts than delimiters in the body;
//  - parts written out again with the same boundary parse to the same parts, whenever their
//    names can be written (no quote, ';', CR or LF) and their data does not hold the delimiter;
//  - a malformed body gives no parts at all, never some of them: cutting the closing
//    delimiter off a body that parsed makes it give nothing (or the same, when the cut body
//    still ends with a delimiter);
//  - what a browser sends parses back as it was: a field and a file whose names are any text
//    without '"', CR or LF (browsers escape those three, and nothing else: ';' and '=' stay);
//  - SniffImageType names one of four types, and only when the data starts with its signature.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ting/base/strings.h"
#include "ting/web/multipart.h"

namespace {

using namespace ting;
using ting::web::Part;

void Check(bool ok, const char* what, std::string_view input = {}) {
  if (ok) return;
  std::fprintf(stderr, "property violated: %s [%.*s]\n", what, static_cast<int>(std::min<size_t>(input.size(), 400)), input.data());
  std::abort();
}

bool SameParts(const std::vector<Part>& a, const std::vector<Part>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].filename != b[i].filename || a[i].content_type != b[i].content_type || a[i].data != b[i].data)
      return false;
  return true;
}

// The boundary parameter (RFC 2046): "; boundary=VALUE" or "; boundary=\"VALUE\"", the name in
// any case, with optional white space around both; a quoted value may hold ';'.
std::string Boundary(std::string_view type) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i <= type.size(); ++i) {
    if (i < type.size() && type[i] == '"') quoted = !quoted;
    if (i == type.size() || (type[i] == ';' && !quoted)) {
      pieces.push_back(type.substr(start, i - start));
      start = i + 1;
    }
  }
  for (auto piece : pieces) {
    auto eq = piece.find('=');
    if (eq == std::string_view::npos || AsciiLower(Trim(piece.substr(0, eq))) != "boundary") continue;
    std::string_view b = Trim(piece.substr(eq + 1));
    if (b.size() >= 2 && b.front() == '"' && b.back() == '"') b = b.substr(1, b.size() - 2);
    return std::string(b);
  }
  return "";
}

bool Writable(const std::string& s) { return s.find_first_of("\";\r\n") == std::string::npos && Trim(s) == std::string_view(s); }

std::string Write(const std::vector<Part>& parts, const std::string& boundary) {
  std::string out;
  for (const auto& p : parts) {
    out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (!p.filename.empty()) out += "; filename=\"" + p.filename + "\"";
    out += "\r\n";
    if (!p.content_type.empty()) out += "Content-Type: " + p.content_type + "\r\n";
    out += "\r\n" + p.data + "\r\n";
  }
  return out + "--" + boundary + "--\r\n";
}

std::vector<Part> Parse(const std::string& type, const std::string& body) {
  http::Request req;
  req.method = "POST";
  req.headers.emplace("Content-Type", type);
  req.body = body;
  return web::MultipartParts(req);
}

void CheckSniff(std::string_view d) {
  std::string t = web::SniffImageType(d);
  if (t.empty()) return;
  if (t == "image/png") Check(d.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8), "png without its signature", d);
  else if (t == "image/jpeg") Check(d.substr(0, 3) == "\xFF\xD8\xFF", "jpeg without its signature", d);
  else if (t == "image/webp") Check(d.size() >= 12 && d.substr(0, 4) == "RIFF" && d.substr(8, 4) == "WEBP", "webp without its signature", d);
  else if (t == "image/gif") Check(d.substr(0, 6) == "GIF87a" || d.substr(0, 6) == "GIF89a", "gif without its signature", d);
  else Check(false, "an unknown image type", t);
}

// A form as a browser sends it (WHATWG multipart/form-data encoding): names are quoted, with
// '"', CR and LF escaped as %22, %0D and %0A; ';', '=', '\\' and spaces are sent as they are.
void CheckBrowserForm(std::string_view input) {
  std::string name(input.substr(0, std::min<size_t>(input.size(), 24)));
  for (char& c : name)
    if (c == '"' || c == '\r' || c == '\n') c = '_';
  if (Trim(name) != std::string_view(name)) return;  // the parser trims what is outside quotes only
  std::vector<Part> sent = {{name, "", "", std::string(input)}, {"image", name + ".png", "image/png", "\x89PNG\r\n\x1a\n" + name}};
  const std::string boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
  std::string body = Write(sent, boundary);
  if (std::string(input).find("\r\n--" + boundary) != std::string::npos) return;
  Check(SameParts(Parse("multipart/form-data; boundary=" + boundary, body), sent), "a browser's form does not parse back", body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t nl = input.find('\n');
  std::string type(input.substr(0, nl));
  std::string body(nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1));
  CheckSniff(input);
  CheckSniff(body);
  CheckBrowserForm(input);

  auto parts = Parse(type, body);
  Check(SameParts(parts, Parse(type, body)), "not deterministic", input);
  if (!StartsWith(AsciiLower(type), "multipart/form-data")) Check(parts.empty(), "parts of a body that is not multipart", input);
  Check(Parse("text/plain; boundary=b", body).empty(), "parts of a text/plain body", input);
  if (parts.empty()) return 0;

  std::string boundary = Boundary(type);
  Check(!boundary.empty(), "parts without a boundary", input);
  const std::string delimiter = "--" + boundary;
  size_t delimiters = 0;
  for (size_t at = body.find(delimiter); at != std::string::npos; at = body.find(delimiter, at + 1)) ++delimiters;
  Check(parts.size() < delimiters, "more parts than delimiters", input);
  size_t from = 0;
  for (const auto& p : parts) {
    CheckSniff(p.data);
    Check(body.find(p.name) != std::string::npos && body.find(p.filename) != std::string::npos, "a name that is not in the body", input);
    // The part's data sits between a blank line and the next delimiter, after the last part.
    size_t at = body.find("\r\n\r\n" + p.data + "\r\n" + delimiter, from);
    Check(at != std::string::npos, "data not between a blank line and a delimiter", input);
    Check(p.data.find("\r\n" + delimiter) == std::string::npos, "data that holds the delimiter", input);
    from = at + 4 + p.data.size();
  }

  bool writable = true;
  for (const auto& p : parts)
    writable = writable && Writable(p.name) && Writable(p.filename) && Trim(p.content_type) == std::string_view(p.content_type) &&
               p.content_type.find_first_of("\r\n") == std::string::npos;
  if (writable) {
    std::string written = Write(parts, boundary);
    Check(SameParts(Parse("multipart/form-data; boundary=\"" + boundary + "\"", written), parts), "parts do not survive writing", input);
    // The same body without its closing delimiter is malformed: nothing, never a prefix.
    std::string cut = written.substr(0, written.size() - delimiter.size() - 4);
    Check(Parse(type, cut).empty(), "a body without its closing delimiter gave parts", cut);
  }
  return 0;
}
