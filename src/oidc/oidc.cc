// Discovery, the authorization URL, the token request over libcurl, and the cached Provider.

#include "ting/oidc/oidc.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace ting::oidc {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxResponseBytes = 1 << 20;

Error Malformed(std::string message) { return Error::Of(ErrorCode::kMalformed, std::move(message)); }

// Text from a response, made safe to log: printable ASCII, at most 200 characters.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 200)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > 200) out += "...";
  return out;
}

// Whether url may be fetched with a client secret or trusted for keys: https, or plain http to
// this machine (test providers).
bool SafeEndpoint(const std::string& url) {
  CURLU* u = curl_url();
  if (u == nullptr) return false;
  bool ok = false;
  char* scheme = nullptr;
  char* host = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    std::string s = scheme, h = host;
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
    ok = (s == "https" && !h.empty()) ||
         (s == "http" && (h == "127.0.0.1" || h == "localhost" || h == "[::1]"));
  }
  curl_free(scheme);
  curl_free(host);
  curl_url_cleanup(u);
  // A URL with a fragment or that curl would rewrite is not one a provider publishes.
  return ok && url.find('#') == std::string::npos;
}

// ---- libcurl ----

std::once_flag curl_init_once;

struct Body {
  std::string data;
  bool too_large = false;
};

size_t WriteBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* body = static_cast<Body*>(userdata);
  size_t n = size * nmemb;
  if (body->data.size() + n > kMaxResponseBytes) {
    body->too_large = true;
    return 0;  // anything but n aborts the transfer
  }
  body->data.append(ptr, n);
  return n;
}

// The OAuth error of a refusal (RFC 6749 5.2), for the log: "invalid_grant (description)".
std::string OAuthError(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) return "(no OAuth error in the body)";
  std::string out;
  if (auto e = doc.find("error"); e != doc.end() && e->is_string()) out = Printable(e->get<std::string>());
  if (auto d = doc.find("error_description"); d != doc.end() && d->is_string()) {
    out += " (" + Printable(d->get<std::string>()) + ")";
  }
  return out.empty() ? "(no OAuth error in the body)" : out;
}

class CurlClient final : public HttpClient {
 public:
  explicit CurlClient(int timeout_seconds) : timeout_seconds_(timeout_seconds) {}

  Result<std::string> Get(const std::string& url) override { return Perform(url, nullptr, "", ""); }

  Result<std::string> PostForm(const std::string& url, const std::vector<std::pair<std::string, std::string>>& form,
                               const std::string& basic_user, const std::string& basic_password) override {
    std::string body;
    for (const auto& [name, value] : form) {
      if (!body.empty()) body += '&';
      body += PercentEncode(name) + "=" + PercentEncode(value);
    }
    return Perform(url, &body, basic_user, basic_password);
  }

 private:
  Result<std::string> Perform(const std::string& url, const std::string* post_body, const std::string& user,
                              const std::string& password) {
    const char* method = post_body ? "POST" : "GET";
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return Error::Internal("curl_easy_init failed");
    Body body;
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl_slist_free_all);
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout_seconds_));
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxResponseBytes));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "ting-oidc/1");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    if (post_body != nullptr) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body->c_str());
    }
    if (!user.empty()) {
      curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(c, CURLOPT_USERNAME, user.c_str());
      curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
    }

    CURLcode rc = curl_easy_perform(c);
    std::string where = std::string(method) + " " + url;
    if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED) return Error::Io(where + ": response larger than 1 MiB");
    if (rc != CURLE_OK) {
      return Error::Io(where + ": " + (error_buffer[0] ? error_buffer : curl_easy_strerror(rc)));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) return std::move(body.data);
    std::string what = where + ": HTTP " + std::to_string(status);
    if (post_body != nullptr && status >= 400 && status < 500) {
      return Error::Unauthenticated(what + " " + OAuthError(body.data));
    }
    return Error::Io(what);
  }

  const int timeout_seconds_;
};

Result<TokenResponse> ReadTokenResponse(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) return Malformed("token response is not a JSON object");
  TokenResponse out;
  auto id = doc.find("id_token");
  if (id == doc.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
    return Malformed("token response has no id_token (is \"openid\" among the scopes?)");
  }
  out.id_token = id->get<std::string>();
  if (auto a = doc.find("access_token"); a != doc.end() && a->is_string()) out.access_token = a->get<std::string>();
  return out;
}

}  // namespace

Result<ProviderMetadata> ParseDiscovery(std::string_view text, const std::string& expected_issuer) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return Malformed("discovery: not a JSON object");
  ProviderMetadata md;
  const std::pair<const char*, std::string*> fields[] = {
      {"issuer", &md.issuer},
      {"authorization_endpoint", &md.authorization_endpoint},
      {"token_endpoint", &md.token_endpoint},
      {"jwks_uri", &md.jwks_uri},
  };
  for (const auto& [name, out] : fields) {
    auto it = doc.find(name);
    if (it == doc.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return Malformed(std::string("discovery: no \"") + name + "\"");
    }
    *out = it->get<std::string>();
    if (!SafeEndpoint(*out)) {
      return Malformed(std::string("discovery: \"") + name + "\" is neither https nor http to loopback: " +
                       Printable(*out));
    }
  }
  if (md.issuer != expected_issuer) {
    return Malformed("discovery: issuer \"" + Printable(md.issuer) + "\" is not the configured \"" +
                     expected_issuer + "\"");
  }
  return md;
}

