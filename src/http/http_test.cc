// The HTTP layer over real sockets on 127.0.0.1.

#include <gtest/gtest.h>
#include <zlib.h>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "ting/http/router.h"
#include "ting/http/server.h"

namespace ting::http {
namespace {

// Sends bytes on one connection and reads until the server closes or timeout.
std::string Exchange(uint16_t port, const std::string& bytes, int timeout_ms = 3000, int pause_ms = 0) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  if (pause_ms) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string out;
  char buf[65536];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string Get(uint16_t port, const std::string& target, const std::string& extra = "") {
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
    router_.Add("GET", "/slow", [](Request&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(600));
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

  Router router_;
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

TEST_F(HttpTest, RoutesParamsLiteralsAnd405) {
  EXPECT_NE(Get(port_, "/hello/sara").find("hello sara"), std::string::npos);
  EXPECT_NE(Get(port_, "/hello/world").find("literal wins"), std::string::npos);
  EXPECT_NE(Get(port_, "/files/a/b.css").find("rest=a/b.css"), std::string::npos);
  EXPECT_NE(Get(port_, "/nowhere").find(" 404 "), std::string::npos);
  std::string r = Exchange(port_, "DELETE /hello/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(r.find(" 405 "), std::string::npos);
  EXPECT_NE(r.find("Allow: GET, HEAD"), std::string::npos);
  std::string head = Exchange(port_, "HEAD /hello/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(head.find(" 200 "), std::string::npos);
  EXPECT_NE(head.find("Content-Length: 7"), std::string::npos);
  EXPECT_EQ(head.find("hello x"), std::string::npos) << "HEAD has no body";
  EXPECT_NE(Get(port_, "/form?q=a%20b+c", "Cookie: x=1; c=2\r\n").find("a b c|2"), std::string::npos);
}

TEST_F(HttpTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string two = "GET /hello/a HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string r = Exchange(port_, two);
  EXPECT_NE(r.find("hello a"), std::string::npos);
  EXPECT_NE(r.find("hello b"), std::string::npos);
}

TEST_F(HttpTest, SecurityHeadersOnEveryResponse) {
  for (const std::string& r : {Get(port_, "/hello/x"), Get(port_, "/nowhere")}) {
    EXPECT_NE(r.find("Content-Security-Policy: default-src 'self'"), std::string::npos);
    EXPECT_NE(r.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_NE(r.find("X-Content-Type-Options: nosniff"), std::string::npos);
    EXPECT_NE(r.find("Referrer-Policy: "), std::string::npos);
  }
}

TEST_F(HttpTest, LimitsAnswerWithTheRightStatusAndTheServerStaysUp) {
  std::string big_header = "GET /hello/x HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(17 * 1024, 'a') + "\r\n\r\n";
  EXPECT_NE(Exchange(port_, big_header).find(" 431 "), std::string::npos);
  EXPECT_TRUE(StillServes());
  EXPECT_NE(Exchange(port_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n").find(" 413 "), std::string::npos);
  EXPECT_TRUE(StillServes());
  std::string chunked = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) chunked += "200\r\n" + std::string(512, 'b') + "\r\n";
  chunked += "0\r\n\r\n";
  EXPECT_NE(Exchange(port_, chunked).find(" 413 "), std::string::npos);
  EXPECT_TRUE(StillServes());
  EXPECT_NE(Exchange(port_, "NOT HTTP AT ALL\r\n\r\n").find(" 400 "), std::string::npos);
  EXPECT_NE(Get(port_, "/hello/%00x").find(" 400 "), std::string::npos) << "NUL in the path";
  EXPECT_NE(Get(port_, "/hello/%zz").find(" 400 "), std::string::npos) << "broken escape";
  EXPECT_TRUE(StillServes());
  EXPECT_NE(Exchange(port_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc").find("abc"), std::string::npos);
}

TEST_F(HttpTest, SlowClientsAreTimedOut) {
  // Half a request, then silence: within its read timeout (1 s here) the server answers 408
  // and closes the connection.
  auto start = std::chrono::steady_clock::now();
  std::string r = Exchange(port_, "GET /hello/x HTTP/1.1\r\nHost: x\r\n", 4000);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.find("HTTP/1.1 408 "), 0u) << r;
  EXPECT_NE(r.find("Connection: close"), std::string::npos);
  EXPECT_EQ(r.find("hello x"), std::string::npos) << "the half request is not served";
  EXPECT_LT(waited, std::chrono::milliseconds(2500)) << "closed by the server, not by the client's 4 s limit";
  // An idle connection that sends nothing is closed too.
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(Exchange(port_, "", 4000), "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpTest, GzipWhenAcceptedAndWorthIt) {
  std::string r = Get(port_, "/big", "Accept-Encoding: gzip, deflate\r\n");
  ASSERT_NE(r.find("Content-Encoding: gzip"), std::string::npos);
  EXPECT_NE(r.find("Vary: Accept-Encoding"), std::string::npos);
  std::string body = r.substr(r.find("\r\n\r\n") + 4);
  z_stream zs{};
  ASSERT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out(30000, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(body.data());
  zs.avail_in = static_cast<uInt>(body.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  EXPECT_EQ(out, std::string(20000, 'x'));
  EXPECT_EQ(Get(port_, "/big").find("Content-Encoding"), std::string::npos) << "not without Accept-Encoding";
  EXPECT_EQ(Get(port_, "/hello/x", "Accept-Encoding: gzip\r\n").find("Content-Encoding"), std::string::npos) << "small bodies stay plain";
}

TEST_F(HttpTest, HandlerExceptionIs500AndNotFatal) {
  EXPECT_NE(Get(port_, "/throw").find(" 500 "), std::string::npos);
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpTest, GracefulStopFinishesInFlightRequests) {
  auto slow = std::async(std::launch::async, [&] { return Get(port_, "/slow"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  server_->Stop();
  server_->Wait(/*handle_signals=*/false, std::chrono::seconds(5));
  EXPECT_NE(slow.get().find("slow done"), std::string::npos) << "the request in flight was answered";
  EXPECT_EQ(Get(port_, "/hello/x"), "") << "no new connections after stopping";
}

TEST(StaticFiles, ServesWithETagAndNeverOutsideRoot) {
  auto dir = std::filesystem::temp_directory_path() / ("ting_static_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "public");
  std::ofstream(dir / "public" / "a.css") << "body{}";
  std::ofstream(dir / "secret.txt") << "secret";
  std::error_code ec;
  std::filesystem::create_symlink(dir / "secret.txt", dir / "public" / "link.txt", ec);
  Handler h = StaticFiles((dir / "public").string(), "/static/");
  auto get = [&](const std::string& path, const std::string& inm = "") {
    Request r;
    r.method = "GET";
    r.path = path;
    if (!inm.empty()) r.headers.emplace("If-None-Match", inm);
    return h(r);
  };
  Response ok = get("/static/a.css");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "body{}");
  EXPECT_EQ(ok.headers.find("Content-Type")->second, "text/css; charset=utf-8");
  std::string etag = ok.headers.find("ETag")->second;
  EXPECT_EQ(get("/static/a.css", etag).status, 304);
  EXPECT_EQ(get("/static/../secret.txt").status, 404);
  EXPECT_EQ(get("/static/link.txt").status, 404) << "a link out of the folder is not followed";
  EXPECT_EQ(get("/static/missing.css").status, 404);
}

}  // namespace
}  // namespace ting::http
