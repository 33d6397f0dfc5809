#pragma once
// CSRF tokens and sign-in rate limits.

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ting/base/env.h"

namespace ting::core {

// Stateless CSRF tokens: HMAC-SHA256(secret, binding), where binding is the browser's session
// token (signed in) or its anonymous visitor cookie. A forged form cannot know either.
class Csrf {
 public:
  explicit Csrf(std::string secret) : secret_(std::move(secret)) {}
  std::string Token(std::string_view binding) const;
  bool Verify(std::string_view binding, std::string_view token) const;  // constant time

 private:
  std::string secret_;
};

// Counts events per key in a sliding window on the Env's monotonic clock. Thread-safe.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(Env& env, int max_events, std::chrono::seconds window) : env_(&env), max_(max_events), window_(window) {}

  // Seconds to wait when the key has used up its events, nullopt when it may go on.
  std::optional<int64_t> Blocked(const std::string& key);
  void Record(const std::string& key);
  void Reset(const std::string& key);

 private:
  Env* env_;
  void Expire(std::deque<Clock::time_point>& events, Clock::time_point now);
  int max_;
  std::chrono::seconds window_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> events_;
};

}  // namespace ting::core
