#include "ting/oidc/oidc.h"

#include <gtest/gtest.h>

#include "fixture.h"

#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <thread>

extern char** environ;

namespace ting::oidc {
namespace {

using json = nlohmann::json;
using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

constexpr int64_t kNow = 1780000000;
const char kIssuer[] = "https://idp.example";
const char kClient[] = "client-1";
const char kNonce[] = "n-123";

// ---- Keys and tokens made here, with OpenSSL, independently of the library's verifier ----

PkeyPtr NewRsa(size_t bits = 2048) {
  return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits), EVP_PKEY_free);
}
PkeyPtr NewP256() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free); }

std::string BnParam(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1) << name;
  std::string out(pad ? pad : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

json JwkJson(EVP_PKEY* key, const std::string& kid) {
  json j = {{"kid", kid}, {"use", "sig"}};
  if (EVP_PKEY_is_a(key, "RSA")) {
    j["kty"] = "RSA";
    j["n"] = Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_RSA_N));
    j["e"] = Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_RSA_E));
  } else {
    j["kty"] = "EC";
    j["crv"] = "P-256";
    j["x"] = Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_EC_PUB_X, 32));
    j["y"] = Base64UrlEncode(BnParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32));
  }
  return j;
}

// SHA-256 signature; for EC keys converted from OpenSSL's DER to JWS's r||s.
std::string Sign(EVP_PKEY* key, std::string_view data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key), 1);
  size_t len = 0;
  auto* in = reinterpret_cast<const unsigned char*>(data.data());
  EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &len, in, data.size()), 1);
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in, data.size()), 1);
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (!EVP_PKEY_is_a(key, "EC")) return sig;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(ecdsa);
  return raw;
}

std::string Unsigned(const json& header, const json& claims) {
  return Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
}
std::string Token(const json& header, const json& claims, EVP_PKEY* key) {
  std::string head = Unsigned(header, claims);
  return head + "." + Base64UrlEncode(Sign(key, head));
}

struct TestKeys {
  PkeyPtr rsa = NewRsa(), rsa_other = NewRsa(), rsa_weak = NewRsa(1024);
  PkeyPtr ec = NewP256(), ec_other = NewP256();
};
const TestKeys& Keys() {
  static const TestKeys* keys = new TestKeys;  // generated once: RSA key generation is slow
  return *keys;
}

json GoodClaims() {
  return {{"iss", kIssuer}, {"aud", kClient}, {"sub", "197001011234"}, {"nonce", kNonce},
          {"iat", kNow - 5},  {"exp", kNow + 300}, {"name", "Klara Svensson"}};
}
json RsHeader() { return {{"alg", "RS256"}, {"kid", "r1"}, {"typ", "JWT"}}; }
json EsHeader() { return {{"alg", "ES256"}, {"kid", "e1"}}; }

Expectations Want() {
  Expectations w;
  w.issuer = kIssuer;
  w.audience = kClient;
  w.nonce = kNonce;
  w.now = kNow;
  return w;
}

std::vector<Jwk> JwksOf(const json& doc) {
  auto keys = ParseJwks(doc.dump());
  EXPECT_TRUE(keys.ok()) << (keys.ok() ? "" : keys.error().message);
  return keys.ok() ? *keys : std::vector<Jwk>{};
}
std::vector<Jwk> TestJwks() {
  return JwksOf({{"keys", {JwkJson(Keys().rsa.get(), "r1"), JwkJson(Keys().ec.get(), "e1"),
                           JwkJson(Keys().rsa_weak.get(), "weak")}}});
}

// The catalogue key of a refusal, or "ok".
std::string Outcome(const std::string& jwt, const Expectations& want = Want()) {
  auto r = VerifyIdToken(jwt, TestJwks(), want);
  if (r.ok()) return "ok";
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated) << r.error().message;
  return r.error().key;
}

TEST(IdToken, ValidRs256AndEs256Pass) {
  auto keys = TestJwks();
  auto rs = VerifyIdToken(Token(RsHeader(), GoodClaims(), Keys().rsa.get()), keys, Want());
  ASSERT_TRUE(rs.ok()) << rs.error().message;
  EXPECT_EQ((*rs)["sub"], "197001011234");
  EXPECT_EQ((*rs)["name"], "Klara Svensson");
  auto es = VerifyIdToken(Token(EsHeader(), GoodClaims(), Keys().ec.get()), keys, Want());
  ASSERT_TRUE(es.ok()) << es.error().message;
  EXPECT_EQ((*es)["sub"], "197001011234");
}

