#pragma once
// HTTP/1.1 server on Boost.Beast/Asio: keep-alive, limits, timeouts, graceful shutdown,
// security headers, gzip, access log. The application passes one Handler (usually a Router
// wrapped in its middleware).
//
// Requests the server answers itself, before any handler runs, and then closes: 400 for a
// malformed request, an HTTP/1.1 request without Host, more than one Host field or an invalid
// Host value, and ambiguous framing (Content-Length with Transfer-Encoding, differing
// Content-Lengths, Transfer-Encoding in HTTP/1.0 or whose last coding is not chunked);
// 501 for a transfer coding other than chunked; 431, 413, 408, 429 and 503 for the limits
// below. Trailer fields of a chunked body are dropped, never merged into Request::headers.
// With an absolute-form target ("GET http://host/path"), its authority is the request's Host.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ting/base/result.h"
#include "ting/http/http.h"

namespace ting::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;                      // 0: pick a free port (see Server::port())
  int io_threads = 0;                        // 0: one per core
  int worker_threads = 64;                   // handlers run here; they may block
  // Methods whose handlers run on the I/O thread instead (no hand-off): reads that never wait
  // long. Empty: every handler runs on the worker pool.
  std::vector<std::string> inline_methods = {"GET", "HEAD"};
  size_t max_header_bytes = 16 * 1024;       // larger header block: 431
  size_t max_body_bytes = 8 * 1024 * 1024;   // larger body: 413
  // Reading a request. A new connection's first request header must arrive whole within
  // read_timeout of connecting; a later one within read_timeout of its first byte. After the
  // header, the body is watched in windows of read_timeout: the first window must bring at
  // least one body byte, and every later one at least min_body_bytes_per_second × read_timeout
  // bytes (with the defaults: 30 KiB per 15 s). Otherwise 408 and the connection closes.
  // A body therefore takes at most read_timeout × (2 + max_body_bytes / (that per window)).
  std::chrono::seconds read_timeout{15};
  size_t min_body_bytes_per_second = 2048;   // 0: only the first byte is required
  std::chrono::seconds idle_timeout{60};     // keep-alive connections idle longer are closed
  // Capacity. At most max_connections are open; past that a new one is answered 503 and
  // closed, unless room can be made (below). At most max_connections_per_ip come from one
  // client address: the next one is answered 429 Too Many Requests and closed. Without
  // trust_forwarded_proto the address is the peer's and the check is made on connecting;
  // with it, the address is the one the access log shows (the last X-Forwarded-For hop, else
  // the peer's), and a connection counts against it from its request header on (429 then).
  //
  // Connections that have not yet sent a whole request (new ones, and those reading a header
  // or body) may hold at most 90% of max_connections: when a connection would go past that
  // share, the one whose request started earliest is shed (a best-effort 408 and closed at
  // once). When all max_connections are open, a new connection takes the place of an idle
  // keep-alive or closing one, else of the oldest incomplete one; only when every connection
  // is answering a request is it refused with 503. So a client that sends a whole request
  // promptly is served even while others hold connections open without finishing theirs.
  size_t max_connections = 10000;
  size_t max_connections_per_ip = 1024;
  bool trust_forwarded_proto = false;        // honour X-Forwarded-Proto / X-Forwarded-For
  bool access_log = true;                    // one JSON line per request to stderr
  // Added to every response unless the handler set the header itself.
  std::string content_security_policy =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();  // stops if running

  // Binds and starts the I/O and worker threads. Error when the address cannot be bound.
  Status Start();
  uint16_t port() const;  // the bound port (useful with port 0)

  // Blocks until Stop() or SIGINT/SIGTERM (when handle_signals), then drains: stops
  // accepting, lets in-flight requests finish (up to drain_timeout), and returns.
  void Wait(bool handle_signals = true, std::chrono::seconds drain_timeout = std::chrono::seconds(10));
  void Stop();  // thread-safe; makes Wait() return after draining

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Serves files below root for paths under prefix, with Content-Type, ETag (If-None-Match →
// 304) and Cache-Control. Never serves anything outside root.
Handler StaticFiles(std::string root, std::string prefix, std::string cache_control = "public, max-age=3600");
// The same for files held in memory (name below prefix -> content, which must outlive the
// handler), with a content hash as ETag.
Handler EmbeddedFiles(const std::vector<std::pair<std::string, std::string_view>>& files, std::string prefix,
                      std::string cache_control = "public, max-age=3600");
// The media type of a file by its extension (the program's one table).
std::string ContentTypeFor(std::string_view path);

}  // namespace ting::http
