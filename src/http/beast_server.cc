// The HTTP/1.1 server on Boost.Beast/Asio.
//
// Threads: `io_threads` run the sockets (one strand per connection); handlers run on a
// separate pool of `worker_threads`, because a handler may block (a durable write waits for
// its group commit). A request travels: read on its strand → handler, security headers and
// gzip on a worker → write back on its strand. One request per connection is in progress at a
// time, so pipelined requests are answered in order.
//
// Timeouts: a connection waits for the first byte of a request for `idle_timeout` (for its
// first request, `read_timeout`), then the header must arrive within `read_timeout`; the body
// is watched in windows of `read_timeout` (a first byte, then a minimum rate).
// A request cut short by the timeout is answered 408; an idle connection is just closed.
//
// Capacity: Core keeps every connection's phase (reading, answering, spare) in queues, oldest
// first, and the open connections per client address; Admit and Move apply the rules of
// ServerOptions::max_connections, shedding victims on their own strands.

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
#include <list>
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

constexpr size_t kGzipMinBytes = 1024;
constexpr auto kErrorWriteTimeout = std::chrono::seconds(5);
// After an error answer the client may still be sending (an oversized body): read and drop
// what it sends for a moment, so that closing does not reset the connection before the client
// has read the answer.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kLingerMaxBytes = 4 << 20;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

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
struct Refusal {
  int status;
  std::string message;
};

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

