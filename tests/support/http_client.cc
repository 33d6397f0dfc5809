#include "http_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <thread>

namespace ting::testing {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

std::string HttpResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

static std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string UrlEncodeForm(const std::vector<std::pair<std::string, std::string>>& fields) {
  auto enc = [](const std::string& s) {
    std::string out;
    char buf[4];
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
        out += static_cast<char>(c);
      } else if (c == ' ') {
        out += '+';
      } else {
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
    return out;
  };
  std::string body;
  for (const auto& [k, v] : fields) {
    if (!body.empty()) body += '&';
    body += enc(k) + "=" + enc(v);
  }
  return body;
}

HttpResponse HttpClient::Request(const std::string& method, const std::string& target, const std::string& body,
                                 std::map<std::string, std::string> headers) {
  boost::asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)));
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
  req.set(bhttp::field::host, "localhost");
  req.set(bhttp::field::connection, "close");
  if (!cookies_.empty() && !headers.count("Cookie")) {
    std::string c;
    for (const auto& [k, v] : cookies_) c += (c.empty() ? "" : "; ") + k + "=" + v;
    req.set(bhttp::field::cookie, c);
  }
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  bhttp::write(socket, req);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  bhttp::read(socket, buffer, parser);
  auto& res = parser.get();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& h : res) {
    std::string name = Lower(std::string(h.name_string()));
    out.headers.emplace(name, std::string(h.value()));
    if (name == "set-cookie") {
      std::string v(h.value());
      auto eq = v.find('='), semi = v.find(';');
      std::string cname = v.substr(0, eq), cval = v.substr(eq + 1, semi == std::string::npos ? std::string::npos : semi - eq - 1);
      bool expired = v.find("Max-Age=0") != std::string::npos;
      if (expired || cval.empty()) cookies_.erase(cname);
      else cookies_[cname] = cval;
    }
  }
  out.body = res.body();
  beast::error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
  return out;
}

HttpResponse HttpClient::PostForm(const std::string& target, const std::vector<std::pair<std::string, std::string>>& fields) {
  return Request("POST", target, UrlEncodeForm(fields), {{"Content-Type", "application/x-www-form-urlencoded"}});
}

HttpResponse HttpClient::Json(const std::string& method, const std::string& target, const std::string& json,
                              const std::string& bearer) {
  std::map<std::string, std::string> h{{"Content-Type", "application/json"}, {"Cookie", ""}};
  if (!bearer.empty()) h["Authorization"] = "Bearer " + bearer;
  return Request(method, target, json, h);
}

HttpResponse HttpClient::Api(const std::string& method, const std::string& target, const std::string& body, const std::string& bearer,
                             const std::string& host, const std::string& content_type) {
  std::map<std::string, std::string> h;
  if (method != "GET" && !content_type.empty()) h["Content-Type"] = content_type;
  if (!bearer.empty()) h["Authorization"] = "Bearer " + bearer;
  if (!host.empty()) h["Host"] = host;
  return Request(method, target, body, h);
}

std::string HttpClient::Raw(const std::string& bytes, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("connect failed");
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early (e.g. after 431); read what it said
    sent += static_cast<size_t>(n);
  }
  std::string out;
  char buf[65536];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (::poll(&p, 1, std::max(left, 1)) <= 0) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string FormValue(const std::string& html, const std::string& name) {
  std::regex re("name=\"" + name + "\" value=\"([^\"]*)\"");
  std::smatch m;
  if (std::regex_search(html, m, re)) return m[1];
  return "";
}

std::string TingBinary() { return std::string(TING_BINARY_DIR) + "/ting"; }

std::string TempPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("ting_it_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path.string();
}

namespace {
}  // namespace

pid_t SpawnProgram(const std::string& program, const std::vector<std::string>& args, int* out_fd) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    std::vector<char*> argv;
    std::string bin = program;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    _exit(127);
  }
  ::close(pipefd[1]);
  *out_fd = pipefd[0];
  return pid;
}

namespace {
pid_t Spawn(const std::vector<std::string>& args, int* out_fd) { return SpawnProgram(TingBinary(), args, out_fd); }
}  // namespace

int RunTing(const std::vector<std::string>& args, std::string* output) {
  int fd;
  pid_t pid = Spawn(args, &fd);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) output->append(buf, static_cast<size_t>(n));
  ::close(fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ServerProcess::ServerProcess(const std::string& db_path, std::vector<std::string> extra_args) {
  std::vector<std::string> args = {"serve", "--db", db_path, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = Spawn(args, &out_fd_);
  std::regex serving("serving http://127\\.0\\.0\\.1:([0-9]+)/");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      output_.append(buf, static_cast<size_t>(n));
      std::smatch m;
      if (std::regex_search(output_, m, serving)) {
        port_ = std::stoi(m[1]);
        break;
      }
    }
  }
  if (!port_) throw std::runtime_error("ting serve did not start: " + output_);
  // Keep draining the server's log so it never blocks on a full pipe.
  int fd = out_fd_;
  std::thread([fd] {
    char b[4096];
    while (::read(fd, b, sizeof b) > 0) {
    }
  }).detach();
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

ServerProcess::~ServerProcess() { Stop(); }

}  // namespace ting::testing
