#pragma once
// Dates and times as the platform shows and stores them: UTC. (The time now comes from the Env.)

#include <cstdint>
#include <string>

namespace ting {

std::string UtcDate(int64_t unix_seconds);          // "2026-05-01"
std::string UtcDateTime(int64_t unix_seconds);      // "2026-05-01 14:03 UTC"

}  // namespace ting
