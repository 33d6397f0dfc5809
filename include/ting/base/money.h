#pragma once
// Money is an integer count of minor units (öre, cents) with an ISO 4217 currency code.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace ting {

// The largest amount (a budget, a cost) accepted at any input, in minor units: 1e15 (10
// trillion kronor), the counting engine's limit (pb::kMaxMoney). Bounding amounts at input keeps
// every sum of them far from int64 limits.
inline constexpr int64_t kMaxAmountMinor = 1000000000000000LL;

struct Money {
  int64_t minor = 0;
  std::string currency = "SEK";
};

// Minor units per major unit for the currency (2 for SEK/EUR/USD; 0 for JPY, ...).
int CurrencyExponent(std::string_view currency);

// How a language writes amounts. Comes from the "_meta" of the language's catalogue
// (html::Catalog), so adding a language is adding its catalogue:
//   "number": {"decimal": ",", "group": "\u00a0"},
//   "money": {"SEK": "{amount}\u00a0kr", "USD": "${amount}", "default": "{amount}\u00a0{code}"}
struct MoneyFormat {
  std::string decimal = ".";
  std::string group = ",";
  // Currency code -> pattern with {amount} (and {code}); "default" for the other currencies.
  std::map<std::string, std::string, std::less<>> patterns = {{"default", "{code}\u00a0{amount}"}};
};

// "1 500 000 kr" / "SEK 1,500,000.50": digits grouped by threes, minor units shown only when
// they are not zero, a minus sign before the whole.
std::string FormatMoney(const Money& m, const MoneyFormat& format);

}  // namespace ting