TEST(IdToken, WithoutKidEveryKeyOfTheTypeIsTried) {
  EXPECT_EQ(Outcome(Token({{"alg", "RS256"}}, GoodClaims(), Keys().rsa.get())), "ok");
  EXPECT_EQ(Outcome(Token({{"alg", "ES256"}}, GoodClaims(), Keys().ec.get())), "ok");
  EXPECT_EQ(Outcome(Token({{"alg", "RS256"}}, GoodClaims(), Keys().rsa_other.get())), "oidc.bad_signature");
}

TEST(IdToken, TamperedPayloadIsRefused) {
  for (bool ec : {false, true}) {
    std::string jwt = Token(ec ? EsHeader() : RsHeader(), GoodClaims(), ec ? Keys().ec.get() : Keys().rsa.get());
    json other = GoodClaims();
    other["sub"] = "198001011234";
    std::string forged = Unsigned(ec ? EsHeader() : RsHeader(), other) + jwt.substr(jwt.rfind('.'));
    EXPECT_EQ(Outcome(forged), "oidc.bad_signature") << ec;
  }
}

TEST(IdToken, SignedByAnotherKeyIsRefused) {
  EXPECT_EQ(Outcome(Token(RsHeader(), GoodClaims(), Keys().rsa_other.get())), "oidc.bad_signature");
  EXPECT_EQ(Outcome(Token(EsHeader(), GoodClaims(), Keys().ec_other.get())), "oidc.bad_signature");
}

TEST(IdToken, AlgNoneAndHmacAreRefused) {
  EXPECT_EQ(Outcome(Unsigned({{"alg", "none"}}, GoodClaims()) + "."), "oidc.bad_signature");
  EXPECT_EQ(Outcome(Unsigned({{"alg", "none"}, {"kid", "r1"}}, GoodClaims()) + "."), "oidc.bad_signature");
  // The classic confusion: HMAC keyed with the public key's bytes.
  std::string head = Unsigned({{"alg", "HS256"}, {"kid", "r1"}}, GoodClaims());
  std::string n = BnParam(Keys().rsa.get(), OSSL_PKEY_PARAM_RSA_N);
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), n.data(), static_cast<int>(n.size()), reinterpret_cast<const unsigned char*>(head.data()),
       head.size(), mac, &len);
  EXPECT_EQ(Outcome(head + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), len))),
            "oidc.bad_signature");
}

TEST(IdToken, HeaderAlgNeverPicksAnotherKeyType) {
  // ES256 claimed for the RSA key's kid, and RS256 for the EC key's.
  EXPECT_EQ(Outcome(Token({{"alg", "ES256"}, {"kid", "r1"}}, GoodClaims(), Keys().ec.get())), "oidc.bad_signature");
  EXPECT_EQ(Outcome(Token({{"alg", "RS256"}, {"kid", "e1"}}, GoodClaims(), Keys().rsa.get())), "oidc.bad_signature");
  // A JWKS alg restricts its key.
  json jwk = JwkJson(Keys().rsa.get(), "r1");
  jwk["alg"] = "RS512";
  auto keys = JwksOf({{"keys", {jwk}}});
  auto r = VerifyIdToken(Token(RsHeader(), GoodClaims(), Keys().rsa.get()), keys, Want());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().key, "oidc.bad_signature");
}

TEST(IdToken, WeakRsaKeysAreRefused) {
  EXPECT_EQ(Outcome(Token({{"alg", "RS256"}, {"kid", "weak"}}, GoodClaims(), Keys().rsa_weak.get())),
            "oidc.bad_signature");
}

TEST(IdToken, UnknownKidIsRefused) {
  EXPECT_EQ(Outcome(Token({{"alg", "RS256"}, {"kid", "r9"}}, GoodClaims(), Keys().rsa.get())), "oidc.bad_signature");
}

std::string RsWith(const std::function<void(json&)>& change) {
  json claims = GoodClaims();
  change(claims);
  return Token(RsHeader(), claims, Keys().rsa.get());
}

