// JWKS, JWS verification of id tokens, PKCE and the base64url/percent encodings.

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "ting/oidc/oidc.h"

namespace ting::oidc {
namespace {

using json = nlohmann::json;

// An id token is a few KiB; anything far larger is not one of ours.
constexpr size_t kMaxTokenBytes = 64 * 1024;
constexpr int kMinRsaBits = 2048;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

Error Malformed(std::string message) { return Error::Of(ErrorCode::kMalformed, std::move(message)); }

// A refusal of a token: the catalogue key for people, a distinct English detail for logs.
Error Refuse(const char* key, std::string message) {
  Error e = Error::Say(ErrorCode::kUnauthenticated, key);
  e.message = "id token refused: " + std::move(message);
  return e;
}

// Text from an unverified token, made safe to log: printable ASCII, at most 64 characters.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > 64) out += "...";
  return out;
}

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::shared_ptr<evp_pkey_st> OwnKey(EVP_PKEY* key) {
  return std::shared_ptr<evp_pkey_st>(key, EVP_PKEY_free);
}

Result<std::string> DecodeMember(const json& key, const char* name) {
  auto it = key.find(name);
  if (it == key.end() || !it->is_string()) return Malformed(std::string("jwks: a key has no \"") + name + "\"");
  auto bytes = Base64UrlDecode(it->get_ref<const std::string&>());
  if (!bytes.ok()) return Malformed(std::string("jwks: \"") + name + "\" is not base64url");
  if (bytes->empty()) return Malformed(std::string("jwks: \"") + name + "\" is empty");
  return bytes;
}

BnPtr ToBn(const std::string& bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
}

// A public key from OSSL_PARAMs (EVP_PKEY_fromdata); nullptr when OpenSSL refuses them.
std::shared_ptr<evp_pkey_st> KeyFromParams(const char* type, OSSL_PARAM_BLD* bld) {
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) return nullptr;
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) return nullptr;
  return OwnKey(key);
}

Result<std::shared_ptr<evp_pkey_st>> RsaKey(const json& jwk) {
  TING_ASSIGN_OR_RETURN(std::string n, DecodeMember(jwk, "n"));
  TING_ASSIGN_OR_RETURN(std::string e, DecodeMember(jwk, "e"));
  BnPtr bn_n = ToBn(n), bn_e = ToBn(e);
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return Error::Internal("jwks: out of memory building an RSA key");
  }
  auto key = KeyFromParams("RSA", bld.get());
  if (!key) return Malformed("jwks: OpenSSL refuses an RSA key");
  return key;
}

Result<std::shared_ptr<evp_pkey_st>> P256Key(const json& jwk) {
  TING_ASSIGN_OR_RETURN(std::string x, DecodeMember(jwk, "x"));
  TING_ASSIGN_OR_RETURN(std::string y, DecodeMember(jwk, "y"));
  if (x.size() != 32 || y.size() != 32) return Malformed("jwks: a P-256 coordinate is not 32 bytes");
  std::string point = "\x04" + x + y;  // SEC 1 uncompressed point
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    return Error::Internal("jwks: out of memory building an EC key");
  }
  auto key = KeyFromParams("EC", bld.get());
  if (!key) return Malformed("jwks: OpenSSL refuses an EC key (not a point on P-256?)");
  return key;
}

// The JWS signature of ES256 is r||s (RFC 7518 3.4); OpenSSL verifies DER.
std::string EcdsaRawToDer(std::string_view raw) {
  auto r = BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr));
  auto s = BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || !ECDSA_SIG_set0(sig.get(), r.get(), s.get())) return "";
  r.release();  // owned by sig now
  s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return "";
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

