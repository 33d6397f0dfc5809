#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <string_view>

#include "ting/base/strings.h"
#include "ting/base/keys.h"
#include "ting/core/accounts.h"

namespace ting::core {
namespace {

// The most used passwords that are long enough to pass the length rule (from public breach
// frequency lists, plus Swedish favourites). Compared lower-cased.
constexpr std::array<std::string_view, 96> kCommonPasswords = {
    "1234567890", "12345678910", "123456789a", "1234567890a", "0123456789", "0987654321",
    "1111111111", "2222222222", "5555555555", "7777777777", "9999999999", "0000000000",
    "1122334455", "1234512345", "1q2w3e4r5t", "1q2w3e4r5t6y", "1qaz2wsx3edc", "1qazxsw23edc",
    "qwertyuiop", "qwerty1234", "qwerty12345", "qwerty123456", "qwertyuiop1", "qwertyuiop123",
    "asdfghjkl1", "asdfghjkl;", "zxcvbnm123", "zaq12wsxcde3", "password12", "password123",
    "password1234", "password12345", "password!1", "passw0rd123", "p@ssw0rd123", "password01",
    "iloveyou12", "iloveyou123", "iloveyou1234", "abcdefghij", "abcdefghijk", "abcdef123456",
    "abc1234567", "abcd123456", "a1b2c3d4e5", "aaaaaaaaaa", "football123", "baseball123",
    "superman123", "batman1234", "princess123", "sunshine123", "monkey1234", "dragon1234",
    "welcome123", "welcome1234", "letmein123", "changeme123", "trustno1234", "starwars123",
    "administrator", "admin12345", "admin123456", "administrator1", "michael123", "jennifer123",
    "computer123", "internet123", "whatever123", "qazwsxedcrfv", "1234qwerasdf", "q1w2e3r4t5",
    "q1w2e3r4t5y6", "123qweasdzxc", "qweasdzxc123", "987654321a", "lösenord123", "losenord123",
    "lösenord1234", "losenord1234", "lösenordet", "sommar2024", "sommar2025", "sommar2026",
    "vinter2025", "hejhejhejhej", "hemligt123", "sverige123", "stockholm1", "stockholm123",
    "goteborg123", "malmo12345", "medborgare1", "medborgarbudget", "tingting123", "ting123456",
};

}  // namespace

std::optional<std::string> NormaliseEmail(std::string_view email) {
  std::string e = AsciiLower(Trim(email));
  if (e.size() < 3 || e.size() > 254) return std::nullopt;
  size_t at = e.find('@');
  if (at == std::string::npos || at == 0 || at != e.rfind('@') || at + 1 >= e.size()) return std::nullopt;
  std::string_view domain = std::string_view(e).substr(at + 1);
  if (domain.find('.') == std::string::npos || domain.front() == '.' || domain.back() == '.') return std::nullopt;
  for (unsigned char c : e)
    if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' || c == '\\') return std::nullopt;
  return e;
}

std::optional<std::string> CheckPassword(std::string_view password, std::string_view email,
                                         std::string_view name) {
  // Length in characters, not bytes: "lösenord" is 8 characters.
  size_t chars = 0;
  for (unsigned char c : password)
    if ((c & 0xC0) != 0x80) ++chars;
  if (chars < PasswordPolicy::kMinLength) return TING_KEY("auth.password_short");
  if (password.size() > PasswordPolicy::kMaxLength) return TING_KEY("auth.password_long");
  std::string lower = AsciiLower(password);
  if (std::find(kCommonPasswords.begin(), kCommonPasswords.end(), lower) != kCommonPasswords.end())
    return TING_KEY("auth.password_common");
  if (std::all_of(lower.begin(), lower.end(), [&](char c) { return c == lower.front(); }))
    return TING_KEY("auth.password_common");
  if (lower == AsciiLower(Trim(email)) || lower == AsciiLower(Trim(name)) ||
      (!email.empty() && lower == AsciiLower(email.substr(0, email.find('@')))))
    return TING_KEY("auth.password_is_email");
  return std::nullopt;
}

static void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();
  });
}

Result<std::string> HashPassword(std::string_view password) {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Error::Internal("password hashing ran out of memory");
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  InitSodium();
  std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

std::string RandomToken(size_t bytes) {
  InitSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

}  // namespace ting::core