TEST(IdToken, ClaimsAreChecked) {
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["iss"] = "https://idp.example/"; })), "oidc.wrong_issuer");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c.erase("iss"); })), "oidc.wrong_issuer");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["aud"] = "client-2"; })), "oidc.wrong_audience");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c.erase("aud"); })), "oidc.wrong_audience");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["aud"] = {kClient}; })), "ok");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["aud"] = {kClient, "other"}; })), "oidc.wrong_audience");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["aud"] = {kClient, "other"}; c["azp"] = kClient; })), "ok");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["aud"] = {kClient, "other"}; c["azp"] = "other"; })), "oidc.wrong_audience");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["azp"] = "other"; })), "oidc.wrong_audience");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["nonce"] = "n-124"; })), "oidc.wrong_nonce");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c.erase("nonce"); })), "oidc.wrong_nonce");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["exp"] = kNow - 61; })), "oidc.expired");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["exp"] = kNow - 30; })), "ok");  // within the leeway
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["iat"] = kNow + 120; })), "oidc.expired");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["iat"] = kNow + 30; })), "ok");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["nbf"] = kNow + 120; })), "oidc.expired");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["exp"] = kNow + 300.5; c["iat"] = kNow - 0.5; })), "ok");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c.erase("exp"); })), "oidc.malformed");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["exp"] = "tomorrow"; })), "oidc.malformed");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c.erase("iat"); })), "oidc.malformed");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c.erase("sub"); })), "oidc.malformed");
  EXPECT_EQ(Outcome(RsWith([](json& c) { c["sub"] = ""; })), "oidc.malformed");
}

TEST(IdToken, MalformedTokensAreRefused) {
  std::string good = Token(RsHeader(), GoodClaims(), Keys().rsa.get());
  for (std::string bad : {std::string(""), std::string("abc"), std::string("a.b"), good + ".x",
                          "!!!." + good.substr(good.find('.') + 1), Base64UrlEncode("not json") + ".e30.",
                          good.substr(0, good.rfind('.')) + ".***", std::string(70000, 'a')}) {
    EXPECT_EQ(Outcome(bad), "oidc.malformed") << bad.substr(0, 40);
  }
  EXPECT_EQ(Outcome(Token({{"alg", "RS256"}, {"kid", "r1"}, {"crit", {"exp"}}}, GoodClaims(), Keys().rsa.get())),
            "oidc.malformed");
  EXPECT_EQ(Outcome(Token({{"alg", "RS256"}, {"kid", 7}}, GoodClaims(), Keys().rsa.get())), "oidc.malformed");
  // A payload that is not an object, correctly signed.
  std::string head = Base64UrlEncode(RsHeader().dump()) + "." + Base64UrlEncode("[1,2]");
  EXPECT_EQ(Outcome(head + "." + Base64UrlEncode(Sign(Keys().rsa.get(), head))), "oidc.malformed");
}

TEST(IdToken, EachRefusalHasItsOwnMessage) {
  std::vector<std::string> tokens = {
      Token(RsHeader(), GoodClaims(), Keys().rsa_other.get()),
      Unsigned({{"alg", "none"}}, GoodClaims()) + ".",
      Token({{"alg", "RS256"}, {"kid", "r9"}}, GoodClaims(), Keys().rsa.get()),
      RsWith([](json& c) { c["iss"] = "x"; }),
      RsWith([](json& c) { c["aud"] = "x"; }),
      RsWith([](json& c) { c["aud"] = {kClient, "x"}; }),
      RsWith([](json& c) { c["nonce"] = "x"; }),
      RsWith([](json& c) { c["exp"] = 1; }),
      RsWith([](json& c) { c["iat"] = kNow + 1000; }),
      RsWith([](json& c) { c.erase("exp"); }),
      RsWith([](json& c) { c.erase("iat"); }),
      RsWith([](json& c) { c.erase("sub"); }),
  };
  std::set<std::string> messages;
  for (const std::string& t : tokens) {
    auto r = VerifyIdToken(t, TestJwks(), Want());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(r.error().message, r.error().key);
    messages.insert(r.error().message);
  }
  EXPECT_EQ(messages.size(), tokens.size());
}

