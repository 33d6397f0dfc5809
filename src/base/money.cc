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

std::string FormatMoney(const Money& m, const MoneyFormat& format) {
  int exp = CurrencyExponent(m.currency);
  int64_t scale = 1;
  for (int i = 0; i < exp; ++i) scale *= 10;
  bool neg = m.minor < 0;
  uint64_t abs = neg ? static_cast<uint64_t>(-(m.minor + 1)) + 1 : static_cast<uint64_t>(m.minor);
  uint64_t major = abs / static_cast<uint64_t>(scale), minor = abs % static_cast<uint64_t>(scale);
  std::string num = Group(major, format.group);
  if (minor) {
    std::string frac = std::to_string(minor);
    frac.insert(0, exp - frac.size(), '0');
    num += format.decimal + frac;
  }
  auto it = format.patterns.find(m.currency);
  if (it == format.patterns.end()) it = format.patterns.find("default");
  std::string out = it == format.patterns.end() ? "{code}\u00a0{amount}" : it->second;
  for (auto [key, value] : {std::pair<std::string_view, const std::string*>{"{amount}", &num}, {"{code}", &m.currency}})
    if (auto at = out.find(key); at != std::string::npos) out.replace(at, key.size(), *value);
  return (neg ? "-" : "") + out;
}

}  // namespace ting
