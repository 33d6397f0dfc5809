#pragma once
// An OpenID Connect relying party (authorization code flow with PKCE, client_secret_basic), for
// Swedish eID (BankID, Freja) through a broker such as Criipto. The pieces, in the order a login
// uses them:
//   Provider::Metadata()   discovery (.well-known/openid-configuration), cached
//   NewPkce, RandomUrlToken  the verifier, state and nonce kept in the person's session
//   AuthorizationUrl       where the browser is sent
//   ExchangeCode           the code from the callback, traded for an id token
//   Provider::Verify       the id token's signature (RS256/ES256 against the provider's JWKS,
//                          refetched once when a key is unknown) and its claims
// Nothing here trusts a token before its signature verifies, and a token's header never picks a
// key: only keys from the JWKS, of the kind the algorithm needs, are tried. Header parameters
// that point at keys (jku, jwk, x5u, x5c) are ignored.
//
// Every function returns its errors as values. VerifyIdToken's refusals are kUnauthenticated
// with a catalogue key (Error::key) of "oidc.bad_signature", "oidc.wrong_issuer",
// "oidc.wrong_audience", "oidc.wrong_nonce", "oidc.expired" or "oidc.malformed", and an English
// detail for logs in Error::message.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ting/base/result.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace ting::oidc {

// ---- Keys and id tokens ------------------------------------------------------------------------

// One verification key from a JWKS.
struct Jwk {
  std::string kid;  // "" when the JWKS gives none
  std::string kty;  // "RSA" or "EC" (EC keys are always P-256)
  std::string alg;  // "" when the JWKS gives none; otherwise the only algorithm the key is for
  std::shared_ptr<evp_pkey_st> key;  // the public key (an EVP_PKEY; freed with EVP_PKEY_free)
};

// The keys of a JWKS document ({"keys": [...]}). RSA keys (n, e) and EC P-256 keys (x, y) are
// read; keys of other kinds or curves, and keys whose "use" is not "sig", are skipped. Malformed
// JSON, a missing member or bad base64url in a key we read is an Error (kMalformed).
Result<std::vector<Jwk>> ParseJwks(std::string_view json);

struct Expectations {
  std::string issuer;    // iss must equal this exactly
  std::string audience;  // our client id: aud must contain it, and azp (if any) equal it
  std::string nonce;     // the nonce sent in the authorization request; must not be ""
  int64_t now = 0;       // Unix seconds; must be set
  int64_t leeway_seconds = 60;  // clock skew allowed on exp, iat and nbf
};

// The claims of an id token (a compact JWS) once its signature verifies under one of keys and
// its claims meet expectations. Accepted algorithms: RS256 (RSA keys of 2048 bits or more) and
// ES256 (P-256; the JWS signature is r||s, 64 bytes). When the header has a kid only the key
// with that kid is tried, otherwise every key of the algorithm's type.
// Refusals (code kUnauthenticated), by key:
//   oidc.malformed      not a JWS, not JSON, a "crit" header, no exp, iat or sub
//   oidc.bad_signature  an algorithm other than RS256/ES256 ("none", HS256, ...), unknown kid,
//                       no fitting key, or a signature that does not verify
//   oidc.wrong_issuer   iss is not expectations.issuer
//   oidc.wrong_audience aud does not contain the audience, several audiences without azp, or an
//                       azp that is not the audience
//   oidc.wrong_nonce    nonce missing or different
//   oidc.expired        exp has passed, iat lies in the future, or nbf has not come yet (each
//                       with leeway)
// An empty expectations.nonce or a zero now is the caller's mistake: kInvalidArgument.
Result<nlohmann::json> VerifyIdToken(std::string_view jwt, const std::vector<Jwk>& keys,
                                     const Expectations& expectations);

// The kid in a JWS header, or "" when there is none or the header cannot be read. It is not
// verified: use it only to decide whether the key set needs a refresh.
std::string JwtKeyId(std::string_view jwt);

// ---- Random values and PKCE (RFC 7636) ----------------------------------------------------------

// base64url (no padding) of `bytes` random bytes from OpenSSL's CSPRNG, for state and nonce.
// Aborts the process if the CSPRNG fails: a predictable token would be worse.
std::string RandomUrlToken(size_t bytes = 32);

struct Pkce {
  std::string verifier;   // kept in the session, sent with the code
  std::string challenge;  // sent in the authorization URL (method S256)
};
// A fresh verifier (43 characters, 32 random bytes) and its challenge.
Pkce NewPkce();
// base64url(SHA-256(verifier)), no padding.
std::string PkceChallenge(std::string_view verifier);

// base64url without padding (RFC 4648 section 5).
std::string Base64UrlEncode(std::string_view bytes);
// Decodes base64url; padding is tolerated, any other character outside the alphabet is an Error.
Result<std::string> Base64UrlDecode(std::string_view text);
// Percent-encodes everything but the unreserved characters (A-Z a-z 0-9 - . _ ~), for query
// strings and application/x-www-form-urlencoded bodies.
std::string PercentEncode(std::string_view s);