TEST(IdToken, CallerMistakesAreNotRefusals) {
  Expectations no_nonce = Want();
  no_nonce.nonce = "";
  auto r = VerifyIdToken(Token(RsHeader(), GoodClaims(), Keys().rsa.get()), TestJwks(), no_nonce);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  Expectations no_clock = Want();
  no_clock.now = 0;
  EXPECT_FALSE(VerifyIdToken(Token(RsHeader(), GoodClaims(), Keys().rsa.get()), TestJwks(), no_clock).ok());
}

TEST(IdToken, KeyIdIsReadWithoutVerifying) {
  EXPECT_EQ(JwtKeyId(Token(RsHeader(), GoodClaims(), Keys().rsa.get())), "r1");
  EXPECT_EQ(JwtKeyId(Unsigned({{"alg", "none"}}, GoodClaims()) + "."), "");
  EXPECT_EQ(JwtKeyId("garbage"), "");
}

TEST(Jwks, SkipsKindsItDoesNotUse) {
  json rsa = JwkJson(Keys().rsa.get(), "r1");
  json ec = JwkJson(Keys().ec.get(), "e1");
  json p384 = ec;
  p384["crv"] = "P-384";
  json enc = rsa;
  enc["use"] = "enc";
  json doc = {{"keys",
               {rsa, ec, p384, enc, {{"kty", "oct"}, {"k", "c2VjcmV0"}},
                {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}}}}};
  auto keys = ParseJwks(doc.dump());
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].kid, "r1");
  EXPECT_EQ((*keys)[0].kty, "RSA");
  EXPECT_EQ((*keys)[1].kid, "e1");
  EXPECT_EQ((*keys)[1].kty, "EC");
  EXPECT_TRUE((*keys)[1].key != nullptr);
}

TEST(Jwks, MalformedIsAnError) {
  json rsa = JwkJson(Keys().rsa.get(), "r1");
  json bad_n = rsa;
  bad_n["n"] = "not*base64";
  json no_e = rsa;
  no_e.erase("e");
  json ec = JwkJson(Keys().ec.get(), "e1");
  json off_curve = ec;
  off_curve["y"] = Base64UrlEncode(std::string(32, '\x01'));
  json short_x = ec;
  short_x["x"] = Base64UrlEncode("abc");
  for (const std::string& text :
       {std::string("{"), std::string("[]"), std::string("{}"), json({{"keys", {bad_n}}}).dump(),
        json({{"keys", {no_e}}}).dump(), json({{"keys", {off_curve}}}).dump(), json({{"keys", {short_x}}}).dump(),
        json({{"keys", {{{"kid", "no kty"}}}}}).dump()}) {
    auto keys = ParseJwks(text);
    ASSERT_FALSE(keys.ok()) << text.substr(0, 60);
    EXPECT_EQ(keys.error().code, ErrorCode::kMalformed);
  }
}

