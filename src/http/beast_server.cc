// The HTTP/1.1 server on Boost.Beast/Asio.
//
// Threads: `io_threads` run the sockets (one strand per connection); handlers run on a
// separate pool of `worker_threads`, because a handler may block (a durable write waits for
// its group commit). A request travels: read on its strand → handler, security headers and
// gzip on a worker → write back on its strand. One request per connection is in progress at a
// time, so pipelined requests are answered in order.
//
// Timeouts: a connection waits for the first byte of a request for `idle_timeout` (for its
// first request, `read_timeout`), then the header must arrive within `read_timeout`, and the
// body within `read_timeout` plus its length at 16 KiB/s.
// A request cut short by the timeout is answered 408; an idle connection is just closed.

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "ting/base/strings.h"
#include "ting/http/server.h"

namespace ting::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using BeastResponse = bhttp::response<bhttp::string_body>;

namespace {

constexpr size_t kGzipMinBytes = 1024;
constexpr auto kErrorWriteTimeout = std::chrono::seconds(5);
// After an error answer the client may still be sending (an oversized body): read and drop
// what it sends for a moment, so that closing does not reset the connection before the client
// has read the answer.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kLingerMaxBytes = 4 << 20;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
// A body gets read_timeout plus the time to send it at this rate (an upload from a phone on a
// poor connection), so that the limit stays bounded without cutting off honest uploads.
constexpr double kSlowestUploadBytesPerSecond = 16 * 1024;

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

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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
  std::string out;
  out.reserve(target.size());
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] != '%') {
      out += target[i];
      continue;
    }
    if (i + 2 >= target.size()) return std::nullopt;
    int hi = HexDigit(target[i + 1]), lo = HexDigit(target[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
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

void LogError(const std::string& message, std::string_view method = "", std::string_view path = "") {
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

class Connection;

// State shared by the acceptor and every connection. It outlives them all: ~Server joins the
// threads first, and connections still queued in the io_context die with it, after these
// members (declared first, destroyed last).
struct Core {
  Core(ServerOptions o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        workers(static_cast<size_t>(std::max(1, options.worker_threads))),
        acceptor(asio::make_strand(ioc)),
        accept_retry(acceptor.get_executor()) {}

  void Accept();
  void RequestStop() {
    {
      std::lock_guard lock(mu);
      stop_requested = true;
    }
    cv.notify_all();
  }
  void BeginRequest() {
    std::lock_guard lock(mu);
    ++in_flight;
  }
  void EndRequest() {
    {
      std::lock_guard lock(mu);
      --in_flight;
    }
    cv.notify_all();
  }
  void AccessLog(std::string_view method, std::string_view path, int status, size_t bytes,
                 std::chrono::steady_clock::time_point start, std::string_view ip) {
    if (!options.access_log) return;
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    char dur[32];
    std::snprintf(dur, sizeof dur, "%.3f", ms);
    LogLine("\"method\":\"" + JsonEscape(method) + "\",\"path\":\"" + JsonEscape(path) + "\",\"status\":" + std::to_string(status) +
            ",\"bytes\":" + std::to_string(bytes) + ",\"duration_ms\":" + dur + ",\"ip\":\"" + JsonEscape(ip) + "\"");
  }

  const ServerOptions options;
  const Handler handler;

  std::mutex mu;
  std::condition_variable cv;
  bool stop_requested = false;                                         // guarded by mu
  int in_flight = 0;                                                   // guarded by mu
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;  // guarded by mu
  uint64_t next_connection_id = 0;                                     // guarded by mu
  std::atomic<bool> stopping{false};
  std::atomic<bool> busy_logged{false};
  uint16_t bound_port = 0;

  asio::io_context ioc;
  // Keeps the io threads running while a handler is on a worker and nothing waits on a socket.
  asio::executor_work_guard<asio::io_context::executor_type> keep_running = asio::make_work_guard(ioc);
  asio::thread_pool workers;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  std::vector<std::thread> io_threads;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket&& socket, Core* core) : socket_(std::move(socket)), timer_(socket_.get_executor()), core_(core) {
    beast::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) remote_ip_ = ep.address().to_string();
  }

  ~Connection() {
    std::lock_guard lock(core_->mu);
    core_->connections.erase(id_);
    if (busy_) {
      --core_->in_flight;
      core_->cv.notify_all();
    }
  }

  void Start() {
    {
      std::lock_guard lock(core_->mu);
      id_ = ++core_->next_connection_id;
      core_->connections[id_] = weak_from_this();
    }
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // Called when the server drains: a connection between requests closes now; one with a
  // request in progress answers it (with Connection: close) first.
  void NotifyStopping() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

 private:
  using Duration = std::chrono::steady_clock::duration;

  // The timer cancels whatever operation is pending on the socket; timed_out_ tells the
  // completion handler why it was cancelled. The generation ignores stale expiries.
  void ArmTimer(Duration d) {
    uint64_t generation = ++timer_generation_;
    timed_out_ = false;
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
      if (ec || generation != self->timer_generation_) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->socket_.cancel(ignored);
    });
  }
  void CancelTimer() {
    ++timer_generation_;
    timer_.cancel();
  }

  void SetBusy(bool busy) {
    if (busy == busy_) return;
    busy_ = busy;
    if (busy)
      core_->BeginRequest();
    else
      core_->EndRequest();
  }

  void WaitForRequest() {
    if (closed_) return;
    if (core_->stopping) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(core_->options.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(core_->options.max_body_bytes);
    if (buffer_.size() > 0) return OnReadable({});  // pipelined: the next request is already here
    // A new connection's first request must arrive whole within read_timeout of connecting.
    ArmTimer(first_ ? Duration(core_->options.read_timeout) : Duration(core_->options.idle_timeout));
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) { self->OnReadable(ec); });
  }

  void OnReadable(beast::error_code ec) {
    // Idle too long (also when the data and the deadline arrived together), or draining.
    if (ec || timed_out_ || closed_ || core_->stopping) return Close();
    SetBusy(true);
    start_ = std::chrono::steady_clock::now();
    if (!first_) ArmTimer(core_->options.read_timeout);
    bhttp::async_read_header(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return OnRequest({});
    auto& msg = parser_->get();
    if (msg.version() >= 11 && beast::iequals(msg[bhttp::field::expect], "100-continue")) {
      // The body is within limits (checked with the header): ask the client to send it.
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      return asio::async_write(socket_, asio::buffer(kContinue), [self = shared_from_this()](beast::error_code ec, size_t) {
        if (ec) return self->OnReadError(ec);
        self->ReadBody();
      });
    }
    ReadBody();
  }

  void ReadBody() {
    uint64_t expected = parser_->content_length().value_or(core_->options.max_body_bytes);
    auto allowance = std::chrono::duration<double>(static_cast<double>(expected) / kSlowestUploadBytesPerSecond);
    ArmTimer(std::chrono::duration_cast<Duration>(core_->options.read_timeout + allowance));
    bhttp::async_read(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (closed_) return;
    if (timed_out_) {
      // Half a request when the time ran out: say so. (An idle connection never gets here.)
      if (core_->stopping) return Close();
      return SendError(408, "request timeout");
    }
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == asio::error::broken_pipe)
      return Close();
    if (ec == bhttp::error::header_limit) return SendError(431, "request header fields too large");
    if (ec == bhttp::error::body_limit) return SendError(413, "payload too large");
    SendError(400, "bad request");
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    CancelTimer();
    auto& msg = parser_->get();
    auto req = std::make_shared<Request>();
    req->method = std::string(msg.method_string());
    req->target = std::string(msg.target());
    auto path = DecodePath(req->target);
    if (!path) return SendError(400, "bad request: the path is not valid");
    req->path = std::move(*path);
    if (auto q = req->target.find('?'); q != std::string::npos) req->query = req->target.substr(q + 1);
    for (const auto& h : msg) req->headers.emplace(std::string(h.name_string()), std::string(h.value()));
    req->body = std::move(msg.body());
    req->remote_ip = remote_ip_;
    if (core_->options.trust_forwarded_proto) {
      req->secure = AsciiLower(Trim(req->Header("X-Forwarded-Proto"))) == "https";
      // The last hop is the one our proxy added; earlier ones are whatever the client claimed.
      std::string_view forwarded = req->Header("X-Forwarded-For");
      if (!forwarded.empty()) {
        auto comma = forwarded.rfind(',');
        std::string last(Trim(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1)));
        beast::error_code bad;
        asio::ip::make_address(last, bad);
        if (!bad) req->remote_ip = last;
      }
    }
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    first_ = false;
    // Reads (GET, HEAD by default) run right here on the I/O thread: they do not wait for a
    // commit, and the hop to a worker and back costs more than they do. Anything else may block
    // (a durable write waits for its group commit), so it runs on the worker pool.
    const auto& inline_methods = core_->options.inline_methods;
    if (std::find(inline_methods.begin(), inline_methods.end(), req->method) != inline_methods.end()) {
      auto out = Handle(*core_, *req, version_);
      return Write(*req, out);
    }
    asio::post(core_->workers, [self = shared_from_this(), req] {
      auto out = Handle(*self->core_, *req, self->version_);
      asio::post(self->socket_.get_executor(), [self, req, out] { self->Write(*req, out); });
    });
  }

  // Runs the application's handler and builds the answer; never throws.
  static std::shared_ptr<BeastResponse> Handle(const Core& core, Request& req, unsigned version) {
    Response res;
    try {
      res = core.handler(req);
    } catch (const std::exception& e) {
      LogError(std::string("handler threw: ") + e.what(), req.method, req.path);
      res = Response::Text(500, "internal server error\n");
    } catch (...) {
      LogError("handler threw a non-exception", req.method, req.path);
      res = Response::Text(500, "internal server error\n");
    }
    auto out = std::make_shared<BeastResponse>();
    try {
      BuildResponse(core.options, &req, version, std::move(res), *out);
    } catch (const std::exception& e) {
      LogError(std::string("cannot build the response: ") + e.what(), req.method, req.path);
      *out = BeastResponse();
      BuildResponse(core.options, nullptr, version, Response::Text(500, "internal server error\n"), *out);
    }
    return out;
  }

  void Write(const Request& req, std::shared_ptr<BeastResponse> out) {
    if (closed_) return SetBusy(false);
    bool keep = keep_alive_ && !core_->stopping;
    out->keep_alive(keep);
    core_->AccessLog(req.method, req.path, static_cast<int>(out->result_int()), out->body().size(), start_, req.remote_ip);
    ArmTimer(core_->options.read_timeout);  // a client that does not read its answer is dropped
    bhttp::async_write(socket_, *out, [self = shared_from_this(), out, keep](beast::error_code ec, size_t) {
      self->CancelTimer();
      self->SetBusy(false);
      if (ec) return self->Close();
      if (!keep) return self->Linger();
      self->WaitForRequest();
    });
  }

  // An error answered before any handler ran; the connection closes after it.
  void SendError(int status, const std::string& message) {
    auto out = std::make_shared<BeastResponse>();
    BuildResponse(core_->options, nullptr, 11, Response::Text(status, message + "\n"), *out);
    out->keep_alive(false);
    std::string method = "-", path = "-";
    if (parser_ && parser_->is_header_done()) {
      method = std::string(parser_->get().method_string());
      auto target = parser_->get().target();
      path = std::string(target.substr(0, target.find('?')));
    }
    if (!busy_) start_ = std::chrono::steady_clock::now();
    core_->AccessLog(method, path, status, out->body().size(), start_, remote_ip_);
    ArmTimer(kErrorWriteTimeout);
    bhttp::async_write(socket_, *out, [self = shared_from_this(), out](beast::error_code ec, size_t) {
      self->CancelTimer();
      self->SetBusy(false);
      if (ec) return self->Close();
      self->Linger();
    });
  }

  // Graceful close: no more sending, read and drop what the client still sends, then close.
  void Linger() {
    if (closed_) return;
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    ArmTimer(kLingerTimeout);
    if (!discard_) discard_ = std::make_unique<std::array<char, 16384>>();
    DiscardInput();
  }
  void DiscardInput() {
    socket_.async_read_some(asio::buffer(*discard_), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->discarded_ += n;
      if (ec || self->discarded_ > kLingerMaxBytes) return self->Close();
      self->DiscardInput();
    });
  }

  void Close() {
    SetBusy(false);
    if (closed_) return;
    closed_ = true;
    CancelTimer();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  uint64_t timer_generation_ = 0;
  bool timed_out_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Core* core_;
  uint64_t id_ = 0;
  std::string remote_ip_;
  bool first_ = true;       // no request completed yet on this connection
  bool busy_ = false;       // a request is in progress (first byte seen, answer not yet sent)
  bool closed_ = false;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::chrono::steady_clock::time_point start_;
  std::unique_ptr<std::array<char, 16384>> discard_;
  size_t discarded_ = 0;
};

