// Request/Response helpers shared by every handler.

#include <cctype>

#include "ting/base/strings.h"
#include "ting/http/http.h"

namespace ting::http {

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int ca = std::tolower(static_cast<unsigned char>(a[i])), cb = std::tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

std::string_view Request::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::string Request::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  for (auto part : Split(query, '&')) {
    auto eq = part.find('=');
    std::string key = UrlDecode(part.substr(0, eq), true);
    if (key == name) return eq == std::string_view::npos ? std::string() : UrlDecode(part.substr(eq + 1), true);
  }
  return std::nullopt;
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  auto range = headers.equal_range("Cookie");
  for (auto it = range.first; it != range.second; ++it) {
    for (auto part : Split(it->second, ';')) {
      part = Trim(part);
      auto eq = part.find('=');
      if (eq == std::string_view::npos) continue;
      if (part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
    }
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> Request::FormFields() const {
  std::vector<std::pair<std::string, std::string>> out;
  auto type = AsciiLower(Header("Content-Type"));
  if (type.rfind("application/x-www-form-urlencoded", 0) != 0) return out;
  for (auto part : Split(body, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    out.emplace_back(UrlDecode(part.substr(0, eq), true), eq == std::string_view::npos ? "" : UrlDecode(part.substr(eq + 1), true));
  }
  return out;
}

std::string Request::Host() const {
  std::string host(Header("Host"));
  if (!host.empty() && host.front() == '[') {  // [::1]:8080
    auto close = host.find(']');
    return AsciiLower(host.substr(0, close == std::string::npos ? host.size() : close + 1));
  }
  return AsciiLower(host.substr(0, host.find(':')));
}

void Response::Set(const std::string& name, const std::string& value) {
  headers.erase(name);
  headers.emplace(name, value);
}

void Response::Add(const std::string& name, const std::string& value) { headers.emplace(name, value); }

static Response Make(int status, std::string body, const char* type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.Set("Content-Type", type);
  return r;
}

Response Response::Html(int status, std::string body) { return Make(status, std::move(body), "text/html; charset=utf-8"); }
Response Response::Json(int status, std::string body) { return Make(status, std::move(body), "application/json"); }
Response Response::Text(int status, std::string body) { return Make(status, std::move(body), "text/plain; charset=utf-8"); }
Response Response::Redirect(const std::string& location, int status) {
  Response r;
  r.status = status;
  r.Set("Location", location);
  return r;
}

static int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view s, bool form_encoding, bool strict) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && form_encoding) {
      out += ' ';
    } else if (c == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      char decoded = static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      if (strict && decoded == '\0') return std::nullopt;
      out += decoded;
      i += 2;
    } else if (c == '%' && strict) {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

std::string UrlDecode(std::string_view s, bool form_encoding) { return *PercentDecode(s, form_encoding, /*strict=*/false); }

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace ting::http