// ---- Discovery and the authorization request ----------------------------------------------------

struct ProviderMetadata {
  std::string issuer, authorization_endpoint, token_endpoint, jwks_uri;
};

// Reads a discovery document. All four members are required, issuer must equal expected_issuer
// exactly (OpenID Connect Discovery 4.3), and every URL must be https, or http to a loopback host
// (127.0.0.1, [::1], localhost) for tests: a token endpoint over plain http would leak the client
// secret.
Result<ProviderMetadata> ParseDiscovery(std::string_view json, const std::string& expected_issuer);

// The URL to send the browser to: response_type=code, client_id, redirect_uri, scope (space
// separated, e.g. "openid"), state, nonce, code_challenge and code_challenge_method=S256, then
// extra parameters (e.g. {"acr_values", "urn:grn:authn:se:bankid:same-device"}, "ui_locales").
// Every value is percent-encoded; the endpoint may already carry a query string.
std::string AuthorizationUrl(const ProviderMetadata& metadata, const std::string& client_id,
                             const std::string& redirect_uri, const std::string& scopes,
                             const std::string& state, const std::string& nonce,
                             const std::string& code_challenge,
                             const std::vector<std::pair<std::string, std::string>>& extra = {});

// ---- HTTP --------------------------------------------------------------------------------------

// What the relying party needs of HTTP, so tests can stand in for the network.
// Contract for implementations: a 2xx answer gives its body; any other answer is an Error: a 4xx
// answer to PostForm is kUnauthenticated with the body's OAuth "error" (RFC 6749 5.2) in the
// message, everything else (other statuses, transport failures, oversized bodies) kIoError.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<std::string> Get(const std::string& url) = 0;
  // POSTs form as application/x-www-form-urlencoded (names and values are encoded here). When
  // basic_user is not "", sends HTTP Basic credentials exactly as given.
  virtual Result<std::string> PostForm(const std::string& url,
                                       const std::vector<std::pair<std::string, std::string>>& form,
                                       const std::string& basic_user,
                                       const std::string& basic_password) = 0;
};

// libcurl: one easy handle per call (so the client may be shared between threads), http and
// https only, TLS verification on, no redirects followed, bodies up to 1 MiB, timeout_seconds
// for the whole transfer.
std::unique_ptr<HttpClient> CurlHttpClient(int timeout_seconds = 10);

struct TokenResponse {
  std::string id_token, access_token;
};

// The token request (RFC 6749 4.1.3) with grant_type=authorization_code and the PKCE verifier,
// authenticated with client_secret_basic: client id and secret are form-url-encoded before they
// become the Basic user and password (RFC 6749 2.3.1). A response without an id_token is
// kMalformed.
Result<TokenResponse> ExchangeCode(HttpClient& http, const ProviderMetadata& metadata,
                                   const std::string& client_id, const std::string& client_secret,
                                   const std::string& code, const std::string& redirect_uri,
                                   const std::string& code_verifier);

// ---- One provider, cached -----------------------------------------------------------------------

struct ProviderConfig {
  std::string issuer;  // e.g. "https://ting.criipto.id" (no trailing slash, as the provider says)
  std::string client_id;
  std::string client_secret;
  // An unknown kid makes Verify refetch the JWKS (key rotation), but not more often than this, so
  // tokens with made-up kids cannot make us hammer the provider.
  int64_t jwks_refetch_interval_seconds = 60;
};

// A provider's metadata and keys, fetched on first use and kept. Failed fetches are not cached:
// the next call tries again.
// Thread safety: all methods may be called from several threads at once. At most one fetch runs
// at a time; verifications with known keys never wait for a fetch.
class Provider {
 public:
  // REQUIRES: http outlives the Provider.
  Provider(ProviderConfig config, HttpClient& http);

  const ProviderConfig& config() const { return config_; }

  Result<ProviderMetadata> Metadata();

  // ExchangeCode with this provider's endpoint and credentials.
  Result<TokenResponse> ExchangeCode(const std::string& code, const std::string& redirect_uri,
                                     const std::string& code_verifier);

  // VerifyIdToken against this provider's issuer, the client id as audience and the provider's
  // keys; `now` in Unix seconds. A kid not among the cached keys refetches the JWKS once (see
  // jwks_refetch_interval_seconds); a failed refetch is returned as its kIoError.
  Result<nlohmann::json> Verify(std::string_view id_token, const std::string& nonce, int64_t now);

 private:
  Result<ProviderMetadata> MetadataLocked();  // REQUIRES: fetch_mu_ held
  Status FetchJwksLocked(int64_t now);         // REQUIRES: fetch_mu_ held

  const ProviderConfig config_;
  HttpClient& http_;

  std::mutex fetch_mu_;  // serialises fetches; taken before mu_, never while holding it
  std::mutex mu_;        // guards the members below
  bool have_metadata_ = false;
  ProviderMetadata metadata_;
  bool have_keys_ = false;
  std::vector<Jwk> keys_;
  int64_t keys_fetched_at_ = 0;
};

}  // namespace ting::oidc