// Whether jwk may verify a token of alg: its JWKS type, its declared alg (if any) and the
// EVP_PKEY itself must all fit, whatever the token's header says.
bool KeyFitsAlg(const Jwk& jwk, const std::string& alg) {
  if (!jwk.key) return false;
  if (!jwk.alg.empty() && jwk.alg != alg) return false;
  EVP_PKEY* key = jwk.key.get();
  if (alg == "RS256") {
    return jwk.kty == "RSA" && EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) >= kMinRsaBits;
  }
  if (alg == "ES256") {
    if (jwk.kty != "EC" || !EVP_PKEY_is_a(key, "EC")) return false;
    char group[64] = {};
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len)) return false;
    return std::string_view(group, len) == "prime256v1";
  }
  return false;
}

bool SignatureVerifies(EVP_PKEY* key, std::string_view signed_part, const std::string& signature) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
}

struct Jws {
  std::string_view signed_part;  // header.payload, as sent
  std::string_view payload_b64;
  std::string signature;
  json header;
};

Result<Jws> SplitJws(std::string_view jwt) {
  if (jwt.size() > kMaxTokenBytes) return Refuse("oidc.malformed", "larger than 64 KiB");
  size_t dot1 = jwt.find('.');
  size_t dot2 = dot1 == std::string_view::npos ? dot1 : jwt.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || jwt.find('.', dot2 + 1) != std::string_view::npos) {
    return Refuse("oidc.malformed", "not three dot-separated parts (a compact JWS)");
  }
  Jws jws;
  jws.signed_part = jwt.substr(0, dot2);
  jws.payload_b64 = jwt.substr(dot1 + 1, dot2 - dot1 - 1);
  auto header = Base64UrlDecode(jwt.substr(0, dot1));
  if (!header.ok()) return Refuse("oidc.malformed", "header is not base64url");
  jws.header = json::parse(*header, nullptr, false);
  if (!jws.header.is_object()) return Refuse("oidc.malformed", "header is not a JSON object");
  auto signature = Base64UrlDecode(jwt.substr(dot2 + 1));
  if (!signature.ok()) return Refuse("oidc.malformed", "signature is not base64url");
  jws.signature = std::move(*signature);
  return jws;
}

// A NumericDate claim (RFC 7519 2): a JSON number of seconds, possibly with a fraction.
std::optional<int64_t> NumericDate(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (it->is_number_float()) {
    double v = it->get<double>();
    if (!std::isfinite(v) || std::fabs(v) > 9e18) return std::nullopt;
    return static_cast<int64_t>(std::floor(v));
  }
  return std::nullopt;
}

