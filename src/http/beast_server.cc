// The HTTP/1.1 server on Boost.Beast/Asio.
//
// Threads: `io_threads` run the sockets (one strand per connection); handlers run on a
// separate pool of `worker_threads`, because a handler may block (a durable write waits for
// its group commit). A request travels: read on its strand → handler on a worker → write back
// on its strand.

#include <zlib.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "ting/base/strings.h"
#include "ting/http/server.h"

namespace ting::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

bool Compressible(std::string_view type) {
  return StartsWith(type, "text/") || StartsWith(type, "application/json") || StartsWith(type, "application/javascript") ||
         StartsWith(type, "image/svg+xml") || StartsWith(type, "application/xml");
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

// A path as sent, percent-decoded; nullopt when it cannot be a path (NUL, bad escapes).
std::optional<std::string> DecodePath(std::string_view raw) {
  if (raw.empty() || raw.front() != '/') return std::nullopt;
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%') {
      if (i + 2 >= raw.size() || !std::isxdigit(static_cast<unsigned char>(raw[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(raw[i + 2])))
        return std::nullopt;
      char c = static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16));
      if (c == '\0') return std::nullopt;
      out += c;
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context ioc;
  // Keeps the I/O threads running while handlers are on the worker pool: then no socket
  // operation is pending, and without it the io_context would run out of work.
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::thread_pool workers;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  std::vector<std::thread> io_threads;
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  std::mutex mu;
  std::condition_variable cv;
  bool stop_requested = false;
  uint16_t bound_port = 0;

  Impl(ServerOptions o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        ioc(),
        work(ioc.get_executor()),
        workers(static_cast<size_t>(std::max(1, options.worker_threads))),
        acceptor(asio::make_strand(ioc)),
        accept_retry(ioc) {}

  void Accept();
  void RequestStop() {
    {
      std::lock_guard lock(mu);
      stop_requested = true;
    }
    cv.notify_all();
  }
  void Log(const Request& req, int status, size_t bytes, std::chrono::steady_clock::time_point start) {
    if (!options.access_log) return;
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    char dur[32];
    std::snprintf(dur, sizeof dur, "%.3f", ms);
    std::string line = "{\"ts\":" + std::to_string(now / 1000) + "." + std::to_string(now % 1000) + ",\"method\":\"" + JsonEscape(req.method) +
                       "\",\"path\":\"" + JsonEscape(req.path) + "\",\"status\":" + std::to_string(status) + ",\"bytes\":" +
                       std::to_string(bytes) + ",\"duration_ms\":" + dur + ",\"ip\":\"" + JsonEscape(req.remote_ip) + "\"}\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
};

namespace {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket&& socket, Server::Impl* server) : stream_(std::move(socket)), server_(server) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ip_ = ep.address().to_string();
  }

  void Start() { asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); }); }

 private:
  void Read() {
    if (server_->stopping) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_->options.max_header_bytes));
    parser_->body_limit(server_->options.max_body_bytes);
    stream_.expires_after(first_ ? server_->options.read_timeout : server_->options.idle_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset || ec == asio::error::operation_aborted) return Close();
    // A client too slow to send its request whole within the timeout (or idle too long) is
    // disconnected; beast's tcp_stream has already closed the socket.
    if (ec == beast::error::timeout) return Close();
    if (ec == bhttp::error::header_limit) return SendError(431, "request header fields too large");
    if (ec == bhttp::error::body_limit) return SendError(413, "payload too large");
    if (ec) return SendError(400, "bad request");
    first_ = false;
    auto& msg = parser_->get();
    auto req = std::make_shared<Request>();
    req->method = std::string(msg.method_string());
    req->target = std::string(msg.target());
    std::string_view target(req->target);
    auto q = target.find('?');
    auto path = DecodePath(target.substr(0, q));
    if (!path) return SendError(400, "bad request: the path is not valid");
    req->path = *path;
    if (q != std::string_view::npos) req->query = std::string(target.substr(q + 1));
    for (const auto& h : msg) req->headers.emplace(std::string(h.name_string()), std::string(h.value()));
    req->body = std::move(msg.body());
    req->remote_ip = remote_ip_;
    if (server_->options.trust_forwarded_proto) {
      req->secure = AsciiLower(req->Header("X-Forwarded-Proto")) == "https";
      auto forwarded = req->Header("X-Forwarded-For");
      if (!forwarded.empty()) req->remote_ip = std::string(Trim(forwarded.substr(forwarded.rfind(',') == std::string_view::npos ? 0 : forwarded.rfind(',') + 1)));
    }
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    start_ = std::chrono::steady_clock::now();
    server_->in_flight++;
    stream_.expires_never();
    // The handler may block: run it on the worker pool, then come back to this strand.
    asio::post(server_->workers, [self = shared_from_this(), req] {
      Response res;
      try {
        res = self->server_->handler(*req);
      } catch (const std::exception& e) {
        std::cerr << "ting: handler for " << req->method << " " << req->path << " threw: " << e.what() << "\n";
        res = Response::Text(500, "internal server error");
      } catch (...) {
        res = Response::Text(500, "internal server error");
      }
      asio::post(self->stream_.get_executor(), [self, req, res = std::move(res)]() mutable { self->Write(*req, std::move(res)); });
    });
  }

  void Finalise(const Request* req, Response& res, bhttp::response<bhttp::string_body>& out) {
    const auto& o = server_->options;
    auto set_default = [&](const char* name, const std::string& value) {
      if (!res.headers.count(name)) res.Set(name, value);
    };
    set_default("Content-Security-Policy", o.content_security_policy);
    set_default("X-Content-Type-Options", "nosniff");
    set_default("Referrer-Policy", "strict-origin-when-cross-origin");
    set_default("X-Frame-Options", "DENY");
    if (req && res.body.size() >= 1024 && !res.headers.count("Content-Encoding") &&
        Compressible(res.headers.count("Content-Type") ? res.headers.find("Content-Type")->second : "") &&
        AsciiLower(req->Header("Accept-Encoding")).find("gzip") != std::string::npos) {
      if (auto z = Gzip(res.body); z && z->size() < res.body.size()) {
        res.body = std::move(*z);
        res.Set("Content-Encoding", "gzip");
      }
      auto vary = res.headers.find("Vary");
      res.Set("Vary", vary == res.headers.end() ? "Accept-Encoding" : vary->second + ", Accept-Encoding");
    }
    out.result(static_cast<unsigned>(res.status));
    out.set(bhttp::field::server, "Ting");
    for (const auto& [k, v] : res.headers)
      if (!beast::iequals(k, "Content-Length")) out.insert(k, v);
    bool head = req && req->method == "HEAD";
    auto explicit_length = res.headers.find("Content-Length");
    out.body() = std::move(res.body);
    if (head && explicit_length != res.headers.end()) {
      out.content_length(std::stoull(explicit_length->second));
    } else {
      out.prepare_payload();
    }
  }

  void Write(const Request& req, Response res) {
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(version_);
    bool keep = keep_alive_ && !server_->stopping;
    Finalise(&req, res, *out);
    out->keep_alive(keep);
    size_t bytes = out->body().size();
    int status = static_cast<int>(out->result_int());
    server_->Log(req, status, bytes, start_);
    stream_.expires_after(server_->options.read_timeout);
    bhttp::async_write(stream_, *out, [self = shared_from_this(), out, keep](beast::error_code ec, size_t) {
      {
        std::lock_guard lock(self->server_->mu);
        self->server_->in_flight--;
      }
      self->server_->cv.notify_all();
      if (ec || !keep) return self->Close();
      self->Read();
    });
  }

  // An error answered before any handler ran; the connection closes after it.
  void SendError(int status, const std::string& message) {
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>();
    out->version(11);
    Response res = Response::Text(status, message + "\n");
    Finalise(nullptr, res, *out);
    out->keep_alive(false);
    Request pseudo;
    pseudo.method = "-";
    pseudo.path = "-";
    pseudo.remote_ip = remote_ip_;
    server_->Log(pseudo, status, out->body().size(), std::chrono::steady_clock::now());
    stream_.expires_after(std::chrono::seconds(5));
    bhttp::async_write(stream_, *out, [self = shared_from_this(), out](beast::error_code, size_t) { self->Close(); });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl* server_;  // outlives every connection: ~Server joins all threads first
  std::string remote_ip_;
  bool first_ = true;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

void Server::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [self = this](beast::error_code ec, tcp::socket socket) {
    if (self->stopping || !self->acceptor.is_open()) return;
    if (ec) {
      // Out of file descriptors or similar: wait a little instead of spinning.
      self->accept_retry.expires_after(std::chrono::milliseconds(100));
      self->accept_retry.async_wait([self](beast::error_code) { self->Accept(); });
      return;
    }
    socket.set_option(tcp::no_delay(true));
    std::make_shared<Connection>(std::move(socket), self)->Start();
    self->Accept();
  });
}

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  Stop();
  impl_->stopping = true;
  impl_->ioc.stop();
  for (auto& t : impl_->io_threads)
    if (t.joinable()) t.join();
  impl_->workers.join();
}

