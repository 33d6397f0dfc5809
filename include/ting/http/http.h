#pragma once
// HTTP types shared by the server, the router and every handler.
// Handlers are plain synchronous functions: Response(Request&). The server runs them on a
// worker pool separate from its I/O threads, so a handler may block (e.g. waiting for a
// durable group commit) without stalling other connections.

#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ting::http {

// Header names compare case-insensitively.
struct CaseInsensitiveLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: "/p/x?a=1"
  std::string path;    // percent-decoded path without query: "/p/x"
  std::string query;   // raw query string without '?'
  Headers headers;
  std::string body;
  std::string remote_ip;
  bool secure = false;  // TLS, or X-Forwarded-Proto: https from a trusted proxy
  std::map<std::string, std::string> params;  // path parameters filled by the Router

  // Typed per-request context that middleware fills (session, user, language, organisation).
  // Owned by the application; the HTTP layer never reads it.
  std::shared_ptr<void> context;

  std::string_view Header(std::string_view name) const;   // "" when absent
  std::string Param(const std::string& name) const;        // path parameter, "" when absent
  std::optional<std::string> QueryParam(std::string_view name) const;  // decoded
  std::optional<std::string> Cookie(std::string_view name) const;
  // application/x-www-form-urlencoded body, decoded; repeated keys keep every value in order.
  std::vector<std::pair<std::string, std::string>> FormFields() const;
  std::string Host() const;  // Host header without port, lower-case
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  void Set(const std::string& name, const std::string& value);  // replaces
  void Add(const std::string& name, const std::string& value);  // appends (Set-Cookie)

  static Response Html(int status, std::string body);  // text/html; charset=utf-8
  static Response Json(int status, std::string body);  // application/json
  static Response Text(int status, std::string body);  // text/plain; charset=utf-8
  static Response Redirect(const std::string& location, int status = 303);
};

using Handler = std::function<Response(Request&)>;

// Percent-decoding ('+' as space when form_encoding) and encoding.
// Percent-decoding (RFC 3986): the program's one decoder. form_encoding: '+' is a space.
// strict (paths): a broken escape or %00 is an error; otherwise they pass through as text.
std::optional<std::string> PercentDecode(std::string_view s, bool form_encoding, bool strict);
std::string UrlDecode(std::string_view s, bool form_encoding);
std::string UrlEncode(std::string_view s);

}  // namespace ting::http
