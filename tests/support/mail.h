#pragma once
// A real SMTP server for tests (tests/fixtures/smtp_server.py, Debian's python3-aiosmtpd) and
// what it received, parsed: headers, the subject decoded, the text and HTML parts decoded.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fixture.h"

namespace ting::testing {

struct ReceivedMail {
  std::string from;
  std::vector<std::string> to;
  std::map<std::string, std::string> headers;  // names lower-cased, first of each
  std::string subject, text, html, raw;
  std::string Header(const std::string& lower_name) const;
  // The path of the first link on the site in the text that starts with prefix
  // ("/verify-email/"), or "".
  std::string LinkPath(const std::string& prefix) const;
};

class SmtpServer {
 public:
  // Listens on a free port, or on `port` (to come back where the platform expects it).
  // With tls, it requires STARTTLS, with a certificate whose PEM is in dir/ca.pem.
  explicit SmtpServer(std::string dir, int port = 0, std::string user = "", std::string password = "", bool tls = false);
  ~SmtpServer();
  int port() const { return port_; }
  void Kill();  // kill -9
  // Every message received so far, in order.
  std::vector<ReceivedMail> Mails() const;
  // Waits until at least n messages have arrived (or the timeout passes) and returns them all.
  std::vector<ReceivedMail> WaitFor(size_t n, double timeout_seconds = 10) const;

 private:
  std::string dir_;
  std::unique_ptr<FixtureServer> server_;
  int port_ = 0;
};

}  // namespace ting::testing
