#pragma once
// A helper server for tests (the SMTP server, the OpenID provider in tests/fixtures/) started as
// a child process that prints "PORT <n>" once it listens. It is killed when this object goes
// (and the fixtures exit by themselves when the test process dies).

#include <string>
#include <vector>

#include <sys/types.h>

namespace ting::testing {

class FixtureServer {
 public:
  // Runs program with args; waits up to 20 s for its "PORT <n>" line. port() is 0 when it did
  // not start (what it printed is in output()).
  FixtureServer(const std::string& program, const std::vector<std::string>& args);
  ~FixtureServer();
  FixtureServer(const FixtureServer&) = delete;
  FixtureServer& operator=(const FixtureServer&) = delete;
  int port() const { return port_; }
  const std::string& output() const { return output_; }
  void Kill();  // kill -9

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int out_fd_ = -1;
  std::string output_;
};

}  // namespace ting::testing
