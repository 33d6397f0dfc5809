#include "ting/base/time.h"

#include <chrono>
#include <ctime>

namespace ting {

namespace {
std::string Format(int64_t unix_seconds, const char* format) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
}  // namespace

std::string UtcDate(int64_t unix_seconds) { return Format(unix_seconds, "%Y-%m-%d"); }
std::string UtcDateTime(int64_t unix_seconds) { return Format(unix_seconds, "%Y-%m-%d %H:%M UTC"); }

}  // namespace ting
