#include "ting/base/keys.h"

#include <mutex>
#include <set>

namespace ting {

namespace {
std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}
std::set<std::string, std::less<>>& Keys() {
  static auto* keys = new std::set<std::string, std::less<>>;
  return *keys;
}
}  // namespace

bool ExpectKey(std::string_view key) {
  std::lock_guard lock(Mu());
  Keys().emplace(key);
  return true;
}

std::vector<std::string> ExpectedKeys() {
  std::lock_guard lock(Mu());
  return {Keys().begin(), Keys().end()};
}

}  // namespace ting