void Core::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping || !acceptor.is_open()) return;
    if (ec) {
      // Out of file descriptors (EMFILE) or similar: wait a little instead of spinning on
      // the same error; the connections already open keep being served.
      LogError("accept failed: " + ec.message());
      accept_retry.expires_after(kAcceptRetryDelay);
      accept_retry.async_wait([this](beast::error_code ec) {
        if (!ec) Accept();
      });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    size_t open_connections;
    {
      std::lock_guard lock(mu);
      open_connections = connections.size();
    }
    if (open_connections >= options.max_connections) {
      // Best effort, without waiting for the request: a fresh socket's send buffer is empty.
      static const std::string kBusy =
          "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      socket.non_blocking(true, ignored);
      socket.write_some(asio::buffer(kBusy), ignored);
      socket.shutdown(tcp::socket::shutdown_send, ignored);
      socket.close(ignored);
      if (!busy_logged.exchange(true)) LogError("too many connections (max_connections): answering 503");
    } else {
      busy_logged = false;
      std::make_shared<Connection>(std::move(socket), this)->Start();
    }
    Accept();
  });
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Handler h) : core(std::move(o), std::move(h)) {}
  Core core;
};

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  Core& c = impl_->core;
  c.RequestStop();
  c.stopping = true;
  c.ioc.stop();
  for (auto& t : c.io_threads)
    if (t.joinable()) t.join();
  c.workers.join();
}