// Where a connection is, for the capacity rules (ServerOptions::max_connections).
enum class Phase {
  kReading,    // no whole request yet: new, or reading a header or a body
  kAnswering,  // its request is complete; a handler runs or the answer is being written
  kSpare,      // idle between requests, or closing after its last answer: can go at no cost
};

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

  // The capacity rules of ServerOptions (max_connections, max_connections_per_ip, the share of
  // incomplete connections). A connection is registered here from its admission until it is
  // destroyed or shed; victims to shed are returned, and the caller sheds them without mu held.
  enum class Admission { kAdmitted, kFull, kTooManyFromClient };
  struct Victim {
    std::shared_ptr<Connection> connection;  // null when it is already gone
    bool reading;                            // it had not sent a whole request: answer 408
  };

  // Registers a new connection from peer_ip (as kReading) and gives it its id, or refuses it.
  Admission Admit(const std::shared_ptr<Connection>& connection, const std::string& peer_ip, uint64_t& id,
                  std::vector<Victim>& shed);
  // Moves a registered connection to phase; a move to kReading may shed the oldest incomplete
  // connection to keep within the share. No-op for a connection already shed.
  void Move(uint64_t id, Phase phase, std::vector<Victim>& shed);
  // Behind a trusted proxy: counts the connection against client from now on. False (and
  // nothing changed) when client already has max_connections_per_ip connections.
  bool Attribute(uint64_t id, const std::string& client);
  void Unregister(uint64_t id) {
    std::lock_guard lock(mu);
    DropLocked(id);
  }

  const ServerOptions options;
  const Handler handler;

  std::mutex mu;
  std::condition_variable cv;
  bool stop_requested = false;  // guarded by mu
  int in_flight = 0;            // guarded by mu
  struct Slot {
    std::weak_ptr<Connection> connection;
    Phase phase = Phase::kReading;
    std::string client;                    // counted in per_client; "" not known yet
    std::list<uint64_t>::iterator queued;  // its place in reading or spare
  };
  std::unordered_map<uint64_t, Slot> connections;      // guarded by mu
  std::list<uint64_t> reading, spare;                  // ids by phase, oldest first; guarded by mu
  std::unordered_map<std::string, size_t> per_client;  // open connections by address; guarded by mu
  uint64_t next_connection_id = 0;                     // guarded by mu
  std::atomic<bool> stopping{false};
  std::atomic<bool> busy_logged{false};
  std::atomic<bool> client_limit_logged{false};
  std::atomic<bool> shed_logged{false};
  uint16_t bound_port = 0;

 private:
  // 90% of max_connections (without overflow), at least 1.
  size_t ReadingShare() const {
    return std::max<size_t>(1, options.max_connections / 10 * 9 + options.max_connections % 10 * 9 / 10);
  }
  size_t CountFor(const std::string& client) const {
    auto it = per_client.find(client);
    return it == per_client.end() ? 0 : it->second;
  }
  void Count(const std::string& client, int delta) {
    if (client.empty()) return;
    auto& n = per_client[client];
    n += static_cast<size_t>(delta);
    if (n == 0) per_client.erase(client);
  }
  void EnqueueLocked(uint64_t id, Slot& slot, Phase phase) {
    if (slot.phase == Phase::kReading) reading.erase(slot.queued);
    if (slot.phase == Phase::kSpare) spare.erase(slot.queued);
    slot.phase = phase;
    if (phase == Phase::kReading) slot.queued = reading.insert(reading.end(), id);
    if (phase == Phase::kSpare) slot.queued = spare.insert(spare.end(), id);
  }
  // Forgets a connection; returns it for shedding.
  Victim DropLocked(uint64_t id) {
    auto it = connections.find(id);
    if (it == connections.end()) return {nullptr, false};
    Slot& slot = it->second;
    Victim victim{slot.connection.lock(), slot.phase == Phase::kReading};
    EnqueueLocked(id, slot, Phase::kAnswering);  // out of both queues
    Count(slot.client, -1);
    connections.erase(it);
    return victim;
  }
  void ShedOldestReadingLocked(std::vector<Victim>& shed) { shed.push_back(DropLocked(reading.front())); }

 public:
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
  Connection(tcp::socket&& socket, Core* core)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        // Room for a whole header and one read past it. Bodies move into the request as they
        // are parsed, so only a chunk-size line or trailers could outgrow this: they get 400
        // instead of growing without bound.
        buffer_(core->options.max_header_bytes + kReadBytes),
        core_(core) {
    beast::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) remote_ip_ = ep.address().to_string();
    client_ip_ = remote_ip_;
  }

  ~Connection() {
    core_->Unregister(id_);
    if (busy_) core_->EndRequest();
  }

  const std::string& remote_ip() const { return remote_ip_; }

  // Called once Core::Admit registered the connection under id.
  void Start(uint64_t id) {
    id_ = id;
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // A connection refused on arrival: a canned answer, best effort without waiting (a fresh
  // socket's send buffer is empty), and closed. Called on the acceptor's strand before Start.
  void Refuse(std::string_view answer) {
    beast::error_code ignored;
    socket_.non_blocking(true, ignored);
    socket_.write_some(asio::buffer(answer.data(), answer.size()), ignored);
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
    closed_ = true;
  }

  // Closes a connection that Core dropped to make room (see ServerOptions::max_connections):
  // one that had not sent a whole request gets a best-effort 408 first.
  void Shed(bool reading) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), reading] {
      if (self->closed_) return;
      if (reading) {
        static const std::string kShed =
            "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        beast::error_code ignored;
        self->socket_.non_blocking(true, ignored);
        self->socket_.write_some(asio::buffer(kShed), ignored);
        auto start = self->busy_ ? self->start_ : std::chrono::steady_clock::now();
        self->core_->AccessLog("-", "-", 408, 0, start, self->remote_ip_);
      }
      self->Close();
    });
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
  // Bytes asked of the socket at a time (Beast's own read size).
  static constexpr size_t kReadBytes = 64 * 1024;

  // The timer cancels whatever operation is pending on the socket; timed_out_ tells the
  // completion handler why it was cancelled. The generation ignores stale expiries.
  void ArmTimer(Duration d, bool writing = false) {
    uint64_t generation = ++timer_generation_;
    timed_out_ = false;
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this(), generation, writing](beast::error_code ec) {
      if (ec || generation != self->timer_generation_) return;
      self->TimeOut(writing);
    });
  }
  // Beast's reads and writes are composed of several socket operations: when the deadline
  // falls between two of them, cancel() finds nothing pending and the next one would wait
  // without a deadline. Shutting the direction down makes every later operation end at once
  // (a read sees the end of the stream; the 408 can still be written).
  void TimeOut(bool writing) {
    timed_out_ = true;
    beast::error_code ignored;
    socket_.cancel(ignored);
    socket_.shutdown(writing ? tcp::socket::shutdown_both : tcp::socket::shutdown_receive, ignored);
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

  void MoveTo(Phase phase) {
    std::vector<Core::Victim> shed;
    core_->Move(id_, phase, shed);
    for (auto& victim : shed)
      if (victim.connection) victim.connection->Shed(victim.reading);
  }

  void WaitForRequest() {
    if (closed_) return;
    if (core_->stopping) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(std::min<size_t>(core_->options.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(core_->options.max_body_bytes);
    if (buffer_.size() > 0) return OnReadable({});  // pipelined: the next request is already here
    // A new connection's first request must arrive whole within read_timeout of connecting.
    if (first_) {
      ArmTimer(core_->options.read_timeout);
    } else {
      MoveTo(Phase::kSpare);
      ArmTimer(core_->options.idle_timeout);
    }
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) { self->OnReadable(ec); });
  }

  void OnReadable(beast::error_code ec) {
    // Idle too long (also when the data and the deadline arrived together), or draining.
    if (ec || timed_out_ || closed_ || core_->stopping) return Close();
    SetBusy(true);
    MoveTo(Phase::kReading);
    start_ = std::chrono::steady_clock::now();
    client_ip_ = remote_ip_;
    if (!first_) ArmTimer(core_->options.read_timeout);
    bhttp::async_read_header(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    auto& msg = parser_->get();
    if (auto refusal = CheckHeader(msg)) return SendError(refusal->status, refusal->message);
    // The parser adds a chunked body's trailers to these fields (next to any field of the same
    // name): the request gets the header's fields only, as they are now.
    header_fields_.clear();
    for (const auto& h : msg) header_fields_.emplace(std::string(h.name_string()), std::string(h.value()));
    if (core_->options.trust_forwarded_proto) {
      if (std::string forwarded = ForwardedFor(msg); !forwarded.empty()) client_ip_ = forwarded;
      if (!core_->Attribute(id_, client_ip_)) {
        if (!core_->client_limit_logged.exchange(true))
          LogError("too many connections from one client (max_connections_per_ip): answering 429");
        return SendError(429, "too many connections from your address");
      }
    }
    if (parser_->is_done()) return OnRequest({});
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

  // The body is watched in windows of read_timeout (see ServerOptions::read_timeout): the
  // first must bring a byte, every later one min_body_bytes_per_second × read_timeout bytes.
  void ReadBody() {
    window_bytes_ = 0;
    first_window_ = true;
    ArmBodyWindow();
    ReadSomeBody();
  }
  void ArmBodyWindow() {
    uint64_t generation = ++timer_generation_;
    timed_out_ = false;
    timer_.expires_after(core_->options.read_timeout);
    timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
      if (ec || generation != self->timer_generation_) return;
      const auto& o = self->core_->options;
      uint64_t per_window = o.min_body_bytes_per_second * static_cast<uint64_t>(o.read_timeout.count());
      uint64_t needed = self->first_window_ ? 1 : std::max<uint64_t>(1, per_window);
      if (self->window_bytes_ < needed) return self->TimeOut(/*writing=*/false);
      self->window_bytes_ = 0;
      self->first_window_ = false;
      self->ArmBodyWindow();
    });
  }
  void ReadSomeBody() {
    bhttp::async_read_some(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t parsed) {
      if (!ec) {
        self->window_bytes_ += parsed;
        if (self->parser_->is_done()) return self->OnRequest({});
      }
      if (ec || self->timed_out_) return self->OnReadError(ec ? ec : asio::error::operation_aborted);
      self->ReadSomeBody();
    });
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
    if (ec == bhttp::error::buffer_overflow) return SendError(400, "bad request: chunk header or trailers too large");
    SendError(400, "bad request");
  }

  void OnRequest(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    CancelTimer();
    MoveTo(Phase::kAnswering);
    auto& msg = parser_->get();
    auto req = std::make_shared<Request>();
    req->method = std::string(msg.method_string());
    req->target = std::string(msg.target());
    auto path = DecodePath(req->target);
    if (!path) return SendError(400, "bad request: the path is not valid");
    req->path = std::move(*path);
    if (auto q = req->target.find('?'); q != std::string::npos) req->query = req->target.substr(q + 1);
    req->headers = std::move(header_fields_);
    header_fields_.clear();
    // An absolute-form target names the host itself; the Host field is ignored (RFC 9112 §3.2.2).
    if (auto authority = TargetAuthority(req->target)) {
      req->headers.erase("Host");
      req->headers.emplace("Host", std::string(*authority));
    }
    req->body = std::move(msg.body());
    req->remote_ip = client_ip_;
    if (core_->options.trust_forwarded_proto) req->secure = AsciiLower(Trim(req->Header("X-Forwarded-Proto"))) == "https";
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
    ArmTimer(core_->options.read_timeout, /*writing=*/true);  // a client that does not read its answer is dropped
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
    MoveTo(Phase::kSpare);
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
    core_->AccessLog(method, path, status, out->body().size(), start_, client_ip_);
    ArmTimer(kErrorWriteTimeout, /*writing=*/true);
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
    MoveTo(Phase::kSpare);
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
  std::optional<bhttp::request_parser<RequestBody>> parser_;
  Core* core_;
  uint64_t id_ = 0;
  std::string remote_ip_;  // the peer's address
  std::string client_ip_;  // the current request's client: the peer, or behind a trusted proxy its X-Forwarded-For
  Headers header_fields_;      // the current request's header fields, without trailers
  uint64_t window_bytes_ = 0;  // body bytes parsed in the current window (see ReadBody)
  bool first_window_ = true;
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
    auto connection = std::make_shared<Connection>(std::move(socket), this);
    uint64_t id = 0;
    std::vector<Victim> shed;
    Admission admission = Admit(connection, connection->remote_ip(), id, shed);
    for (auto& victim : shed)
      if (victim.connection) victim.connection->Shed(victim.reading);
    if (shed.empty()) {
      shed_logged = false;
    } else if (!shed_logged.exchange(true)) {
      LogError("connections without a whole request fill their share of max_connections: shedding the oldest");
    }
    switch (admission) {
      case Admission::kAdmitted:
        busy_logged = false;
        client_limit_logged = false;
        connection->Start(id);
        break;
      case Admission::kFull:
        connection->Refuse("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        if (!busy_logged.exchange(true)) LogError("too many connections (max_connections), all answering: answering 503");
        break;
      case Admission::kTooManyFromClient:
        connection->Refuse("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        if (!client_limit_logged.exchange(true)) LogError("too many connections from one client (max_connections_per_ip): answering 429");
        break;
    }
    Accept();
  });
}

