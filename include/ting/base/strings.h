#pragma once
// Small string helpers shared by the file formats, the HTTP layer and the CLI.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ting/base/result.h"

namespace ting {

std::vector<std::string_view> Split(std::string_view s, char sep);
std::string_view Trim(std::string_view s);
std::string AsciiLower(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);
// One CSV cell, always quoted (a ';', the list separator of Swedish Excel, never splits it). A
// text a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return)
// gets a leading apostrophe (OWASP CSV injection).
std::string CsvField(std::string_view text);

// Whole-string integer parse; nullopt on any stray character or overflow.
std::optional<int64_t> ParseInt64(std::string_view s);

// The body of a JSON string literal: quotes, backslashes and control characters escaped
// (\n, \r, \t, else \u00XX); other bytes, UTF-8 included, pass through.
std::string JsonEscape(std::string_view s);
// JsonEscape in double quotes.
std::string JsonQuote(std::string_view s);

// Whether s is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF). Every text that enters the platform is checked with this at its boundary.
bool IsValidUtf8(std::string_view s);
// The 1-based line of the first ill-formed UTF-8 sequence in text, or 0 when all of it is
// well-formed (for file readers' "FILE:LINE: not UTF-8" errors).
size_t FirstInvalidUtf8Line(std::string_view text);
// s with every ill-formed UTF-8 sequence replaced by U+FFFD (for repairing stored text).
std::string RepairUtf8(std::string_view s);
// The longest prefix of s that is at most max_bytes long and does not end inside a UTF-8
// character (s is assumed valid UTF-8).
std::string_view Utf8Prefix(std::string_view s, size_t max_bytes);

// Checked int64 arithmetic: nullopt on overflow (never wraps).
std::optional<int64_t> CheckedAdd(int64_t a, int64_t b);
std::optional<int64_t> CheckedMul(int64_t a, int64_t b);

// Lower-case hex of bytes.
std::string HexEncode(std::string_view bytes);

// Reads a whole file; error names the path.
Result<std::string> ReadFile(const std::string& path);

}  // namespace ting
