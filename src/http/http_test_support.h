#pragma once
// What the HTTP tests share: raw socket helpers, an Event to wait on, and the two server
// fixtures (HttpTest: a Router with test routes; RawServerTest: a plain handler).

#include <gtest/gtest.h>
#include <zlib.h>

#include <arpa/inet.h>
#include <malloc.h>
#include <poll.h>
#include <sys/socket.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "ting/base/strings.h"

#include "ting/http/router.h"
#include "ting/http/server.h"


namespace ting::http::httptest {

// A one-shot event: tests wait on what happened instead of sleeping and polling.
class Event {
 public:
  void Set() {
    std::lock_guard lock(mu_);
    set_ = true;
    cv_.notify_all();
  }
  bool WaitFor(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return set_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};



inline int Connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline void SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

// Reads what arrives within ms (or until the peer closes).
inline std::string ReadFor(int fd, int ms) {
  std::string out;
  char buf[65536];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Sends bytes on one connection and reads until the server closes or timeout.
inline std::string Exchange(uint16_t port, const std::string& bytes, int timeout_ms = 3000, int pause_ms = 0) {
  int fd = Connect(port);
  if (fd < 0) return "";
  if (pause_ms) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));  // a slow client, on purpose
  SendAll(fd, bytes);
  std::string out = ReadFor(fd, timeout_ms);
  ::close(fd);
  return out;
}

inline std::string Get(uint16_t port, const std::string& target, const std::string& extra = "") {
  return Exchange(port, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + extra + "\r\n");
}

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/hello/{name}", [](Request& r) { return Response::Text(200, "hello " + r.Param("name")); });
    router_.Add("GET", "/hello/world", [](Request&) { return Response::Text(200, "literal wins"); });
    router_.Add("POST", "/echo", [](Request& r) { return Response::Text(200, r.body); });
    router_.Add("GET", "/files/{path...}", [](Request& r) { return Response::Text(200, "rest=" + r.Param("path")); });
    router_.Add("GET", "/big", [](Request&) { return Response::Html(200, std::string(20000, 'x')); });
    router_.Add("GET", "/throw", [](Request&) -> Response { throw std::runtime_error("boom"); });
    router_.Add("GET", "/slow", [this](Request&) {
      slow_started_.Set();
      // Held until the test releases it (at most 1.5 s: a request others must overtake).
      release_slow_.WaitFor(std::chrono::milliseconds(1500));
      return Response::Text(200, "slow done");
    });
    router_.Add("GET", "/form", [](Request& r) {
      return Response::Text(200, r.QueryParam("q").value_or("-") + "|" + r.Cookie("c").value_or("-"));
    });
    ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.io_threads = 2;
    o.worker_threads = 4;
    o.max_body_bytes = 1024;
    o.read_timeout = std::chrono::seconds(1);
    o.idle_timeout = std::chrono::seconds(1);
    o.access_log = getenv("HTTP_TEST_LOG") != nullptr;
    server_ = std::make_unique<Server>(o, [this](Request& r) { return router_.Dispatch(r); });
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }
  bool StillServes() { return Get(port_, "/hello/x").find("hello x") != std::string::npos; }

  void WaitUntilSlowStarted() { ASSERT_TRUE(slow_started_.WaitFor(std::chrono::seconds(10))); }

  Router router_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  Event slow_started_;  // the /slow handler is running
  Event release_slow_;  // lets it answer
};

// A server whose handler is a plain function (no Router), for what the server itself owes.
class RawServerTest : public ::testing::Test {
 protected:
  void StartWith(ServerOptions o, Handler h) {
    o.port = 0;
    o.io_threads = 1;
    o.worker_threads = 2;
    o.access_log = false;
    server_ = std::make_unique<Server>(o, std::move(h));
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

}  // namespace ting::http::httptest
