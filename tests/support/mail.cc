#include "mail.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>


namespace ting::testing {
namespace {

std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Base64Decode(const std::string& text) {
  std::string clean;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
  std::string out(clean.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), clean.data(), clean.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    throw std::runtime_error("mail: bad base64");
  out.resize(len);
  return out;
}

// "=?UTF-8?B?...?=" words (folded over lines) back into text.
std::string DecodeWords(const std::string& value) {
  static const std::regex word("=\\?UTF-8\\?B\\?([^?]*)\\?=", std::regex::icase);
  std::string out;
  auto begin = std::sregex_iterator(value.begin(), value.end(), word);
  if (begin == std::sregex_iterator()) return value;
  for (auto it = begin; it != std::sregex_iterator(); ++it) out += Base64Decode((*it)[1]);
  return out;
}

// Headers (unfolded) and body of a message or a part.
void Split(const std::string& raw, std::map<std::string, std::string>& headers, std::string& body) {
  size_t end = raw.find("\r\n\r\n");
  std::string head = raw.substr(0, end);
  body = end == std::string::npos ? "" : raw.substr(end + 4);
  std::string name, value;
  std::istringstream lines(head);
  std::string line;
  auto flush = [&] {
    if (!name.empty() && !headers.count(name)) headers[name] = value;
  };
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      value += "\r\n" + line;
      continue;
    }
    flush();
    auto colon = line.find(':');
    name = Lower(line.substr(0, colon));
    value = colon == std::string::npos ? "" : line.substr(colon + 1);
    while (!value.empty() && value[0] == ' ') value.erase(0, 1);
  }
  flush();
}

ReceivedMail Parse(const std::string& raw, const nlohmann::json& envelope) {
  ReceivedMail m;
  m.raw = raw;
  m.from = envelope.value("from", "");
  for (const auto& to : envelope["to"]) m.to.push_back(to);
  std::string body;
  Split(raw, m.headers, body);
  m.subject = DecodeWords(m.Header("subject"));
  std::smatch b;
  std::string type = m.Header("content-type");
  if (std::regex_search(type, b, std::regex("boundary=\"([^\"]+)\""))) {
    const std::string sep = "--" + b[1].str();
    size_t pos = body.find(sep);
    while (pos != std::string::npos) {
      size_t start = pos + sep.size();
      if (body.compare(start, 2, "--") == 0) break;
      size_t next = body.find(sep, start);
      std::map<std::string, std::string> h;
      std::string part_body;
      Split(body.substr(start + 2, next - start - 2), h, part_body);
      std::string decoded = Base64Decode(part_body);
      if (h["content-type"].find("text/html") != std::string::npos) m.html = decoded;
      else m.text = decoded;
      pos = next;
    }
  } else {
    m.text = Base64Decode(body);
  }
  return m;
}

}  // namespace

std::string ReceivedMail::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string ReceivedMail::LinkPath(const std::string& prefix) const {
  std::smatch m;
  std::regex link("https?://[^/\\s]+(" + prefix + "[^\\s<>\"]*)");
  if (std::regex_search(text, m, link)) return m[1];
  return "";
}

SmtpServer::SmtpServer(std::string dir, int port, std::string user, std::string password, bool tls) : dir_(std::move(dir)) {
  std::vector<std::string> args = {std::string(TING_SOURCE_DIR) + "/tests/fixtures/smtp_server.py", "--dir", dir_, "--port", std::to_string(port)};
  if (!user.empty()) args.insert(args.end(), {"--user", user, "--password", password});
  if (tls) args.push_back("--tls");
  server_ = std::make_unique<FixtureServer>("/usr/bin/python3", args);
  port_ = server_->port();
  if (!port_) throw std::runtime_error("the test SMTP server did not start (is python3-aiosmtpd installed?): " + server_->output());
}

SmtpServer::~SmtpServer() = default;

void SmtpServer::Kill() { server_->Kill(); }

std::vector<ReceivedMail> SmtpServer::Mails() const {
  std::vector<std::filesystem::path> envelopes;
  if (std::filesystem::exists(dir_))
    for (const auto& e : std::filesystem::directory_iterator(dir_))
      if (e.path().extension() == ".json") envelopes.push_back(e.path());
  std::sort(envelopes.begin(), envelopes.end());
  std::vector<ReceivedMail> out;
  for (const auto& p : envelopes) {
    auto eml = p;
    eml.replace_extension(".eml");
    out.push_back(Parse(Slurp(eml), nlohmann::json::parse(Slurp(p))));
  }
  return out;
}

std::vector<ReceivedMail> SmtpServer::WaitFor(size_t n, double timeout_seconds) const {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    auto mails = Mails();
    if (mails.size() >= n) return mails;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Mails();
}

}  // namespace ting::testing