Status Server::Start() {
  Core& c = impl_->core;
  beast::error_code ec;
  auto address = asio::ip::make_address(c.options.host, ec);
  if (ec) return Error::Invalid("cannot listen on '" + c.options.host + "': not an IP address");
  tcp::endpoint endpoint(address, c.options.port);
  c.acceptor.open(endpoint.protocol(), ec);
  if (!ec) c.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) c.acceptor.bind(endpoint, ec);
  if (!ec) c.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    beast::error_code ignored;
    c.acceptor.close(ignored);
    return Error::Io("cannot listen on " + c.options.host + ":" + std::to_string(c.options.port) + ": " + ec.message());
  }
  c.bound_port = c.acceptor.local_endpoint().port();
  asio::dispatch(c.acceptor.get_executor(), [&c] { c.Accept(); });
  int n = c.options.io_threads > 0 ? c.options.io_threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) c.io_threads.emplace_back([&c] { c.ioc.run(); });
  return {};
}

uint16_t Server::port() const { return impl_->core.bound_port; }

void Server::Stop() { impl_->core.RequestStop(); }

void Server::Wait(bool handle_signals, std::chrono::seconds drain_timeout) {
  Core& c = impl_->core;
  std::unique_ptr<asio::signal_set> signals;
  if (handle_signals) {
    signals = std::make_unique<asio::signal_set>(c.ioc, SIGINT, SIGTERM);
    signals->async_wait([&c](beast::error_code ec, int) {
      if (!ec) c.RequestStop();
    });
  }
  {
    std::unique_lock lock(c.mu);
    c.cv.wait(lock, [&] { return c.stop_requested; });
  }
  // Drain: no new connections, idle ones closed, requests in progress answered (with
  // Connection: close), all within drain_timeout.
  c.stopping = true;
  asio::post(c.acceptor.get_executor(), [&c] {
    beast::error_code ignored;
    c.acceptor.close(ignored);
    c.accept_retry.cancel();
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(c.mu);
    for (auto& [id, weak] : c.connections)
      if (auto conn = weak.lock()) open.push_back(std::move(conn));
  }
  for (auto& conn : open) conn->NotifyStopping();
  open.clear();
  {
    std::unique_lock lock(c.mu);
    if (!c.cv.wait_for(lock, drain_timeout, [&] { return c.in_flight == 0; }))
      LogError(std::to_string(c.in_flight) + " request(s) still in progress after the drain timeout");
  }
  if (signals) {
    beast::error_code ignored;
    signals->cancel(ignored);
  }
  c.ioc.stop();
  for (auto& t : c.io_threads)
    if (t.joinable()) t.join();
}

}  // namespace ting::http
