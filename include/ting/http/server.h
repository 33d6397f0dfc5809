#pragma once
// HTTP/1.1 server on Boost.Beast/Asio: keep-alive, limits, timeouts, graceful shutdown,
// security headers, gzip, access log. The application passes one Handler (usually a Router
// wrapped in its middleware).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
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
  std::chrono::seconds read_timeout{15};     // a request must arrive whole within this (else 408);
                                             // a body gets extra time: its length at 16 KiB/s
  std::chrono::seconds idle_timeout{60};     // keep-alive connections idle longer are closed
  size_t max_connections = 10000;            // more at once: answered 503 and closed
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

}  // namespace ting::http
