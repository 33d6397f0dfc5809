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

#include <boost/asio/signal_set.hpp>

#include "server_internal.h"

namespace ting::http {

namespace detail {

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

}  // namespace detail

using detail::Connection;
using detail::Core;
using tcp = asio::ip::tcp;

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
  // Each notice runs on its connection's strand; the threads stop only after every notice has
  // run (an idle connection closed) and every request in progress has been answered. Without
  // the first condition a drain with nothing in flight stopped the threads before the idle
  // connections' notices ran, leaving them open.
  int notices = static_cast<int>(open.size());  // guarded by c.mu
  for (auto& conn : open)
    conn->NotifyStopping([&c, &notices] {
      {
        std::lock_guard lock(c.mu);
        --notices;
      }
      c.cv.notify_all();
    });
  open.clear();
  {
    std::unique_lock lock(c.mu);
    if (!c.cv.wait_for(lock, drain_timeout, [&] { return c.in_flight == 0 && notices == 0; }))
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
