#pragma once
// Dates and times as the platform shows and stores them: UTC.

#include <cstdint>
#include <string>

namespace ting {

int64_t UnixSeconds();                              // now
std::string UtcDate(int64_t unix_seconds);          // "2026-05-01"
std::string UtcDateTime(int64_t unix_seconds);      // "2026-05-01 14:03 UTC"

}  // namespace ting
