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

// Whole-string integer parse; nullopt on any stray character or overflow.
std::optional<int64_t> ParseInt64(std::string_view s);

// The body of a JSON string literal: quotes, backslashes and control characters escaped
// (\n, \r, \t, else \u00XX); other bytes, UTF-8 included, pass through.
std::string JsonEscape(std::string_view s);
// JsonEscape in double quotes.
std::string JsonQuote(std::string_view s);

// Lower-case hex of bytes.
std::string HexEncode(std::string_view bytes);

// Reads a whole file; error names the path.
Result<std::string> ReadFile(const std::string& path);

}  // namespace ting
