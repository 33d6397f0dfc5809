#pragma once
// Reading and writing the Pabulib .pb format (https://pabulib.org/format): META, PROJECTS and
// VOTES sections of `;`-separated rows with optional double-quoted fields; UTF-8 with or
// without BOM; LF or CRLF line ends; approval, cumulative, scoring and ordinal ballots;
// decimal costs; empty ballots; alphanumeric project ids.

#include <string>
#include <string_view>

#include "ting/base/result.h"
#include "ting/pb/election.h"

namespace ting::pb {

// Parses a whole file held in memory. `source_name` prefixes error messages, which read
// "SOURCE:LINE: what is wrong". Never crashes on malformed input.
Result<Election> ParsePabulib(std::string_view content, const std::string& source_name);

// Reads and parses a file.
Result<Election> ReadPabulibFile(const std::string& path);

// Writes an election in Pabulib format (LF line ends, no BOM). ParsePabulib(WritePabulib(e))
// reproduces e; files read from a canonical LF, unquoted .pb are written back byte for byte.
std::string WritePabulib(const Election& election);

}  // namespace ting::pb
