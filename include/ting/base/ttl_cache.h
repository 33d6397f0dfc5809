#pragma once
// A small thread-safe cache whose entries live for a fixed time on the Env's monotonic clock.
// The one cache of the program: organisations by host, sessions by token, processes by slug,
// lists of processes, copies of ballots. Values are shared_ptr<const V> so a reader keeps what it
// got while another thread replaces or drops the entry. When the cache holds max_entries it is
// emptied (keys come from requests; a flood of made-up ones must not grow it without end).

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "ting/base/env.h"

namespace ting {

template <typename K, typename V>
class TtlCache {
 public:
  TtlCache(Env& env, std::chrono::milliseconds lifetime, size_t max_entries = 10000)
      : env_(&env), lifetime_(lifetime), max_entries_(max_entries) {}

  // The live value for key, or nullptr.
  std::shared_ptr<const V> Get(const K& key) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    if (it->second.expires <= env_->Monotonic()) {
      entries_.erase(it);
      return nullptr;
    }
    return it->second.value;
  }

  std::shared_ptr<const V> Put(const K& key, V value) { return Put(key, std::make_shared<const V>(std::move(value))); }
  std::shared_ptr<const V> Put(const K& key, std::shared_ptr<const V> value) {
    std::lock_guard lock(mu_);
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_[key] = {value, env_->Monotonic() + lifetime_};
    return value;
  }

  void Erase(const K& key) {
    std::lock_guard lock(mu_);
    entries_.erase(key);
  }
  void Clear() {
    std::lock_guard lock(mu_);
    entries_.clear();
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    std::shared_ptr<const V> value;
    std::chrono::steady_clock::time_point expires;
  };
  Env* env_;
  std::chrono::milliseconds lifetime_;
  size_t max_entries_;
  mutable std::mutex mu_;
  std::map<K, Entry> entries_;
};

}  // namespace ting