TEST(Pkce, MatchesRfc7636AppendixB) {
  // RFC 7636 appendix B; Python's hashlib agrees. (The 40-character "...URWbiwCJr-M" once quoted
  // for it cannot be right: base64url of 32 bytes is 43 characters.)
  EXPECT_EQ(PkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  Pkce a = NewPkce(), b = NewPkce();
  EXPECT_EQ(a.verifier.size(), 43u);
  EXPECT_EQ(a.challenge, PkceChallenge(a.verifier));
  EXPECT_NE(a.verifier, b.verifier);
  EXPECT_EQ(a.verifier.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_EQ(RandomUrlToken(16).size(), 22u);
  EXPECT_NE(RandomUrlToken(), RandomUrlToken());
}

TEST(Encoding, Base64UrlRoundTrips) {
  for (std::string s : {std::string(""), std::string("f"), std::string("fo"), std::string("foo"),
                        std::string("\xff\xfe\x00\x01", 4)}) {
    auto back = Base64UrlDecode(Base64UrlEncode(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("Zm8="), "fo");
  EXPECT_FALSE(Base64UrlDecode("Zm8+").ok());
  EXPECT_FALSE(Base64UrlDecode("Z").ok());
  EXPECT_EQ(PercentEncode("a b&c=d/ä~"), "a%20b%26c%3Dd%2F%C3%A4~");
}

ProviderMetadata TestMetadata(std::string authorization_endpoint = "https://idp.example/authorize") {
  return {kIssuer, std::move(authorization_endpoint), "https://idp.example/token", "https://idp.example/jwks"};
}

TEST(AuthorizationUrl, EncodesEveryValue) {
  std::string url = AuthorizationUrl(TestMetadata(), "client 1", "https://ting.example/auth/callback?x=1&y=2",
                                     "openid profile", "st&ate=", "nön+ce",
                                     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                                     {{"acr_values", "urn:grn:authn:se:bankid:same-device"}});
  EXPECT_EQ(url,
            "https://idp.example/authorize?response_type=code&client_id=client%201"
            "&redirect_uri=https%3A%2F%2Fting.example%2Fauth%2Fcallback%3Fx%3D1%26y%3D2"
            "&scope=openid%20profile&state=st%26ate%3D&nonce=n%C3%B6n%2Bce"
            "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
            "&acr_values=urn%3Agrn%3Aauthn%3Ase%3Abankid%3Asame-device");
  std::string with_query = AuthorizationUrl(TestMetadata("https://idp.example/auth?tenant=x"), "c", "r", "openid",
                                            "s", "n", "ch");
  EXPECT_EQ(with_query.rfind("https://idp.example/auth?tenant=x&response_type=code&client_id=c&", 0), 0u)
      << with_query;
}

json Discovery(const std::string& issuer) {
  return {{"issuer", issuer},
          {"authorization_endpoint", issuer + "/authorize"},
          {"token_endpoint", issuer + "/token"},
          {"jwks_uri", issuer + "/jwks"}};
}

TEST(Discovery, ReadsAndChecks) {
  auto md = ParseDiscovery(Discovery(kIssuer).dump(), kIssuer);
  ASSERT_TRUE(md.ok()) << md.error().message;
  EXPECT_EQ(md->token_endpoint, "https://idp.example/token");
  EXPECT_EQ(md->jwks_uri, "https://idp.example/jwks");
  EXPECT_TRUE(ParseDiscovery(Discovery("http://127.0.0.1:8080").dump(), "http://127.0.0.1:8080").ok());

  EXPECT_FALSE(ParseDiscovery(Discovery(kIssuer).dump(), "https://idp.example/").ok());  // exact match
  EXPECT_FALSE(ParseDiscovery(Discovery("https://evil.example").dump(), kIssuer).ok());
  EXPECT_FALSE(ParseDiscovery(Discovery("http://idp.example").dump(), "http://idp.example").ok());  // plain http
  json no_token = Discovery(kIssuer);
  no_token.erase("token_endpoint");
  EXPECT_FALSE(ParseDiscovery(no_token.dump(), kIssuer).ok());
  json http_token = Discovery(kIssuer);
  http_token["token_endpoint"] = "http://idp.example/token";
  EXPECT_FALSE(ParseDiscovery(http_token.dump(), kIssuer).ok());
  json file_jwks = Discovery(kIssuer);
  file_jwks["jwks_uri"] = "file:///etc/passwd";
  EXPECT_FALSE(ParseDiscovery(file_jwks.dump(), kIssuer).ok());
  EXPECT_FALSE(ParseDiscovery("not json", kIssuer).ok());
}

// ---- A stand-in for the network ----

class FakeHttp final : public HttpClient {
 public:
  std::map<std::string, std::string> pages;  // url -> body; absent: kIoError
  std::map<std::string, int> gets;
  std::vector<std::pair<std::string, std::string>> last_form;
  std::string last_user, last_password;
  std::string token_response = R"({"id_token": "a.b.c", "access_token": "at", "token_type": "Bearer"})";

  Result<std::string> Get(const std::string& url) override {
    ++gets[url];
    auto it = pages.find(url);
    if (it == pages.end()) return Error::Io("GET " + url + ": HTTP 404");
    return it->second;
  }
  Result<std::string> PostForm(const std::string&, const std::vector<std::pair<std::string, std::string>>& form,
                               const std::string& user, const std::string& password) override {
    last_form = form;
    last_user = user;
    last_password = password;
    return token_response;
  }
};

TEST(ExchangeCode, SendsTheCodeWithClientSecretBasic) {
  FakeHttp http;
  auto tokens = ExchangeCode(http, TestMetadata(), "ting client:1", "sé+cr/t%", "the-code",
                             "https://ting.example/cb", "the-verifier");
  ASSERT_TRUE(tokens.ok()) << tokens.error().message;
  EXPECT_EQ(tokens->id_token, "a.b.c");
  EXPECT_EQ(tokens->access_token, "at");
  EXPECT_EQ(http.last_user, "ting%20client%3A1");
  EXPECT_EQ(http.last_password, "s%C3%A9%2Bcr%2Ft%25");
  std::vector<std::pair<std::string, std::string>> want = {{"grant_type", "authorization_code"},
                                                           {"code", "the-code"},
                                                           {"redirect_uri", "https://ting.example/cb"},
                                                           {"code_verifier", "the-verifier"}};
  EXPECT_EQ(http.last_form, want);

  http.token_response = R"({"access_token": "at"})";
  auto no_id = ExchangeCode(http, TestMetadata(), "c", "s", "x", "r", "v");
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().code, ErrorCode::kMalformed);
}

TEST(Provider, DiscoversOnceAndRefetchesKeysOnRotation) {
  FakeHttp http;
  http.pages[std::string(kIssuer) + "/.well-known/openid-configuration"] = Discovery(kIssuer).dump();
  http.pages[std::string(kIssuer) + "/jwks"] = json({{"keys", {JwkJson(Keys().rsa.get(), "r1")}}}).dump();
  Provider provider({kIssuer, kClient, "secret"}, http);

  auto md = provider.Metadata();
  ASSERT_TRUE(md.ok()) << md.error().message;
  EXPECT_EQ(md->jwks_uri, std::string(kIssuer) + "/jwks");

  auto first = provider.Verify(Token(RsHeader(), GoodClaims(), Keys().rsa.get()), kNonce, kNow);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(http.gets[std::string(kIssuer) + "/jwks"], 1);

  // The provider rotates to a new EC key. Within the refetch interval a new kid is not fetched...
  http.pages[std::string(kIssuer) + "/jwks"] =
      json({{"keys", {JwkJson(Keys().rsa.get(), "r1"), JwkJson(Keys().ec.get(), "e1")}}}).dump();
  json later = GoodClaims();
  later["iat"] = kNow + 100;
  later["exp"] = kNow + 400;
  auto early = provider.Verify(Token(EsHeader(), GoodClaims(), Keys().ec.get()), kNonce, kNow + 10);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().key, "oidc.bad_signature");
  EXPECT_EQ(http.gets[std::string(kIssuer) + "/jwks"], 1);
  // ...after it, it is, once.
  auto rotated = provider.Verify(Token(EsHeader(), later, Keys().ec.get()), kNonce, kNow + 100);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  EXPECT_EQ(http.gets[std::string(kIssuer) + "/jwks"], 2);
  auto again = provider.Verify(Token(EsHeader(), later, Keys().ec.get()), kNonce, kNow + 200);
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(http.gets[std::string(kIssuer) + "/jwks"], 2);
  EXPECT_EQ(http.gets[std::string(kIssuer) + "/.well-known/openid-configuration"], 1);

  // Its own nonce and audience are checked.
  auto wrong_nonce = provider.Verify(Token(RsHeader(), later, Keys().rsa.get()), "other", kNow + 200);
  ASSERT_FALSE(wrong_nonce.ok());
  EXPECT_EQ(wrong_nonce.error().key, "oidc.wrong_nonce");
}

TEST(Provider, ConcurrentFirstUsesFetchOnce) {
  FakeHttp http;  // its Get is only ever called by one thread at a time: fetches are serialised
  http.pages[std::string(kIssuer) + "/.well-known/openid-configuration"] = Discovery(kIssuer).dump();
  http.pages[std::string(kIssuer) + "/jwks"] =
      json({{"keys", {JwkJson(Keys().rsa.get(), "r1"), JwkJson(Keys().ec.get(), "e1")}}}).dump();
  Provider provider({kIssuer, kClient, "secret"}, http);
  const std::string rs = Token(RsHeader(), GoodClaims(), Keys().rsa.get());
  const std::string es = Token(EsHeader(), GoodClaims(), Keys().ec.get());
  std::atomic<int> verified{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (provider.Verify((t + i) % 2 ? rs : es, kNonce, kNow).ok()) ++verified;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(verified.load(), 100);
  EXPECT_EQ(http.gets[std::string(kIssuer) + "/jwks"], 1);
  EXPECT_EQ(http.gets[std::string(kIssuer) + "/.well-known/openid-configuration"], 1);
}

TEST(Provider, FailedDiscoveryIsRetried) {
  FakeHttp http;
  Provider provider({kIssuer, kClient, "secret"}, http);
  auto md = provider.Metadata();
  ASSERT_FALSE(md.ok());
  EXPECT_EQ(md.error().code, ErrorCode::kIoError);
  http.pages[std::string(kIssuer) + "/.well-known/openid-configuration"] = Discovery(kIssuer).dump();
  EXPECT_TRUE(provider.Metadata().ok());
}

// ---- The library against the Python test provider, over real HTTP ----

size_t Discard(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }
size_t Append(char* p, size_t size, size_t nmemb, void* out) {
  static_cast<std::string*>(out)->append(p, size * nmemb);
  return size * nmemb;
}

// GETs url without following a redirect; the Location of the answer ("" if none).
std::string GetRedirect(const std::string& url, long* status) {
  CURL* c = curl_easy_init();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
  std::string location;
  if (curl_easy_perform(c) == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    char* where = nullptr;
    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &where);
    if (where != nullptr) location = where;
  }
  curl_easy_cleanup(c);
  return location;
}

bool PostJson(const std::string& url, const json& body) {
  CURL* c = curl_easy_init();
  std::string text = body.dump(), answer;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, text.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
  long status = 0;
  bool ok = curl_easy_perform(c) == CURLE_OK && curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
            status == 200;
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return ok;
}

// The value of name in url's query string, percent-decoded.
std::string QueryParam(const std::string& url, const std::string& name) {
  size_t q = url.find('?');
  if (q == std::string::npos) return "";
  std::string query = url.substr(q + 1, url.find('#') == std::string::npos ? std::string::npos : url.find('#') - q - 1);
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(start, end - start);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string::npos) {
      std::string out;
      for (size_t i = eq + 1; i < pair.size(); ++i) {
        if (pair[i] == '+') {
          out += ' ';
        } else if (pair[i] == '%' && i + 2 < pair.size()) {
          out += static_cast<char>(std::stoi(pair.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += pair[i];
        }
      }
      return out;
    }
    start = end + 1;
  }
  return "";
}

struct Login {
  std::string code, redirect_uri, verifier, nonce;
};

// The browser's part: GET the authorization URL, read the code from the redirect back to us.
Login Authorize(const ProviderMetadata& md, const std::string& client_id) {
  Login login;
  Pkce pkce = NewPkce();
  std::string state = RandomUrlToken();
  login.verifier = pkce.verifier;
  login.nonce = RandomUrlToken();
  login.redirect_uri = "http://127.0.0.1:9/auth/callback?from=test";
  long status = 0;
  std::string location = GetRedirect(
      AuthorizationUrl(md, client_id, login.redirect_uri, "openid", state, login.nonce, pkce.challenge), &status);
  EXPECT_EQ(status, 302);
  EXPECT_EQ(location.rfind(login.redirect_uri + "&", 0), 0u) << location;
  EXPECT_EQ(QueryParam(location, "state"), state);
  login.code = QueryParam(location, "code");
  EXPECT_FALSE(login.code.empty()) << location;
  return login;
}

TEST(OidcFixture, FullFlowThroughCurl) {
  const char* script = std::getenv("TING_OIDC_FIXTURE");
  ASSERT_TRUE(script != nullptr && *script != '\0')
      << "set TING_OIDC_FIXTURE to the path of tests/fixtures/oidc_provider.py (CMake does this for ctest); "
         "this test needs the test OpenID provider and never skips";
  // tests/fixtures/oidc_provider.py, started for this test and killed after it.
  ting::testing::FixtureServer fixture("/usr/bin/python3", {script, "--port", "0", "--client-id", "c", "--client-secret", "s"});
  int port = fixture.port();
  ASSERT_GT(port, 0) << "the fixture did not print its PORT line: " << fixture.output();
  const std::string issuer = "http://127.0.0.1:" + std::to_string(port);
  auto http = CurlHttpClient(10);

  // Discovery, by hand.
  auto discovery = http->Get(issuer + "/.well-known/openid-configuration");
  ASSERT_TRUE(discovery.ok()) << discovery.error().message;
  auto md = ParseDiscovery(*discovery, issuer);
  ASSERT_TRUE(md.ok()) << md.error().message;
  EXPECT_EQ(md->token_endpoint, issuer + "/token");

  Provider provider({issuer, "c", "s"}, *http);
  for (const char* alg : {"ES256", "RS256"}) {
    SCOPED_TRACE(alg);
    ASSERT_TRUE(PostJson(issuer + "/control",
                         {{"sub", "bankid-197001011234"},
                          {"claims", {{"ssn", "197001011234"}, {"name", "Klara Svensson"}}},
                          {"alg", alg},
                          {"mischief", nullptr}}));
    Login login = Authorize(*md, "c");
    auto tokens = ExchangeCode(*http, *md, "c", "s", login.code, login.redirect_uri, login.verifier);
    ASSERT_TRUE(tokens.ok()) << tokens.error().message;
    EXPECT_FALSE(tokens->access_token.empty());
    EXPECT_EQ(JwtKeyId(tokens->id_token), std::string(alg) == "RS256" ? "k1" : "k2");
    auto claims = provider.Verify(tokens->id_token, login.nonce, std::time(nullptr));
    ASSERT_TRUE(claims.ok()) << claims.error().message;
    EXPECT_EQ((*claims)["sub"], "bankid-197001011234");
    EXPECT_EQ((*claims)["ssn"], "197001011234");
    EXPECT_EQ((*claims)["name"], "Klara Svensson");

    // A code is good once.
    auto reused = ExchangeCode(*http, *md, "c", "s", login.code, login.redirect_uri, login.verifier);
    ASSERT_FALSE(reused.ok());
    EXPECT_EQ(reused.error().code, ErrorCode::kUnauthenticated);
    EXPECT_NE(reused.error().message.find("invalid_grant"), std::string::npos) << reused.error().message;
  }

  // The token endpoint refuses a wrong secret and a wrong PKCE verifier.
  Login login = Authorize(*md, "c");
  auto bad_secret = ExchangeCode(*http, *md, "c", "not-s", login.code, login.redirect_uri, login.verifier);
  ASSERT_FALSE(bad_secret.ok());
  EXPECT_EQ(bad_secret.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(bad_secret.error().message.find("invalid_client"), std::string::npos) << bad_secret.error().message;
  login = Authorize(*md, "c");
  auto bad_verifier = ExchangeCode(*http, *md, "c", "s", login.code, login.redirect_uri, NewPkce().verifier);
  ASSERT_FALSE(bad_verifier.ok());
  EXPECT_EQ(bad_verifier.error().code, ErrorCode::kUnauthenticated);

  // Each kind of mischief is caught by the verifier.
  const std::pair<const char*, const char*> mischiefs[] = {
      {"bad_signature", "oidc.bad_signature"}, {"wrong_nonce", "oidc.wrong_nonce"},
      {"wrong_audience", "oidc.wrong_audience"}, {"wrong_issuer", "oidc.wrong_issuer"},
      {"expired", "oidc.expired"}};
  for (const auto& [mischief, key] : mischiefs) {
    SCOPED_TRACE(mischief);
    ASSERT_TRUE(PostJson(issuer + "/control", {{"alg", "ES256"}, {"mischief", mischief}}));
    Login l = Authorize(*md, "c");
    auto tokens = ExchangeCode(*http, *md, "c", "s", l.code, l.redirect_uri, l.verifier);
    ASSERT_TRUE(tokens.ok()) << tokens.error().message;
    auto claims = provider.Verify(tokens->id_token, l.nonce, std::time(nullptr));
    ASSERT_FALSE(claims.ok());
    EXPECT_EQ(claims.error().key, key) << claims.error().message;
  }

  // Redirects are not followed: a 302 is an error like any other non-2xx answer.
  auto redirected = http->Get(AuthorizationUrl(*md, "c", "http://127.0.0.1:9/cb", "openid", "s", "n", "ch"));
  ASSERT_FALSE(redirected.ok());
  EXPECT_EQ(redirected.error().code, ErrorCode::kIoError);

  // Other failures are kIoError too.
  auto missing = http->Get(issuer + "/no-such-page");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIoError);
}

}  // namespace
}  // namespace ting::oidc
