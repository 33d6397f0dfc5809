#pragma once
// The world outside the program, in one place (after leveldb's Env): the wall clock, a monotonic
// clock, the local date in a time zone, where uploaded files are kept, and fresh random seeds.
// Stores, the web layer and the server take an Env&; production passes Env::Default(), tests a
// FakeEnv whose clock they move by hand and whose files live in memory. So phases that change at
// midnight, edit windows, rate-limit windows and cache lifetimes are tested without waiting.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "ting/base/result.h"

namespace ting {

// Where an organisation's dates fall when it has not chosen: phases start and end at local
// midnight in Stockholm, not at UTC midnight.
inline constexpr const char* kDefaultTimeZone = "Europe/Stockholm";

// Named blobs (uploaded images). Names are chosen by the platform (hex digests plus an
// extension), never by users.
class FileStore {
 public:
  virtual ~FileStore() = default;
  virtual bool enabled() const = 0;  // false: uploads are refused
  virtual Status Put(const std::string& name, std::string_view data) = 0;
  virtual Result<std::string> Get(const std::string& name) const = 0;  // kNotFound when absent
};

// A folder on disk ("" disables it). Writes go to a temporary file renamed into place.
std::unique_ptr<FileStore> DiskFileStore(std::string dir);
// Files in memory, for tests.
std::unique_ptr<FileStore> MemoryFileStore();

class Env {
 public:
  virtual ~Env() = default;
  // The real world: the system clocks, files on disk under uploads_dir, the OS's randomness.
  // Default() has no upload folder; the server makes its own Env with one.
  static Env& Default();
  static std::unique_ptr<Env> Real(std::string uploads_dir);

  virtual int64_t NowSeconds() const = 0;                             // Unix seconds
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;  // for timeouts and lifetimes
  virtual FileStore& Files() = 0;
  // 32 random bytes as hex, for seeds and secrets (a FakeEnv gives a counted, predictable one).
  virtual std::string RandomSeed() = 0;

  // The date now in a time zone ("YYYY-MM-DD"); an unknown zone counts as kDefaultTimeZone.
  std::string Today(std::string_view time_zone = kDefaultTimeZone) const { return LocalDate(NowSeconds(), time_zone); }
  // The local date of a Unix time in a time zone (IANA name, from the system's tzdata).
  static std::string LocalDate(int64_t unix_seconds, std::string_view time_zone = kDefaultTimeZone);
  // Whether the system knows the zone.
  static bool KnownTimeZone(std::string_view time_zone);
};

// An Env for tests: time stands still until moved; files in memory.
class FakeEnv final : public Env {
 public:
  explicit FakeEnv(int64_t now_seconds = 1780000000);  // 2026-05-28
  int64_t NowSeconds() const override;
  std::chrono::steady_clock::time_point Monotonic() const override;
  FileStore& Files() override { return *files_; }
  std::string RandomSeed() override;

  void SetNow(int64_t unix_seconds);
  // Moves both clocks forward.
  void Advance(std::chrono::seconds by);

 private:
  mutable std::mutex mu_;
  int64_t now_;
  std::chrono::steady_clock::duration monotonic_{};
  uint64_t seeds_ = 0;
  std::unique_ptr<FileStore> files_;
};

}  // namespace ting
