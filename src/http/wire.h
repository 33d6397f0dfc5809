#pragma once
// What the HTTP server reads and writes on the wire, apart from connections: the request body
// type, checks of a request header (framing, Host), decoding its path, the answer's headers,
// security defaults and gzip, and the access/error log lines. Internal to ting_http (the server
// and its fuzz target use it).

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ting/http/server.h"

namespace ting::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using BeastResponse = bhttp::response<bhttp::string_body>;

// A request body in a std::string, like bhttp::string_body, except that it grows with the
// bytes that arrive instead of reserving the announced Content-Length: a header alone must not
// make the server allocate up to max_body_bytes (an allocation failure would end the process).
struct RequestBody {
  using value_type = std::string;
  static constexpr uint64_t kReserveBytes = 64 * 1024;

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(bhttp::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<uint64_t>& length, beast::error_code& ec) {
      if (length) body_.reserve(static_cast<size_t>(std::min(*length, kReserveBytes)));
      ec = {};
    }
    template <class ConstBufferSequence>
    size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
      size_t before = body_.size();
      for (auto b : beast::buffers_range_ref(buffers)) body_.append(static_cast<const char*>(b.data()), b.size());
      ec = {};
      return body_.size() - before;
    }
    void finish(beast::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

// What the server refuses before any handler runs: a status and a message.
struct Refusal {
  int status;
  std::string message;
};

bool Compressible(std::string_view content_type);

// True when Accept-Encoding allows gzip: listed (or "*") with a non-zero q.
bool AcceptsGzip(std::string_view accept_encoding);

// gzip (RFC 1952) of data, or nullopt when zlib fails.
std::optional<std::string> Gzip(const std::string& data);

// The path of a request target ("/a/b?q", or absolute-form "http://host/a/b?q"), without the
// query and percent-decoded; nullopt when it cannot be a path (NUL, broken escapes).
std::optional<std::string> DecodePath(std::string_view target);

// "2026-11-23T00:40:01.123Z"
std::string UtcTimestamp();

// One JSON line on stderr; a single fwrite keeps lines from different threads whole.
void LogLine(const std::string& fields);

void LogError(const std::string& message, std::string_view method = "", std::string_view path = "");

// RFC 9110 token characters, for header names.
bool IsToken(std::string_view s);

// A header value must not end the header line early (response splitting).
bool IsSafeHeaderValue(std::string_view s);

// Turns a handler's Response into the bytes to send: default security headers, gzip when it
// pays, framing (Content-Length; none for HEAD/204/304). Never throws.
void BuildResponse(const ServerOptions& o, const Request* req, unsigned version, Response res, BeastResponse& out);

// A Host field value (RFC 9112 §3.2, RFC 3986 authority without userinfo): a name of letters,
// digits, '-', '.', '_', '~' or a bracketed IP literal, then an optional ":port". Empty is
// allowed (a target without authority); anything else (spaces, '/', '@', ',') is not.
bool IsValidHost(std::string_view host);

// The authority of an absolute-form target ("http://host:8080/p?q" → "host:8080"), or nullopt
// for the origin form ("/p?q").
std::optional<std::string_view> TargetAuthority(std::string_view target);

// Checks a request header that the parser accepted: framing it leaves ambiguous (RFC 9112
// §6.1, §6.3) and the Host rules (RFC 9112 §3.2). The parser itself already refuses
// Content-Length with Transfer-Encoding and Content-Lengths that differ.
std::optional<Refusal> CheckHeader(const bhttp::request_header<>& msg);

// The client's address behind a trusted proxy: the last hop of the last X-Forwarded-For field
// (the one our proxy added; earlier hops and fields are whatever the client claimed), or ""
// when there is none or it is not an IP address.
std::string ForwardedFor(const bhttp::request_header<>& msg);

}  // namespace ting::http
