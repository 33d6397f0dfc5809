#pragma once
// Inside the HTTP server: Core (the acceptor, the capacity rules, draining; beast_server.cc) and
// Connection (one client's requests and answers, its timeouts; connection.cc). See the comment
// at the top of beast_server.cc for the threads, timeouts and capacity rules.

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
#include <functional>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "ting/base/strings.h"
#include "ting/http/server.h"
#include "wire.h"

namespace ting::http::detail {

using tcp = asio::ip::tcp;


constexpr auto kErrorWriteTimeout = std::chrono::seconds(5);
// After an error answer the client may still be sending (an oversized body): read and drop
// what it sends for a moment, so that closing does not reset the connection before the client
// has read the answer.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kLingerMaxBytes = 4 << 20;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

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
  Connection(tcp::socket&& socket, Core* core);

  ~Connection();

  const std::string& remote_ip() const { return remote_ip_; }

  // Called once Core::Admit registered the connection under id.
  void Start(uint64_t id);

  // A connection refused on arrival: a canned answer, best effort without waiting (a fresh
  // socket's send buffer is empty), and closed. Called on the acceptor's strand before Start.
  void Refuse(std::string_view answer);

  // Closes a connection that Core dropped to make room (see ServerOptions::max_connections):
  // one that had not sent a whole request gets a best-effort 408 first.
  void Shed(bool reading);

  // Called when the server drains: a connection between requests closes now; one with a
  // request in progress answers it (with Connection: close) first. done runs on the
  // connection's strand once it has acted (the drain waits for it before stopping the threads).
  void NotifyStopping(std::function<void()> done);

 private:
  using Duration = std::chrono::steady_clock::duration;
  // Bytes asked of the socket at a time (Beast's own read size).
  static constexpr size_t kReadBytes = 64 * 1024;

  // The timer cancels whatever operation is pending on the socket; timed_out_ tells the
  // completion handler why it was cancelled. The generation ignores stale expiries.
  void ArmTimer(Duration d, bool writing = false);
  // Beast's reads and writes are composed of several socket operations: when the deadline
  // falls between two of them, cancel() finds nothing pending and the next one would wait
  // without a deadline. Shutting the direction down makes every later operation end at once
  // (a read sees the end of the stream; the 408 can still be written).
  void TimeOut(bool writing);
  void CancelTimer();

  void SetBusy(bool busy);

  void MoveTo(Phase phase);

  void WaitForRequest();

  void OnReadable(beast::error_code ec);

  void OnHeader(beast::error_code ec);

  // The body is watched in windows of read_timeout (see ServerOptions::read_timeout): the
  // first must bring a byte, every later one min_body_bytes_per_second × read_timeout bytes.
  void ReadBody();
  void ArmBodyWindow();
  void ReadSomeBody();

  void OnReadError(beast::error_code ec);

  void OnRequest(beast::error_code ec);

  // Runs the application's handler and builds the answer; never throws.
  static std::shared_ptr<BeastResponse> Handle(const Core& core, Request& req, unsigned version);

  void Write(const Request& req, std::shared_ptr<BeastResponse> out);

  // An error answered before any handler ran; the connection closes after it.
  void SendError(int status, const std::string& message);

  // Graceful close: no more sending, read and drop what the client still sends, then close.
  void Linger();
  void DiscardInput();

  void Close();

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

}  // namespace ting::http::detail