Core::Admission Core::Admit(const std::shared_ptr<Connection>& connection, const std::string& peer_ip, uint64_t& id,
                            std::vector<Victim>& shed) {
  std::lock_guard lock(mu);
  // Behind a trusted proxy every connection comes from the proxy: the client is known from
  // the request header on (Attribute).
  std::string client = options.trust_forwarded_proto ? std::string() : peer_ip;
  if (!client.empty() && CountFor(client) >= options.max_connections_per_ip) return Admission::kTooManyFromClient;
  if (!reading.empty() && reading.size() >= ReadingShare()) {
    ShedOldestReadingLocked(shed);
  } else if (connections.size() >= options.max_connections) {
    if (!spare.empty())
      shed.push_back(DropLocked(spare.front()));
    else if (!reading.empty())
      ShedOldestReadingLocked(shed);
    else
      return Admission::kFull;
  }
  id = ++next_connection_id;
  Slot& slot = connections[id];
  slot.connection = connection;
  slot.client = client;
  Count(client, +1);
  slot.phase = Phase::kAnswering;  // in no queue yet
  EnqueueLocked(id, slot, Phase::kReading);
  return Admission::kAdmitted;
}

void Core::Move(uint64_t id, Phase phase, std::vector<Victim>& shed) {
  std::lock_guard lock(mu);
  auto it = connections.find(id);
  if (it == connections.end() || it->second.phase == phase) return;
  if (phase == Phase::kReading && reading.size() >= ReadingShare()) ShedOldestReadingLocked(shed);
  EnqueueLocked(id, it->second, phase);
}

bool Core::Attribute(uint64_t id, const std::string& client) {
  std::lock_guard lock(mu);
  auto it = connections.find(id);
  if (it == connections.end() || it->second.client == client) return true;
  if (CountFor(client) >= options.max_connections_per_ip) return false;
  Count(it->second.client, -1);
  it->second.client = client;
  Count(client, +1);
  return true;
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
    for (auto& [id, slot] : c.connections)
      if (auto conn = slot.connection.lock()) open.push_back(std::move(conn));
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
