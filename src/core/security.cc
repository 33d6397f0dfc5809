#include "ting/core/security.h"

#include <sodium.h>

#include "ting/base/digest.h"
#include "ting/base/strings.h"

namespace ting::core {

std::string Csrf::Token(std::string_view binding) const { return HmacSha256Hex(secret_, binding); }

bool Csrf::Verify(std::string_view binding, std::string_view token) const {
  if (binding.empty()) return false;
  std::string expected = Token(binding);
  if (token.size() != expected.size()) return false;
  return sodium_memcmp(expected.data(), token.data(), expected.size()) == 0;
}

void RateLimiter::Expire(std::deque<Clock::time_point>& events, Clock::time_point now) {
  while (!events.empty() && events.front() + window_ <= now) events.pop_front();
}

// Keys are often text a client sent (an email typed at sign-in): stored as a fixed-size digest,
// so that a megabyte "email" costs the limiter 32 bytes, not a megabyte per attempt.
static std::string KeyDigest(const std::string& key) { return Sha256Hex(key).substr(0, 32); }

std::optional<int64_t> RateLimiter::Blocked(const std::string& raw_key) {
  Clock::time_point now = env_->Monotonic();
  const std::string key = KeyDigest(raw_key);
  std::lock_guard lock(mu_);
  auto it = events_.find(key);
  if (it == events_.end()) return std::nullopt;
  Expire(it->second, now);
  if (static_cast<int>(it->second.size()) < max_) return std::nullopt;
  // Whole seconds, rounded up: waiting that long is always enough.
  auto wait = std::chrono::ceil<std::chrono::seconds>(it->second.front() + window_ - now).count();
  return std::max<int64_t>(1, wait);
}

void RateLimiter::Record(const std::string& raw_key) {
  Clock::time_point now = env_->Monotonic();
  const std::string key = KeyDigest(raw_key);
  std::lock_guard lock(mu_);
  auto& events = events_[key];
  Expire(events, now);
  events.push_back(now);
  if (events_.size() > 100000) {  // bound memory under a spray of keys: drop idle entries
    for (auto it = events_.begin(); it != events_.end();) {
      Expire(it->second, now);
      it = it->second.empty() ? events_.erase(it) : std::next(it);
    }
  }
}

void RateLimiter::Reset(const std::string& raw_key) {
  std::lock_guard lock(mu_);
  events_.erase(KeyDigest(raw_key));
}

}  // namespace ting::core
