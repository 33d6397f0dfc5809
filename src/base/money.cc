#include "ting/base/money.h"

#include <cstdlib>

namespace ting {

int CurrencyExponent(std::string_view currency) {
  if (currency == "JPY" || currency == "KRW" || currency == "ISK" || currency == "HUF") return 0;
  return 2;
}

namespace {
std::string Group(uint64_t v, std::string_view sep) {
  std::string digits = std::to_string(v), out;
  int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    if (i && (n - i) % 3 == 0) out += sep;
    out += digits[i];
  }
  return out;
}
}  // namespace

std::string FormatMoney(const Money& m, std::string_view lang) {
  int exp = CurrencyExponent(m.currency);
  int64_t scale = 1;
  for (int i = 0; i < exp; ++i) scale *= 10;
  bool neg = m.minor < 0;
  uint64_t abs = neg ? static_cast<uint64_t>(-(m.minor + 1)) + 1 : static_cast<uint64_t>(m.minor);
  uint64_t major = abs / scale, minor = abs % scale;
  bool sv = lang == "sv";
  std::string num = Group(major, sv ? "\u00a0" : ",");
  if (minor) {
    std::string frac = std::to_string(minor);
    frac.insert(0, exp - frac.size(), '0');
    num += (sv ? "," : ".") + frac;
  }
  std::string sign = neg ? "-" : "";
  if (m.currency == "SEK") return sv ? sign + num + "\u00a0kr" : sign + "SEK\u00a0" + num;
  if (m.currency == "EUR") return sv ? sign + num + "\u00a0\u20ac" : sign + "\u20ac" + num;
  if (m.currency == "USD") return sign + "$" + num;
  return sv ? sign + num + "\u00a0" + m.currency : sign + m.currency + "\u00a0" + num;
}

}  // namespace ting
