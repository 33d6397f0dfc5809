#pragma once
// A small blocking HTTP/1.1 client for tests (Boost.Beast), with a cookie jar, and helpers to
// run the real `ting serve` binary on a free port.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

namespace ting::testing {

struct HttpResponse {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

class HttpClient {
 public:
  explicit HttpClient(int port) : port_(port) {}
  // One request on a fresh connection; cookies from earlier responses are sent and updated.
  HttpResponse Request(const std::string& method, const std::string& target, const std::string& body = "",
                       std::map<std::string, std::string> headers = {});
  HttpResponse Get(const std::string& target) { return Request("GET", target); }
  // POSTs an urlencoded form; fields are encoded here.
  HttpResponse PostForm(const std::string& target, const std::vector<std::pair<std::string, std::string>>& fields);
  HttpResponse Json(const std::string& method, const std::string& target, const std::string& json,
                    const std::string& bearer = "");
  // An API request as a client of the platform sends it: a bearer token (none when empty), a body
  // of content_type (sent with every method but GET), on the organisation served for host ("": the
  // default).
  HttpResponse Api(const std::string& method, const std::string& target, const std::string& body, const std::string& bearer,
                   const std::string& host = "", const std::string& content_type = "application/json");
  // Sends raw bytes and returns everything the server answers until it closes (or timeout).
  std::string Raw(const std::string& bytes, int timeout_ms = 3000);

  std::map<std::string, std::string>& cookies() { return cookies_; }
  int port() const { return port_; }

 private:
  int port_;
  std::map<std::string, std::string> cookies_;
};

// The value of <input name="NAME" value="..."> in a page (first match), or "".
std::string FormValue(const std::string& html, const std::string& name);
std::string UrlEncodeForm(const std::vector<std::pair<std::string, std::string>>& fields);

// Runs build/ting with args (plus --listen 127.0.0.1:0) and waits for its "serving" line.
class ServerProcess {
 public:
  ServerProcess(const std::string& db_path, std::vector<std::string> extra_args = {});
  ~ServerProcess();  // SIGTERM, then waits
  int port() const { return port_; }
  // Sends SIGTERM and returns the exit status (as from waitpid's WEXITSTATUS, -1 if killed).
  int Stop();
  // kill -9: no draining, no clean shutdown.
  void Kill();
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int out_fd_ = -1;
  std::string output_;
};

// A fresh, empty path for a database file of this test.
std::string TempPath(const std::string& name);
// Runs build/ting with args; returns exit status and fills output (stdout+stderr).
int RunTing(const std::vector<std::string>& args, std::string* output);
std::string TingBinary();
// Starts a program with args, its stdout and stderr on *out_fd; returns its pid.
pid_t SpawnProgram(const std::string& program, const std::vector<std::string>& args, int* out_fd);

}  // namespace ting::testing
