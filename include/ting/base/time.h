#pragma once
// Dates and times as the platform shows and stores them: UTC. (The time now comes from the Env.)

#include <cstdint>
#include <string>
#include <string_view>

namespace ting {

std::string UtcDate(int64_t unix_seconds);          // "2026-05-01"
std::string UtcDateTime(int64_t unix_seconds);      // "2026-05-01 14:03 UTC"

// "YYYY-MM-DD" naming a day of the Gregorian calendar (leap years counted: 2028-02-29 is one,
// 2026-02-29 is not).
bool IsCalendarDate(std::string_view d);

}  // namespace ting
