// libFuzzer target for the server's request path, without sockets: raw bytes go through the
// Beast request parser exactly as a connection feeds it (header first, then the body, then the
// next pipelined request), then the server's own checks and conversion (CheckHeader,
// DecodePath, TargetAuthority), then a handler's answer that echoes request text into headers
// goes through BuildResponse and is read back by a response parser.
//
// Properties, beyond "does not crash":
//  - a header CheckHeader accepts has at most one Host (exactly one in HTTP/1.1), a Host and
//    an absolute-form authority without spaces, '/', '@', ',' or control characters, and a
//    Transfer-Encoding only in HTTP/1.1 with chunked last and once;
//  - a decoded path starts with '/', holds no NUL and is never longer than the target;
//  - a whole body is exactly Content-Length bytes long when one was sent;
//  - the request the handler sees has exactly one Host when the target was absolute-form,
//    and that Host is the target's authority;
//  - the serialized answer has no CR, LF or NUL inside a header line, only the fields the
//    handler and the server set (no header splitting by a decoded "%0D%0A"), echoed header
//    values intact or dropped (never cut), one Content-Length that is the body's length, and
//    the handler's body (after gunzip when the server compressed it); none for HEAD/204/304.
//
// The server's wire helpers (src/http/wire.h) are the very functions the server runs.

#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

#include "../wire.h"
#include "ting/base/strings.h"