const std::string* StringClaim(const json& claims, const char* name) {
  auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

Status CheckClaims(const json& claims, const Expectations& want) {
  const std::string* iss = StringClaim(claims, "iss");
  if (iss == nullptr) return Refuse("oidc.wrong_issuer", "no iss");
  if (*iss != want.issuer) {
    return Refuse("oidc.wrong_issuer", "iss \"" + Printable(*iss) + "\" is not \"" + want.issuer + "\"");
  }

  auto aud = claims.find("aud");
  size_t audiences = 0;
  bool ours = false;
  if (aud != claims.end() && aud->is_string()) {
    audiences = 1;
    ours = aud->get_ref<const std::string&>() == want.audience;
  } else if (aud != claims.end() && aud->is_array()) {
    for (const json& a : *aud) {
      if (!a.is_string()) return Refuse("oidc.wrong_audience", "aud holds something other than strings");
      ++audiences;
      ours = ours || a.get_ref<const std::string&>() == want.audience;
    }
  }
  if (!ours) return Refuse("oidc.wrong_audience", "aud does not name our client id");
  const std::string* azp = StringClaim(claims, "azp");
  if (audiences > 1 && azp == nullptr) return Refuse("oidc.wrong_audience", "several audiences but no azp");
  if (claims.contains("azp") && (azp == nullptr || *azp != want.audience)) {
    return Refuse("oidc.wrong_audience", "azp is not our client id");
  }

  auto exp = NumericDate(claims, "exp");
  auto iat = NumericDate(claims, "iat");
  const std::string* sub = StringClaim(claims, "sub");
  if (!exp) return Refuse("oidc.malformed", "no exp (or not a NumericDate)");
  if (!iat) return Refuse("oidc.malformed", "no iat (or not a NumericDate)");
  if (sub == nullptr || sub->empty()) return Refuse("oidc.malformed", "no sub");
  if (want.now - want.leeway_seconds >= *exp) {
    return Refuse("oidc.expired", "expired at " + std::to_string(*exp) + ", now is " + std::to_string(want.now));
  }
  if (*iat > want.now + want.leeway_seconds) {
    return Refuse("oidc.expired",
                  "issued in the future (iat " + std::to_string(*iat) + ", now is " + std::to_string(want.now) + ")");
  }
  if (claims.contains("nbf")) {
    auto nbf = NumericDate(claims, "nbf");
    if (!nbf) return Refuse("oidc.malformed", "nbf is not a NumericDate");
    if (*nbf > want.now + want.leeway_seconds) {
      return Refuse("oidc.expired",
                    "not valid before " + std::to_string(*nbf) + ", now is " + std::to_string(want.now));
    }
  }

  const std::string* nonce = StringClaim(claims, "nonce");
  if (nonce == nullptr) return Refuse("oidc.wrong_nonce", "no nonce");
  if (*nonce != want.nonce) return Refuse("oidc.wrong_nonce", "nonce is not the one we sent");
  return Status::Ok();
}

Result<nlohmann::json> VerifyIdTokenOrThrow(std::string_view jwt, const std::vector<Jwk>& keys,
                                            const Expectations& want) {
  if (want.nonce.empty()) return Error::Invalid("VerifyIdToken: Expectations.nonce is empty");
  if (want.now <= 0) return Error::Invalid("VerifyIdToken: Expectations.now is not set");

  TING_ASSIGN_OR_RETURN(Jws jws, SplitJws(jwt));
  auto alg_it = jws.header.find("alg");
  if (alg_it == jws.header.end() || !alg_it->is_string()) return Refuse("oidc.malformed", "header has no alg");
  const std::string& alg = alg_it->get_ref<const std::string&>();
  if (alg != "RS256" && alg != "ES256") {
    return Refuse("oidc.bad_signature", "alg \"" + Printable(alg) + "\" is not accepted (only RS256 and ES256)");
  }
  // RFC 7515 4.1.11: extensions we do not understand must not be ignored.
  if (jws.header.contains("crit")) return Refuse("oidc.malformed", "header has crit extensions");
  auto kid_it = jws.header.find("kid");
  if (kid_it != jws.header.end() && !kid_it->is_string()) return Refuse("oidc.malformed", "header kid is not a string");

  std::vector<const Jwk*> candidates;
  if (kid_it != jws.header.end()) {
    const std::string& kid = kid_it->get_ref<const std::string&>();
    for (const Jwk& k : keys) {
      if (k.kid == kid) candidates.push_back(&k);
    }
    if (candidates.empty()) return Refuse("oidc.bad_signature", "no key with kid \"" + Printable(kid) + "\"");
    std::erase_if(candidates, [&](const Jwk* k) { return !KeyFitsAlg(*k, alg); });
    if (candidates.empty()) {
      return Refuse("oidc.bad_signature", "the key with kid \"" + Printable(kid) + "\" is not for " + alg);
    }
  } else {
    for (const Jwk& k : keys) {
      if (KeyFitsAlg(k, alg)) candidates.push_back(&k);
    }
    if (candidates.empty()) return Refuse("oidc.bad_signature", "no key for " + alg);
  }

  std::string signature = jws.signature;
  if (alg == "ES256") {
    if (signature.size() != 64) return Refuse("oidc.bad_signature", "ES256 signature is not 64 bytes");
    signature = EcdsaRawToDer(signature);
    if (signature.empty()) return Error::Internal("VerifyIdToken: cannot encode an ECDSA signature");
  }
  bool verified = false;
  for (const Jwk* k : candidates) {
    if (SignatureVerifies(k->key.get(), jws.signed_part, signature)) {
      verified = true;
      break;
    }
  }
  if (!verified) return Refuse("oidc.bad_signature", "the " + alg + " signature does not verify");

  // From here on the payload is the provider's own words.
  auto payload = Base64UrlDecode(jws.payload_b64);
  if (!payload.ok()) return Refuse("oidc.malformed", "payload is not base64url");
  json claims = json::parse(*payload, nullptr, false);
  if (!claims.is_object()) return Refuse("oidc.malformed", "payload is not a JSON object");
  TING_RETURN_IF_ERROR(CheckClaims(claims, want));
  return claims;
}

Result<std::vector<Jwk>> ParseJwksOrThrow(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return Malformed("jwks: not a JSON object");
  auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) return Malformed("jwks: no \"keys\" array");
  std::vector<Jwk> out;
  for (const json& k : *keys) {
    if (!k.is_object()) return Malformed("jwks: a key is not an object");
    const std::string* kty = StringClaim(k, "kty");
    if (kty == nullptr) return Malformed("jwks: a key has no kty");
    const std::string* use = StringClaim(k, "use");
    if (k.contains("use") && (use == nullptr || *use != "sig")) continue;  // an encryption key
    Jwk jwk;
    jwk.kty = *kty;
    if (const std::string* kid = StringClaim(k, "kid")) jwk.kid = *kid;
    if (const std::string* alg = StringClaim(k, "alg")) jwk.alg = *alg;
    if (*kty == "RSA") {
      TING_ASSIGN_OR_RETURN(jwk.key, RsaKey(k));
    } else if (*kty == "EC") {
      const std::string* crv = StringClaim(k, "crv");
      if (crv == nullptr || *crv != "P-256") continue;
      TING_ASSIGN_OR_RETURN(jwk.key, P256Key(k));
    } else {
      continue;  // "oct", "OKP", ...: not a kind we verify with
    }
    out.push_back(std::move(jwk));
  }
  return out;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

Result<std::string> Base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return Malformed("base64url: impossible length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = DecodeChar(c);
    if (v < 0) return Malformed("base64url: character outside the alphabet");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' || u == '.' ||
        u == '_' || u == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

Result<std::vector<Jwk>> ParseJwks(std::string_view json) {
  // Failures leave OpenSSL's per-thread error queue clean for the next user (TLS reads it).
  struct ClearErrors { ~ClearErrors() { ERR_clear_error(); } } clear_errors;
  try {
    return ParseJwksOrThrow(json);
  } catch (const std::exception& e) {  // nlohmann type errors we did not foresee; never let one out
    return Malformed(std::string("jwks: ") + e.what());
  }
}

Result<nlohmann::json> VerifyIdToken(std::string_view jwt, const std::vector<Jwk>& keys,
                                     const Expectations& expectations) {
  struct ClearErrors { ~ClearErrors() { ERR_clear_error(); } } clear_errors;
  try {
    return VerifyIdTokenOrThrow(jwt, keys, expectations);
  } catch (const std::exception& e) {
    return Refuse("oidc.malformed", e.what());
  }
}

std::string JwtKeyId(std::string_view jwt) {
  auto jws = SplitJws(jwt);
  if (!jws.ok()) return "";
  auto kid = jws->header.find("kid");
  return kid != jws->header.end() && kid->is_string() ? kid->get<std::string>() : "";
}

std::string RandomUrlToken(size_t bytes) {
  std::string buf(bytes, '\0');
  if (bytes > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(buf.data()), static_cast<int>(bytes)) != 1) {
    std::abort();  // no entropy: refuse to hand out guessable state, nonces or verifiers
  }
  return Base64UrlEncode(buf);
}

std::string PkceChallenge(std::string_view verifier) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(verifier.data(), verifier.size(), digest, &len, EVP_sha256(), nullptr) != 1) std::abort();
  return Base64UrlEncode(std::string_view(reinterpret_cast<char*>(digest), len));
}

Pkce NewPkce() {
  Pkce p;
  p.verifier = RandomUrlToken(32);
  p.challenge = PkceChallenge(p.verifier);
  return p;
}

}  // namespace ting::oidc
