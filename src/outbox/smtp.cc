// SMTP through libcurl: STARTTLS whenever the server offers it on smtp://, TLS from the first
// byte on smtps://. With a user and password, smtp:// to any host but this machine requires
// STARTTLS: credentials never cross a network in the clear.

#include <curl/curl.h>

#include <cstring>
#include <mutex>

#include "ting/outbox/outbox.h"

namespace ting::outbox {
namespace {

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

// "<address>" for the SMTP envelope.
std::string Bracketed(const std::string& address) {
  std::string out;
  out.reserve(address.size() + 2);
  out.push_back('<');
  out.append(address);
  out.push_back('>');
  return out;
}

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t n = std::min(size * count, up->data->size() - up->offset);
  std::memcpy(buffer, up->data->data() + up->offset, n);
  up->offset += n;
  return n;
}

class CurlSmtp final : public Transport {
 public:
  explicit CurlSmtp(SmtpConfig config) : config_(std::move(config)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Status Send(const std::string& recipient, const std::string& data) override {
    if (config_.url.empty()) return Error::Precondition("no smtp_url is configured");
    CURL* curl = curl_easy_init();
    if (!curl) return Error::Internal("curl_easy_init failed");
    Upload up{&data};
    const std::string to = Bracketed(recipient), from = Bracketed(AddressOf(config_.from));
    curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, config_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    // STARTTLS when offered on smtp:// (required when a password would go to another machine);
    // smtps:// is TLS throughout. Certificates are verified.
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(TlsRequired(config_) ? CURLUSESSL_ALL : CURLUSESSL_TRY));
    if (!config_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, config_.ca_file.c_str());
    if (!config_.user.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, config_.user.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.password.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(config_.timeout_seconds));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    CURLcode rc = curl_easy_perform(curl);
    long reply = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
      std::string detail = error[0] ? error : curl_easy_strerror(rc);
      if (reply) detail += " (server said " + std::to_string(reply) + ")";
      return Error::Io("smtp: " + detail);
    }
    return {};
  }

 private:
  SmtpConfig config_;
};

}  // namespace

bool TlsRequired(const SmtpConfig& config) {
  if (config.user.empty()) return false;
  size_t start = config.url.find("://");
  if (start == std::string::npos) return true;
  // host[:port] or [v6]:port, up to the path
  std::string authority = config.url.substr(start + 3, config.url.find('/', start + 3) - (start + 3));
  if (authority.rfind("[::1]", 0) == 0) return false;
  std::string host = authority.substr(0, authority.find(':'));
  return host != "127.0.0.1" && host != "localhost";
}

std::unique_ptr<Transport> SmtpTransport(SmtpConfig config) { return std::make_unique<CurlSmtp>(std::move(config)); }

}  // namespace ting::outbox