std::string AuthorizationUrl(const ProviderMetadata& metadata, const std::string& client_id,
                             const std::string& redirect_uri, const std::string& scopes, const std::string& state,
                             const std::string& nonce, const std::string& code_challenge,
                             const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> params = {
      {"response_type", "code"}, {"client_id", client_id},           {"redirect_uri", redirect_uri},
      {"scope", scopes},         {"state", state},                   {"nonce", nonce},
      {"code_challenge", code_challenge}, {"code_challenge_method", "S256"},
  };
  params.insert(params.end(), extra.begin(), extra.end());
  std::string url = metadata.authorization_endpoint;
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  if (!url.empty() && (url.back() == '?' || url.back() == '&')) sep = '\0';
  for (const auto& [name, value] : params) {
    if (sep != '\0') url += sep;
    url += PercentEncode(name) + "=" + PercentEncode(value);
    sep = '&';
  }
  return url;
}

std::unique_ptr<HttpClient> CurlHttpClient(int timeout_seconds) {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return std::make_unique<CurlClient>(timeout_seconds);
}

Result<TokenResponse> ExchangeCode(HttpClient& http, const ProviderMetadata& metadata, const std::string& client_id,
                                   const std::string& client_secret, const std::string& code,
                                   const std::string& redirect_uri, const std::string& code_verifier) {
  auto body = http.PostForm(metadata.token_endpoint,
                            {{"grant_type", "authorization_code"},
                             {"code", code},
                             {"redirect_uri", redirect_uri},
                             {"code_verifier", code_verifier}},
                            PercentEncode(client_id), PercentEncode(client_secret));
  if (!body.ok()) return body.error().At("token request");
  return ReadTokenResponse(*body);
}

// ---- Provider ----

Provider::Provider(ProviderConfig config, HttpClient& http) : config_(std::move(config)), http_(http) {}

Result<ProviderMetadata> Provider::Metadata() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (have_metadata_) return metadata_;
  }
  std::lock_guard<std::mutex> fetching(fetch_mu_);
  return MetadataLocked();
}

Result<ProviderMetadata> Provider::MetadataLocked() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (have_metadata_) return metadata_;  // another thread fetched it while we waited
  }
  std::string base = config_.issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto body = http_.Get(base + "/.well-known/openid-configuration");
  if (!body.ok()) return body.error().At("oidc discovery");
  TING_ASSIGN_OR_RETURN(ProviderMetadata md, ParseDiscovery(*body, config_.issuer));
  std::lock_guard<std::mutex> lock(mu_);
  metadata_ = md;
  have_metadata_ = true;
  return md;
}

Status Provider::FetchJwksLocked(int64_t now) {
  TING_ASSIGN_OR_RETURN(ProviderMetadata md, MetadataLocked());
  auto body = http_.Get(md.jwks_uri);
  if (!body.ok()) return body.error().At("oidc jwks");
  auto keys = ParseJwks(*body);
  if (!keys.ok()) return keys.error().At(md.jwks_uri);
  std::lock_guard<std::mutex> lock(mu_);
  keys_ = std::move(*keys);
  have_keys_ = true;
  keys_fetched_at_ = now;
  return Status::Ok();
}

Result<TokenResponse> Provider::ExchangeCode(const std::string& code, const std::string& redirect_uri,
                                             const std::string& code_verifier) {
  TING_ASSIGN_OR_RETURN(ProviderMetadata md, Metadata());
  return oidc::ExchangeCode(http_, md, config_.client_id, config_.client_secret, code, redirect_uri, code_verifier);
}

Result<nlohmann::json> Provider::Verify(std::string_view id_token, const std::string& nonce, int64_t now) {
  const std::string kid = JwtKeyId(id_token);
  // Whether the cached keys need a (re)fetch. REQUIRES: mu_ held.
  auto need_fetch = [&] {
    if (!have_keys_) return true;
    if (kid.empty()) return false;
    bool known = std::any_of(keys_.begin(), keys_.end(), [&](const Jwk& k) { return k.kid == kid; });
    return !known && now - keys_fetched_at_ >= config_.jwks_refetch_interval_seconds;
  };
  bool fetch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fetch = need_fetch();
  }
  if (fetch) {
    std::lock_guard<std::mutex> fetching(fetch_mu_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      fetch = need_fetch();  // another thread may have fetched while we waited
    }
    if (fetch) TING_RETURN_IF_ERROR(FetchJwksLocked(now));
  }
  std::vector<Jwk> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    keys = keys_;  // shared_ptr copies: verification runs without the lock
  }
  Expectations want;
  want.issuer = config_.issuer;
  want.audience = config_.client_id;
  want.nonce = nonce;
  want.now = now;
  return VerifyIdToken(id_token, keys, want);
}

}  // namespace ting::oidc
