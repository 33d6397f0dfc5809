#pragma once
// Money is an integer count of minor units (öre, cents) with an ISO 4217 currency code.

#include <cstdint>
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

// "1 500 000 kr" / "SEK 1,500,000" style, grouping digits per language ("sv" or "en").
// Minor units are shown only when they are not zero.
std::string FormatMoney(const Money& m, std::string_view lang);

}  // namespace ting
