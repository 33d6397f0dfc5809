#include <gtest/gtest.h>

#include <limits>

#include "ting/base/digest.h"
#include "ting/base/money.h"
#include "ting/base/result.h"
#include "ting/base/strings.h"
#include "ting/base/time.h"

namespace ting {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Error::Invalid("odd");
  return x / 2;
}
Result<int> Quarter(int x) {
  TING_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Result, PropagatesErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().At("f.pb:3").message, "f.pb:3: odd");
}

TEST(Strings, SplitTrimParse) {
  auto parts = Split("a;b;;c", ';');
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[2], "");
  EXPECT_EQ(Trim("  x y \r\n"), "x y");
  EXPECT_EQ(ParseInt64("-42"), -42);
  EXPECT_FALSE(ParseInt64("4x").has_value());
  EXPECT_FALSE(ParseInt64("99999999999999999999").has_value());
  EXPECT_EQ(AsciiLower("ÅbC"), "Åbc");
}

TEST(Digest, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(h.FinishHex(), Sha256Hex("abc"));
}

TEST(Money, FormatsByTheLanguagesFormat) {
  MoneyFormat sv{",", "\u00a0", {{"SEK", "{amount}\u00a0kr"}, {"default", "{amount}\u00a0{code}"}}};
  MoneyFormat en;  // the defaults: "." and "," and "SEK 1,500,000.50"
  en.patterns["EUR"] = "\u20ac{amount}";
  EXPECT_EQ(FormatMoney({150000000, "SEK"}, sv), "1\u00a0500\u00a0000\u00a0kr");
  EXPECT_EQ(FormatMoney({150000050, "SEK"}, en), "SEK\u00a01,500,000.50");
  EXPECT_EQ(FormatMoney({-5, "EUR"}, en), "-\u20ac0.05");
  EXPECT_EQ(FormatMoney({123456, "NOK"}, sv), "1\u00a0234,56\u00a0NOK") << "the default pattern names the code";
  EXPECT_EQ(FormatMoney({1000, "JPY"}, en), "JPY\u00a01,000") << "no minor units";
  EXPECT_EQ(FormatMoney({INT64_MIN, "SEK"}, en), "-SEK\u00a092,233,720,368,547,758.08");
}

TEST(Time, UtcFormatting) {
  EXPECT_EQ(UtcDate(0), "1970-01-01");
  EXPECT_EQ(UtcDateTime(1780322580), "2026-06-01 14:03 UTC");
}

}  // namespace
}  // namespace ting

namespace ting {
namespace {

TEST(StringsTest, JsonEscapeAndQuote) {
  EXPECT_EQ(JsonEscape("plain åäö"), "plain åäö");
  EXPECT_EQ(JsonEscape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(JsonEscape(std::string("\n\r\t\x01\x7f", 5)), "\\n\\r\\t\\u0001\\u007f");
  EXPECT_EQ(JsonQuote("id \"7\""), "\"id \\\"7\\\"\"");
}

}  // namespace
}  // namespace ting

namespace ting {
namespace {

TEST(Utf8, ValidatesEveryClassOfIllFormedSequence) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("Malmö – مرحبا 🌳"));
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  for (std::string bad : {std::string("bad\xC0\xAF"),       // overlong '/'
                          std::string("\xE0\x80\xAF"),      // overlong, three bytes
                          std::string("\xED\xA0\x80"),      // surrogate U+D800
                          std::string("\xF4\x90\x80\x80"),  // above U+10FFFF
                          std::string("\xF5\x80\x80\x80"), std::string("\xFF"),
                          std::string("\x80"),              // lone continuation
                          std::string("abc\xC3"),           // cut at the end
                          std::string("\xE2\x82")}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << HexEncode(bad);
    EXPECT_TRUE(IsValidUtf8(RepairUtf8(bad))) << HexEncode(bad);
  }
  EXPECT_EQ(RepairUtf8("bad\xC0\xAF"), "bad\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(RepairUtf8("Malmö"), "Malmö");
}

TEST(Utf8, PrefixNeverCutsACharacter) {
  std::string s = "åäö";  // two bytes each
  EXPECT_EQ(Utf8Prefix(s, 6), "åäö");
  EXPECT_EQ(Utf8Prefix(s, 5), "åä");
  EXPECT_EQ(Utf8Prefix(s, 4), "åä");
  EXPECT_EQ(Utf8Prefix(s, 1), "");
  EXPECT_EQ(Utf8Prefix("🌳x", 3), "");
}

TEST(Checked, ArithmeticRefusesToWrap) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(CheckedAdd(1, 2), 3);
  EXPECT_EQ(CheckedAdd(kMax, 1), std::nullopt);
  EXPECT_EQ(CheckedAdd(kMax, kMax), std::nullopt);
  EXPECT_EQ(CheckedMul(kMax, 2), std::nullopt);
  EXPECT_EQ(CheckedMul(-1, std::numeric_limits<int64_t>::min()), std::nullopt);
  EXPECT_EQ(CheckedMul(1 << 20, 1 << 20), int64_t{1} << 40);
}

}  // namespace
}  // namespace ting

namespace ting {
namespace {
TEST(Time, CalendarDatesCountMonthsAndLeapYears) {
  for (const char* good : {"2026-01-31", "2028-02-29", "2000-02-29", "1880-12-01"}) EXPECT_TRUE(IsCalendarDate(good)) << good;
  for (const char* bad : {"2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-1-01", "20260101", "2026-01-0x", ""})
    EXPECT_FALSE(IsCalendarDate(bad)) << bad;
}
}  // namespace
}  // namespace ting