Status Server::Start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return Error::Invalid("cannot listen on '" + impl_->options.host + "': not an IP address");
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Error::Io("cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) + ": " + ec.message());
  impl_->bound_port = a.local_endpoint().port();
  impl_->Accept();
  int n = impl_->options.io_threads > 0 ? impl_->options.io_threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) impl_->io_threads.emplace_back([impl = impl_.get()] { impl->ioc.run(); });
  return {};
}

uint16_t Server::port() const { return impl_->bound_port; }

void Server::Stop() { impl_->RequestStop(); }

void Server::Wait(bool handle_signals, std::chrono::seconds drain_timeout) {
  std::unique_ptr<asio::signal_set> signals;
  if (handle_signals) {
    signals = std::make_unique<asio::signal_set>(impl_->ioc, SIGINT, SIGTERM);
    signals->async_wait([impl = impl_.get()](beast::error_code ec, int) {
      if (!ec) impl->RequestStop();
    });
  }
  {
    std::unique_lock lock(impl_->mu);
    impl_->cv.wait(lock, [&] { return impl_->stop_requested; });
  }
  // Drain: no new connections, no new requests on kept-alive ones; in-flight ones finish.
  impl_->stopping = true;
  asio::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  {
    std::unique_lock lock(impl_->mu);
    impl_->cv.wait_for(lock, drain_timeout, [&] { return impl_->in_flight.load() == 0; });
  }
  if (signals) {
    beast::error_code ec;
    signals->cancel(ec);
  }
  impl_->work.reset();
  impl_->ioc.stop();
  for (auto& t : impl_->io_threads)
    if (t.joinable()) t.join();
}

}  // namespace ting::http
