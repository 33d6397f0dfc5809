// One client connection: reading requests (header, body windows, timeouts), running the
// handler on the worker pool, writing answers, error answers, lingering and closing.

#include "server_internal.h"

namespace ting::http::detail {

Connection::Connection(tcp::socket&& socket, Core* core)
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

Connection::~Connection() {
  core_->Unregister(id_);
  if (busy_) core_->EndRequest();
}

void Connection::Start(uint64_t id) {
  id_ = id;
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
}

void Connection::Refuse(std::string_view answer) {
  beast::error_code ignored;
  socket_.non_blocking(true, ignored);
  socket_.write_some(asio::buffer(answer.data(), answer.size()), ignored);
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  socket_.close(ignored);
  closed_ = true;
}

void Connection::Shed(bool reading) {
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

void Connection::NotifyStopping(std::function<void()> done) {
  asio::post(socket_.get_executor(), [self = shared_from_this(), done = std::move(done)] {
    if (!self->busy_) self->Close();
    done();
  });
}

void Connection::ArmTimer(Duration d, bool writing) {
  uint64_t generation = ++timer_generation_;
  timed_out_ = false;
  timer_.expires_after(d);
  timer_.async_wait([self = shared_from_this(), generation, writing](beast::error_code ec) {
    if (ec || generation != self->timer_generation_) return;
    self->TimeOut(writing);
  });
}

void Connection::TimeOut(bool writing) {
  timed_out_ = true;
  beast::error_code ignored;
  socket_.cancel(ignored);
  socket_.shutdown(writing ? tcp::socket::shutdown_both : tcp::socket::shutdown_receive, ignored);
}

void Connection::CancelTimer() {
  ++timer_generation_;
  timer_.cancel();
}

void Connection::SetBusy(bool busy) {
  if (busy == busy_) return;
  busy_ = busy;
  if (busy)
    core_->BeginRequest();
  else
    core_->EndRequest();
}

void Connection::MoveTo(Phase phase) {
  std::vector<Core::Victim> shed;
  core_->Move(id_, phase, shed);
  for (auto& victim : shed)
    if (victim.connection) victim.connection->Shed(victim.reading);
}

void Connection::WaitForRequest() {
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

void Connection::OnReadable(beast::error_code ec) {
  // Idle too long (also when the data and the deadline arrived together), or draining.
  if (ec || timed_out_ || closed_ || core_->stopping) return Close();
  SetBusy(true);
  MoveTo(Phase::kReading);
  start_ = std::chrono::steady_clock::now();
  client_ip_ = remote_ip_;
  if (!first_) ArmTimer(core_->options.read_timeout);
  bhttp::async_read_header(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Connection::OnHeader(beast::error_code ec) {
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

void Connection::ReadBody() {
  window_bytes_ = 0;
  first_window_ = true;
  ArmBodyWindow();
  ReadSomeBody();
}

void Connection::ArmBodyWindow() {
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

void Connection::ReadSomeBody() {
  bhttp::async_read_some(socket_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t parsed) {
    if (!ec) {
      self->window_bytes_ += parsed;
      if (self->parser_->is_done()) return self->OnRequest({});
    }
    if (ec || self->timed_out_) return self->OnReadError(ec ? ec : asio::error::operation_aborted);
    self->ReadSomeBody();
  });
}

void Connection::OnReadError(beast::error_code ec) {
  if (closed_) return;
  if (timed_out_) {
    // Half a request when the time ran out: say so. A connection that sent nothing is closed
    // without a word, also when its deadline came while its read was starting (a loaded
    // machine: seen under the sanitizers).
    if (core_->stopping) return Close();
    if (buffer_.size() == 0 && parser_ && !parser_->got_some()) return Close();
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

void Connection::OnRequest(beast::error_code ec) {
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

std::shared_ptr<BeastResponse> Connection::Handle(const Core& core, Request& req, unsigned version) {
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

void Connection::Write(const Request& req, std::shared_ptr<BeastResponse> out) {
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

void Connection::SendError(int status, const std::string& message) {
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

void Connection::Linger() {
  if (closed_) return;
  MoveTo(Phase::kSpare);
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  ArmTimer(kLingerTimeout);
  if (!discard_) discard_ = std::make_unique<std::array<char, 16384>>();
  DiscardInput();
}

void Connection::DiscardInput() {
  socket_.async_read_some(asio::buffer(*discard_), [self = shared_from_this()](beast::error_code ec, size_t n) {
    self->discarded_ += n;
    if (ec || self->discarded_ > kLingerMaxBytes) return self->Close();
    self->DiscardInput();
  });
}

void Connection::Close() {
  SetBusy(false);
  if (closed_) return;
  closed_ = true;
  CancelTimer();
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace ting::http::detail