namespace {

using namespace ting;
using namespace ting::http;

FILE* g_report = nullptr;  // the real stderr; LogError's lines go to /dev/null

void Check(bool ok, const char* what, std::string_view input = {}) {
  if (ok) return;
  std::fprintf(g_report ? g_report : stdout, "property violated: %s [%.*s]\n", what, static_cast<int>(std::min<size_t>(input.size(), 300)),
               input.data());
  std::abort();
}

bool HostCharsOk(std::string_view host) {
  for (unsigned char c : host)
    if (c <= 0x20 || c >= 0x7f || c == '/' || c == '@' || c == ',' || c == '?' || c == '#') return false;
  return true;
}

std::optional<std::string> Gunzip(const std::string& z) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return std::nullopt;
  std::string out;
  char buf[4096];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data()));
  zs.avail_in = static_cast<uInt>(z.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

// A field value as Beast stores it: without surrounding spaces and tabs (RFC 9110 OWS).
std::string_view Ows(std::string_view v) {
  size_t b = v.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  return v.substr(b, v.find_last_not_of(" \t") - b + 1);
}

// What CheckHeader accepted, read again independently of it.
void CheckAcceptedHeader(const bhttp::request_header<>& msg) {
  size_t hosts = 0;
  std::string_view host;
  std::vector<std::string> codings;
  bool has_te = false, has_cl = false;
  for (const auto& f : msg) {
    std::string_view value(f.value().data(), f.value().size());
    if (f.name() == bhttp::field::host) {
      ++hosts;
      host = value;
    }
    if (f.name() == bhttp::field::content_length) has_cl = true;
    if (f.name() == bhttp::field::transfer_encoding) {
      has_te = true;
      for (auto item : Split(value, ',')) {
        std::string c = AsciiLower(Trim(item));
        if (!c.empty()) codings.push_back(c);
      }
    }
  }
  Check(hosts <= 1, "two Host fields accepted");
  Check(msg.version() < 11 || hosts == 1, "HTTP/1.1 without Host accepted");
  Check(HostCharsOk(host), "invalid Host accepted", host);
  if (has_te) {
    Check(msg.version() >= 11, "Transfer-Encoding in HTTP/1.0 accepted");
    Check(!has_cl, "Content-Length with Transfer-Encoding accepted");
    Check(codings == std::vector<std::string>{"chunked"}, "a transfer coding other than one chunked accepted");
  }
  std::string_view target(msg.target().data(), msg.target().size());
  if (auto authority = TargetAuthority(target)) {
    Check(!authority->empty() && HostCharsOk(*authority), "invalid target authority accepted", *authority);
  }
}

// The handler's answer: request text echoed into headers and the body, the way handlers put
// user input into Location (redirects) and Set-Cookie.
Response EchoHandler(const Request& req, uint8_t selector) {
  static const int kStatuses[] = {200, 303, 204, 304, 404, 500, 99, 600};
  Response res;
  res.status = kStatuses[selector % 8];
  res.Set("Content-Type", selector & 8 ? "text/html; charset=utf-8" : "image/png");
  res.Set("Location", req.path);
  res.Set("X-Query", UrlDecode(req.query, true));
  res.Add("Set-Cookie", std::string(req.Header("Cookie")));
  if (selector & 16) res.Set(std::string(req.Header("X-Name")), "named by the client");
  if (selector & 32) res.Set("Content-Length", std::string(req.Header("X-Length")));
  res.body = req.body;
  // Bodies of 1 kB and more are compressed when the client accepts gzip.
  while (!res.body.empty() && res.body.size() < 1100 && (selector & 64)) res.body += req.body;
  return res;
}

void CheckAnswer(const Request& req, unsigned version, uint8_t selector) {
  Response res = EchoHandler(req, selector);
  const Response sent = res;
  BeastResponse out;
  ServerOptions options;
  BuildResponse(options, &req, version, std::move(res), out);
  std::ostringstream os;
  os << out;
  const std::string bytes = os.str();

  // Read the answer back line by line, as strictly as a client splits it: every CR or LF
  // inside a line would be a line break to some client.
  size_t end = bytes.find("\r\n\r\n");
  Check(end != std::string::npos, "no end of header", bytes);
  std::string_view header(bytes.data(), end), body_bytes(bytes.data() + end + 4, bytes.size() - end - 4);
  std::vector<std::string_view> lines;
  for (size_t pos = 0;;) {
    size_t eol = header.find("\r\n", pos);
    lines.push_back(header.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos));
    if (eol == std::string_view::npos) break;
    pos = eol + 2;
  }
  const bool valid_status = sent.status >= 200 && sent.status <= 599;
  const int status = valid_status ? sent.status : 500;
  Check(lines[0].size() > 12 && lines[0].substr(9, 3) == std::to_string(status), "status changed", bytes);
  static const std::set<std::string> kAllowed = {
      "server", "content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options", "vary",
      "content-encoding", "content-type", "content-length", "location", "x-query", "set-cookie"};
  const std::string client_name = AsciiLower(req.Header("X-Name"));
  std::optional<std::string_view> content_length, content_encoding;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    Check(line.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos, "CR, LF or NUL inside a header line", bytes);
    size_t colon = line.find(": ");
    Check(colon != std::string_view::npos && colon > 0, "a header line without a field name", bytes);
    std::string name = AsciiLower(line.substr(0, colon));
    std::string_view value = line.substr(colon + 2);
    Check(kAllowed.count(name) || ((selector & 16) && name == client_name), "a field the handler never set", bytes);
    if (name == "content-length") {
      Check(!content_length, "two Content-Length fields", bytes);
      content_length = value;
    }
    if (name == "content-encoding") content_encoding = value;
    if (!valid_status) continue;
    if (name == "location") Check(value == Ows(sent.headers.find("Location")->second), "Location cut or changed", bytes);
    if (name == "x-query") Check(value == Ows(sent.headers.find("X-Query")->second), "X-Query cut or changed", bytes);
  }
  if (req.method == "HEAD" || status == 204 || status == 304) {
    Check(body_bytes.empty(), "a body where there must be none", bytes);
    return;
  }
  Check(content_length && *content_length == std::to_string(body_bytes.size()), "Content-Length is not the body's length", bytes);
  if (!valid_status) return;
  std::string body(body_bytes);
  if (content_encoding == "gzip" && !sent.headers.count("Content-Encoding")) {
    auto plain = Gunzip(body);
    Check(plain.has_value(), "gzip body does not inflate", bytes);
    body = *plain;
  }
  Check(body == sent.body, "body changed on the way out", bytes);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The server logs dropped headers and odd statuses on stderr; at fuzzing speed that output
  // is the bottleneck. glibc lets stderr be reassigned: sanitizer reports go to fd 2 anyway.
  g_report = stderr;
  if (FILE* null = std::fopen("/dev/null", "w")) stderr = null;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  uint8_t selector = size ? data[size - 1] : 0;
  size_t offset = 0;
  // Up to four pipelined requests, each with a fresh parser as the connection makes one.
  for (int n = 0; n < 4 && offset < input.size(); ++n) {
    bhttp::request_parser<RequestBody> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(64 * 1024);
    beast::error_code ec;
    std::optional<Headers> header_fields;
    bool refused = false;
    while (offset < input.size()) {
      size_t used = parser.put(asio::buffer(input.data() + offset, input.size() - offset), ec);
      Check(used <= input.size() - offset, "parser used more than it was given");
      offset += used;
      if (ec) break;
      if (parser.is_header_done() && !header_fields) {
        if (CheckHeader(parser.get())) {
          refused = true;
          break;
        }
        CheckAcceptedHeader(parser.get());
        header_fields.emplace();
        for (const auto& h : parser.get()) header_fields->emplace(std::string(h.name_string()), std::string(h.value()));
      }
      if (parser.is_done() || used == 0) break;
    }
    if (ec || refused || !parser.is_done()) return 0;  // the server answers 4xx/5xx or waits (then 408)

    auto& msg = parser.get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    auto path = DecodePath(req.target);
    if (!path) continue;  // 400, and the connection would close
    Check(!path->empty() && path->front() == '/', "decoded path does not start with '/'", req.target);
    Check(path->find('\0') == std::string::npos, "decoded path holds a NUL", req.target);
    Check(path->size() <= req.target.size(), "decoded path longer than the target", req.target);
    req.path = std::move(*path);
    if (auto q = req.target.find('?'); q != std::string::npos) req.query = req.target.substr(q + 1);
    req.headers = std::move(*header_fields);
    if (auto authority = TargetAuthority(req.target)) {
      req.headers.erase("Host");
      req.headers.emplace("Host", std::string(*authority));
      Check(req.headers.count("Host") == 1 && req.Header("Host") == *authority, "absolute-form authority is not the Host");
    }
    req.body = std::move(msg.body());
    if (auto cl = ParseInt64(Trim(std::string_view(msg[bhttp::field::content_length].data(), msg[bhttp::field::content_length].size()))))
      Check(static_cast<int64_t>(req.body.size()) == *cl, "body is not Content-Length long");
    Check(req.body.size() <= input.size(), "body longer than the input");
    CheckAnswer(req, msg.version(), selector);
  }
  return 0;
}
