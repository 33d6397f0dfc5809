#include "wire.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "ting/base/strings.h"

namespace ting::http {

namespace {
constexpr size_t kGzipMinBytes = 1024;
}  // namespace

bool Compressible(std::string_view content_type) {
  std::string type = AsciiLower(content_type);
  return StartsWith(type, "text/") || StartsWith(type, "application/json") || StartsWith(type, "application/javascript") ||
         StartsWith(type, "image/svg+xml") || StartsWith(type, "application/xml");
}

// True when Accept-Encoding allows gzip: listed (or "*") with a non-zero q.
bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<double> gzip_q, any_q;
  for (auto item : Split(accept_encoding, ',')) {
    auto parts = Split(item, ';');
    std::string coding = AsciiLower(Trim(parts[0]));
    double q = 1;
    for (size_t i = 1; i < parts.size(); ++i) {
      auto p = Trim(parts[i]);
      if (p.size() > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') q = std::strtod(std::string(p.substr(2)).c_str(), nullptr);
    }
    if (coding == "gzip" || coding == "x-gzip") gzip_q = q;
    if (coding == "*") any_q = q;
  }
  return gzip_q ? *gzip_q > 0 : any_q && *any_q > 0;
}

// gzip (RFC 1952) of data, or nullopt when zlib fails.
std::optional<std::string> Gzip(const std::string& data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(zs.total_out);
  return out;
}

// The path of a request target ("/a/b?q", or absolute-form "http://host/a/b?q"), without the
// query and percent-decoded; nullopt when it cannot be a path (NUL, broken escapes).
std::optional<std::string> DecodePath(std::string_view target) {
  target = target.substr(0, target.find('?'));
  if (auto scheme = target.find("://"); scheme != std::string_view::npos && target.front() != '/') {
    auto slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  if (target.empty() || target.front() != '/') return std::nullopt;
  return PercentDecode(target, /*form_encoding=*/false, /*strict=*/true);
}

// "2026-11-23T00:40:01.123Z"
std::string UtcTimestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

// One JSON line on stderr; a single fwrite keeps lines from different threads whole.
void LogLine(const std::string& fields) {
  std::string line = "{\"ts\":\"" + UtcTimestamp() + "\"," + fields + "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

void LogError(const std::string& message, std::string_view method, std::string_view path) {
  std::string fields = "\"level\":\"error\",\"msg\":\"" + JsonEscape(message) + "\"";
  if (!method.empty()) fields += ",\"method\":\"" + JsonEscape(method) + "\",\"path\":\"" + JsonEscape(path) + "\"";
  LogLine(fields);
}

// RFC 9110 token characters, for header names.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

// A header value must not end the header line early (response splitting).
bool IsSafeHeaderValue(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Turns a handler's Response into the bytes to send: default security headers, gzip when it
// pays, framing (Content-Length; none for HEAD/204/304). Never throws.
void BuildResponse(const ServerOptions& o, const Request* req, unsigned version, Response res, BeastResponse& out) {
  if (res.status < 200 || res.status > 599) {
    LogError("handler answered with status " + std::to_string(res.status), req ? req->method : "", req ? req->path : "");
    res = Response::Text(500, "internal server error\n");
  }
  auto set_default = [&](const char* name, const std::string& value) {
    if (!res.headers.count(name)) res.Set(name, value);
  };
  set_default("Content-Security-Policy", o.content_security_policy);
  set_default("X-Content-Type-Options", "nosniff");
  set_default("Referrer-Policy", "strict-origin-when-cross-origin");
  set_default("X-Frame-Options", "DENY");
  const bool head = req && req->method == "HEAD";
  const bool no_body = res.status == 204 || res.status == 304;
  auto type = res.headers.find("Content-Type");
  if (req && !head && !no_body && res.body.size() >= kGzipMinBytes && !res.headers.count("Content-Encoding") &&
      type != res.headers.end() && Compressible(type->second)) {
    // Caches must keep the plain and the compressed answer apart, whichever this one is.
    auto vary = res.headers.find("Vary");
    if (vary == res.headers.end())
      res.Set("Vary", "Accept-Encoding");
    else if (AsciiLower(vary->second).find("accept-encoding") == std::string::npos && vary->second != "*")
      res.Set("Vary", vary->second + ", Accept-Encoding");
    if (AcceptsGzip(req->Header("Accept-Encoding"))) {
      if (auto z = Gzip(res.body); z && z->size() < res.body.size()) {
        res.body = std::move(*z);
        res.Set("Content-Encoding", "gzip");
      }
    }
  }
  out.version(version);
  out.result(static_cast<unsigned>(res.status));
  out.set(bhttp::field::server, "Ting");
  std::optional<uint64_t> head_length;
  for (const auto& [name, value] : res.headers) {
    if (!IsToken(name) || !IsSafeHeaderValue(value)) {
      LogError("dropped a response header with an invalid name or value: " + name, req ? req->method : "", req ? req->path : "");
      continue;
    }
    if (beast::iequals(name, "Content-Length")) {
      if (auto n = ParseInt64(value); n && *n >= 0) head_length = static_cast<uint64_t>(*n);
      continue;
    }
    if (beast::iequals(name, "Transfer-Encoding") || beast::iequals(name, "Connection")) continue;
    if (beast::iequals(name, "Server")) {
      out.set(bhttp::field::server, value);
      continue;
    }
    out.insert(name, value);
  }
  if (no_body) return;  // no body and no Content-Length
  if (head) {
    out.content_length(head_length ? *head_length : res.body.size());
    return;
  }
  out.content_length(res.body.size());
  out.body() = std::move(res.body);
}

// A Host field value (RFC 9112 §3.2, RFC 3986 authority without userinfo): a name of letters,
// digits, '-', '.', '_', '~' or a bracketed IP literal, then an optional ":port". Empty is
// allowed (a target without authority); anything else (spaces, '/', '@', ',') is not.
bool IsValidHost(std::string_view host) {
  if (host.empty()) return true;
  std::string_view port;
  if (host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : host.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    port = host.substr(close + 1);
  } else {
    auto colon = host.find(':');
    std::string_view name = host.substr(0, colon);
    if (name.empty()) return false;
    for (char c : name)
      if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("-._~").find(c) == std::string_view::npos) return false;
    if (colon != std::string_view::npos) port = host.substr(colon);
  }
  if (port.empty()) return true;
  if (port.front() != ':' || port.size() > 6) return false;
  for (char c : port.substr(1))
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// The authority of an absolute-form target ("http://host:8080/p?q" → "host:8080"), or nullopt
// for the origin form ("/p?q").
std::optional<std::string_view> TargetAuthority(std::string_view target) {
  if (target.empty() || target.front() == '/') return std::nullopt;
  auto scheme = target.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  std::string_view rest = target.substr(scheme + 3);
  return rest.substr(0, rest.find_first_of("/?#"));
}

// What the server refuses before any handler runs: a status and a message.

// Checks a request header that the parser accepted: framing it leaves ambiguous (RFC 9112
// §6.1, §6.3) and the Host rules (RFC 9112 §3.2). The parser itself already refuses
// Content-Length with Transfer-Encoding and Content-Lengths that differ.
std::optional<Refusal> CheckHeader(const bhttp::request_header<>& msg) {
  std::vector<std::string> codings;
  bool has_transfer_encoding = false;
  for (const auto& field : msg) {
    if (field.name() != bhttp::field::transfer_encoding) continue;
    has_transfer_encoding = true;
    for (auto item : Split(std::string_view(field.value().data(), field.value().size()), ',')) {
      std::string coding = AsciiLower(Trim(item));
      if (!coding.empty()) codings.push_back(std::move(coding));
    }
  }
  if (has_transfer_encoding) {
    // Without chunked last, the body's end cannot be known: a front proxy and this server could
    // split the stream into different requests.
    if (msg.version() < 11) return Refusal{400, "bad request: Transfer-Encoding in HTTP/1.0"};
    if (codings.empty() || codings.back() != "chunked") return Refusal{400, "bad request: the last transfer coding is not chunked"};
    for (size_t i = 0; i + 1 < codings.size(); ++i) {
      if (codings[i] == "chunked") return Refusal{400, "bad request: chunked more than once"};
      return Refusal{501, "transfer coding not implemented: " + codings[i]};
    }
  }
  size_t hosts = 0;
  std::string_view host;
  for (const auto& field : msg) {
    if (field.name() != bhttp::field::host) continue;
    ++hosts;
    host = std::string_view(field.value().data(), field.value().size());
  }
  if (hosts > 1) return Refusal{400, "bad request: more than one Host"};
  if (hosts == 0 && msg.version() >= 11) return Refusal{400, "bad request: HTTP/1.1 without Host"};
  if (!IsValidHost(host)) return Refusal{400, "bad request: the Host is not valid"};
  std::string_view target(msg.target().data(), msg.target().size());
  if (auto authority = TargetAuthority(target); authority && (authority->empty() || !IsValidHost(*authority)))
    return Refusal{400, "bad request: the target's host is not valid"};
  return std::nullopt;
}

// The client's address behind a trusted proxy: the last hop of the last X-Forwarded-For field
// (the one our proxy added; earlier hops and fields are whatever the client claimed), or ""
// when there is none or it is not an IP address.
std::string ForwardedFor(const bhttp::request_header<>& msg) {
  std::string_view forwarded;
  for (const auto& field : msg) {
    if (beast::iequals(field.name_string(), "X-Forwarded-For"))
      forwarded = std::string_view(field.value().data(), field.value().size());
  }
  if (forwarded.empty()) return "";
  auto comma = forwarded.rfind(',');
  std::string last(Trim(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1)));
  beast::error_code bad;
  asio::ip::make_address(last, bad);
  return bad ? "" : last;
}


}  // namespace ting::http
