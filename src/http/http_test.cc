// The HTTP layer over real sockets on 127.0.0.1: routing, keep-alive, security headers, gzip,
// stopping, concurrency, static files. (Limits and hostile clients: http_limits_test.cc.)

#include "http_test_support.h"

namespace ting::http::httptest {
namespace {

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
  // Ambiguous framing (request smuggling) is refused.
  EXPECT_EQ(Exchange(port_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd")
                .find("HTTP/1.1 400 "), 0u);
  EXPECT_EQ(Exchange(port_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "3\r\nabc\r\n0\r\n\r\n").find("HTTP/1.1 400 "), 0u);
  EXPECT_EQ(Exchange(port_, "GET /hello/x HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n").find("HTTP/1.1 400 "), 0u);
  EXPECT_NE(Get(port_, "/hello/%00x").find(" 400 "), std::string::npos) << "NUL in the path";
  EXPECT_NE(Get(port_, "/hello/%zz").find(" 400 "), std::string::npos) << "broken escape";
  EXPECT_TRUE(StillServes());
  EXPECT_NE(Exchange(port_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc").find("abc"), std::string::npos);
}

TEST_F(HttpTest, SlowClientsAreTimedOut) {
  // Half a request, then silence: within its read timeout (1 s here) the server answers 408
  // and closes the connection. The client would wait 10 s; the bounds below leave a loaded CI
  // machine seconds of slack and still tell the server's close from the client's.
  using std::chrono::milliseconds;
  constexpr int kClientLimitMs = 10000;
  constexpr milliseconds kServerClosedWithin(7000);
  auto ms = [](auto d) { return std::to_string(std::chrono::duration_cast<milliseconds>(d).count()) + " ms"; };
  auto start = std::chrono::steady_clock::now();
  std::string r = Exchange(port_, "GET /hello/x HTTP/1.1\r\nHost: x\r\n", kClientLimitMs);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.find("HTTP/1.1 408 "), 0u) << r;
  EXPECT_NE(r.find("Connection: close"), std::string::npos);
  EXPECT_EQ(r.find("hello x"), std::string::npos) << "the half request is not served";
  EXPECT_LT(waited, kServerClosedWithin) << "closed by the server, not by the client's limit; took " << ms(waited);
  // A connection that sends nothing, and a kept-alive one idle after its first answer, are
  // closed without a word (idle timeout 1 s here). Both wait at the same time.
  auto kept_alive = std::async(std::launch::async, [&] {
    int fd = Connect(port_);
    SendAll(fd, "GET /hello/k HTTP/1.1\r\nHost: x\r\n\r\n");
    auto t0 = std::chrono::steady_clock::now();
    std::string all = ReadFor(fd, kClientLimitMs);  // returns when the server closes
    ::close(fd);
    return std::make_pair(all, std::chrono::steady_clock::now() - t0);
  });
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(Exchange(port_, "", kClientLimitMs), "");
  auto silent_for = std::chrono::steady_clock::now() - start;
  EXPECT_LT(silent_for, kServerClosedWithin) << "took " << ms(silent_for);
  auto [all, idle_for] = kept_alive.get();
  EXPECT_NE(all.find("hello k"), std::string::npos);
  EXPECT_EQ(all.find("408"), std::string::npos) << "an idle connection gets no 408";
  EXPECT_GT(idle_for, milliseconds(800)) << "not before the idle timeout; took " << ms(idle_for);
  EXPECT_LT(idle_for, kServerClosedWithin) << "closed by the server's idle timeout; took " << ms(idle_for);
  EXPECT_TRUE(StillServes());
}

TEST(ServerSignals, SigtermMakesWaitReturnAfterDraining) {
  // Until Wait() has installed its handler, a SIGTERM lands in this harmless one instead of
  // ending the test process; the test sends it again until Wait() returns (a loaded machine
  // may be slow to get there). Installed before Wait() runs, so Wait() replaces it.
  struct sigaction quiet {};
  quiet.sa_handler = [](int) {};
  struct sigaction before {};
  ASSERT_EQ(::sigaction(SIGTERM, &quiet, &before), 0);
  ServerOptions o;
  o.port = 0;
  o.io_threads = 1;
  o.access_log = false;
  Server server(o, [](Request&) { return Response::Text(200, "up"); });
  ASSERT_TRUE(server.Start().ok());
  Event returned;
  std::thread waiter([&] {
    server.Wait(/*handle_signals=*/true, std::chrono::seconds(2));
    returned.Set();
  });
  EXPECT_NE(Get(server.port(), "/").find("up"), std::string::npos);
  EXPECT_FALSE(returned.WaitFor(std::chrono::milliseconds(0)));
  bool ended = false;
  for (int i = 0; i < 100 && !ended; ++i) {
    ::kill(::getpid(), SIGTERM);
    ended = returned.WaitFor(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(ended) << "SIGTERM ended Wait()";
  waiter.join();
  ::sigaction(SIGTERM, &before, nullptr);
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
  WaitUntilSlowStarted();
  server_->Stop();
  release_slow_.Set();
  server_->Wait(/*handle_signals=*/false, std::chrono::seconds(5));
  EXPECT_NE(slow.get().find("slow done"), std::string::npos) << "the request in flight was answered";
  EXPECT_EQ(Get(port_, "/hello/x"), "") << "no new connections after stopping";
}

TEST_F(HttpTest, ABlockingHandlerDoesNotStallOtherConnections) {
  auto slow = std::async(std::launch::async, [&] { return Get(port_, "/slow"); });
  WaitUntilSlowStarted();
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(StillServes());
  EXPECT_EQ(slow.wait_for(std::chrono::seconds(0)), std::future_status::timeout) << "answered while /slow is held";
  release_slow_.Set();
  EXPECT_NE(slow.get().find("slow done"), std::string::npos);
}

TEST_F(HttpTest, ManyConcurrentKeepAliveClients) {
  constexpr int kClients = 32, kRequests = 20;
  std::vector<std::future<int>> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(std::async(std::launch::async, [this, c] {
      std::string batch;
      for (int i = 0; i < kRequests; ++i)
        batch += "GET /hello/c" + std::to_string(c) + "r" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n" +
                 (i + 1 == kRequests ? "Connection: close\r\n" : "") + "\r\n";
      std::string r = Exchange(port_, batch, 5000);
      // Each answer in order: header, blank line, its own body.
      int answered = 0;
      size_t at = 0;
      for (int i = 0; i < kRequests; ++i) {
        at = r.find("\r\n\r\nhello c" + std::to_string(c) + "r" + std::to_string(i), at);
        if (at == std::string::npos) break;
        ++answered;
        ++at;
      }
      return answered;
    }));
  }
  for (auto& c : clients) EXPECT_EQ(c.get(), kRequests);
}

// Mutated requests (seeded; HTTP_TEST_MUTATIONS=n for a longer run): every answer is a
// well-formed status line or a closed connection, and the server keeps serving.
TEST_F(HttpTest, MutatedRequestsNeverTakeTheServerDown) {
  const std::string valid = "POST /echo/x?a=%20b HTTP/1.1\r\nHost: x\r\nCookie: c=1\r\nContent-Length: 5\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  const char* env = getenv("HTTP_TEST_MUTATIONS");
  const int per_thread = env ? std::atoi(env) : 8;
  constexpr int kThreads = 16;
  std::vector<std::future<std::string>> runs;
  for (int t = 0; t < kThreads; ++t) {
    runs.push_back(std::async(std::launch::async, [&, t] {
      uint32_t seed = 12345u + static_cast<uint32_t>(t);
      auto next = [&seed] { return seed = seed * 1664525u + 1013904223u; };
      static const char kAlphabet[] = "\r\n\0%:; /?=chunkedGETPOST0123456789aAzZ\x7f\xff";
      const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);
      for (int i = 0; i < per_thread; ++i) {
        std::string req = valid;
        int edits = 1 + static_cast<int>(next() % 6);
        for (int e = 0; e < edits; ++e) {
          size_t at = next() % req.size();
          char c = alphabet[next() % alphabet.size()];
          switch (next() % 3) {
            case 0: req[at] = c; break;
            case 1: req.insert(req.begin() + static_cast<long>(at), c); break;
            default: req.erase(at, 1 + next() % 4); break;
          }
        }
        std::string r = Exchange(port_, req + "\r\n\r\n", 2500);
        if (!r.empty() && r.rfind("HTTP/1.1 ", 0) != 0 && r.rfind("HTTP/1.0 ", 0) != 0)
          return "bad answer to " + req + ":\n" + r.substr(0, 100);
      }
      return std::string();
    }));
  }
  for (auto& run : runs) EXPECT_EQ(run.get(), "");
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpTest, PipelinedRequestsAreAnsweredInOrder) {
  std::string three = "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /hello/b HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /hello/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string r = Exchange(port_, three);
  auto slow = r.find("slow done"), b = r.find("hello b"), c = r.find("hello c");
  ASSERT_NE(slow, std::string::npos) << r;
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(c, std::string::npos);
  EXPECT_LT(slow, b) << "the slow first answer comes first";
  EXPECT_LT(b, c);
}

TEST_F(HttpTest, ExpectContinueGetsA100BeforeTheBody) {
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  SendAll(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
  std::string first = ReadFor(fd, 300);
  EXPECT_EQ(first, "HTTP/1.1 100 Continue\r\n\r\n");
  SendAll(fd, "abc");
  std::string rest = ReadFor(fd, 2000);
  ::close(fd);
  EXPECT_EQ(rest.find("HTTP/1.1 200 "), 0u) << rest;
  EXPECT_NE(rest.find("\r\n\r\nabc"), std::string::npos);
  // Too big: 413 straight away, no 100 Continue.
  std::string big = Exchange(port_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(big.find("HTTP/1.1 413 "), 0u) << big;
}

TEST_F(HttpTest, OversizedBodyStillSendingGets413) {
  // The client sends its whole (too large) body at once; the 413 must still reach it rather
  // than a connection reset.
  std::string r = Exchange(port_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + std::string(200000, 'z'));
  EXPECT_EQ(r.find("HTTP/1.1 413 "), 0u) << r.substr(0, 200);
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpTest, GzipNotWhenRefusedButVaryAlways) {
  std::string refused = Get(port_, "/big", "Accept-Encoding: gzip;q=0, identity\r\n");
  EXPECT_EQ(refused.find("Content-Encoding"), std::string::npos);
  EXPECT_NE(refused.find("Vary: Accept-Encoding"), std::string::npos);
  EXPECT_NE(Get(port_, "/big").find("Vary: Accept-Encoding"), std::string::npos);
  EXPECT_NE(Get(port_, "/big", "Accept-Encoding: br;q=1.0, *;q=0.5\r\n").find("Content-Encoding: gzip"), std::string::npos);
  std::string head = Exchange(port_, "HEAD /big HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n");
  EXPECT_NE(head.find("Content-Length: 20000"), std::string::npos) << head;
  EXPECT_EQ(head.find("xxxx"), std::string::npos);
}

TEST_F(HttpTest, AccessLogIsOneJsonLineWithoutTheQuery) {
  server_.reset();  // restart with the log on, captured
  ServerOptions o;
  o.port = 0;
  o.io_threads = 1;
  o.access_log = true;
  Server logged(o, [this](Request& r) { return router_.Dispatch(r); });
  ASSERT_TRUE(logged.Start().ok());
  testing::internal::CaptureStderr();
  std::string r = Get(logged.port(), "/hello/x?token=SECRET123");
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(r.find("hello x"), std::string::npos);
  ASSERT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
  EXPECT_EQ(log.find("{\"ts\":\"20"), 0u) << log;
  EXPECT_NE(log.find("\"method\":\"GET\",\"path\":\"/hello/x\",\"status\":200,\"bytes\":7,\"duration_ms\":"), std::string::npos) << log;
  EXPECT_NE(log.find("\"ip\":\"127.0.0.1\"}"), std::string::npos) << log;
  EXPECT_EQ(log.find("SECRET123"), std::string::npos) << "query strings may carry tokens";
}

TEST(StaticFilesOverHttp, TraversalAttemptsNeverLeaveTheRoot) {
  auto dir = std::filesystem::temp_directory_path() / ("ting_static_http_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "public" / "css");
  std::ofstream(dir / "public" / "css" / "site.css") << "body{color:black}";
  std::ofstream(dir / "secret") << "TOP-SECRET";
  std::error_code ec;
  std::filesystem::create_symlink(dir / "secret", dir / "public" / "link", ec);
  ASSERT_FALSE(ec) << ec.message();
  Router router;
  router.Add("GET", "/static/{path...}", StaticFiles((dir / "public").string(), "/static/"));
  ServerOptions o;
  o.port = 0;
  o.io_threads = 1;
  o.access_log = false;
  Server server(o, [&](Request& r) { return router.Dispatch(r); });
  ASSERT_TRUE(server.Start().ok());
  uint16_t port = server.port();
  std::string ok = Get(port, "/static/css/site.css");
  EXPECT_EQ(ok.find("HTTP/1.1 200 "), 0u) << ok;
  EXPECT_NE(ok.find("Content-Type: text/css; charset=utf-8"), std::string::npos);
  EXPECT_NE(ok.find("Cache-Control: public, max-age=3600"), std::string::npos);
  EXPECT_NE(ok.find("\r\n\r\nbody{color:black}"), std::string::npos);
  auto etag_at = ok.find("ETag: ");
  ASSERT_NE(etag_at, std::string::npos);
  std::string etag = ok.substr(etag_at + 6, ok.find("\r\n", etag_at) - etag_at - 6);
  std::string not_modified = Get(port, "/static/css/site.css", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(not_modified.find("HTTP/1.1 304 "), 0u) << not_modified;
  EXPECT_EQ(not_modified.find("body{"), std::string::npos);
  EXPECT_EQ(Get(port, "/static/css/site.css", "If-None-Match: \"other\", " + etag + "\r\n").find("HTTP/1.1 304 "), 0u);
  EXPECT_EQ(Get(port, "/static/css/site.css", "If-None-Match: \"other\"\r\n").find("HTTP/1.1 200 "), 0u);
  for (const std::string attempt :
       {"/static/../secret", "/static/%2e%2e/secret", "/static/%2E%2E%2Fsecret", "/static/css/../../secret",
        "/static/..%2fsecret", "/static/link", "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/css"}) {
    std::string r = Get(port, attempt);
    EXPECT_EQ(r.find("TOP-SECRET"), std::string::npos) << attempt;
    EXPECT_TRUE(r.find("HTTP/1.1 404 ") == 0 || r.find("HTTP/1.1 400 ") == 0) << attempt << ": " << r.substr(0, 40);
  }
  EXPECT_EQ(Get(port, "/static/missing.css").find("HTTP/1.1 404 "), 0u);
  std::filesystem::remove_all(dir);
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
}  // namespace ting::http::httptest
