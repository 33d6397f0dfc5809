#include <cstdio>
#include "ting/base/env.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <date/tz.h>
#include <sodium.h>

#include "ting/base/strings.h"

namespace ting {

namespace {

class DiskFiles final : public FileStore {
 public:
  explicit DiskFiles(std::string dir) : dir_(std::move(dir)) {}
  bool enabled() const override { return !dir_.empty(); }

  Status Put(const std::string& name, std::string_view data) override {
    if (dir_.empty()) return Error::Io("no folder for uploaded files is configured");
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    auto path = std::filesystem::path(dir_) / name;
    auto tmp = path;
    tmp += ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary);
      out.write(data.data(), static_cast<std::streamsize>(data.size()));
      if (!out) return Error::Io("cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) return Error::Io("cannot move " + tmp.string() + " into place: " + ec.message());
    return {};
  }

  Result<std::string> Get(const std::string& name) const override {
    std::ifstream in(std::filesystem::path(dir_) / name, std::ios::binary);
    if (dir_.empty() || !in) return Error::NotFound("no file " + name);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string dir_;
};

class MemoryFiles final : public FileStore {
 public:
  bool enabled() const override { return true; }
  Status Put(const std::string& name, std::string_view data) override {
    std::lock_guard lock(mu_);
    files_[name] = std::string(data);
    return {};
  }
  Result<std::string> Get(const std::string& name) const override {
    std::lock_guard lock(mu_);
    auto it = files_.find(name);
    if (it == files_.end()) return Error::NotFound("no file " + name);
    return it->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> files_;
};

class RealEnv final : public Env {
 public:
  explicit RealEnv(std::string uploads_dir) : files_(DiskFileStore(std::move(uploads_dir))) {}
  int64_t NowSeconds() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
  std::chrono::steady_clock::time_point Monotonic() const override { return std::chrono::steady_clock::now(); }
  FileStore& Files() override { return *files_; }
  std::string RandomSeed() override {
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  }

 private:
  std::unique_ptr<FileStore> files_;
};

const date::time_zone* Zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

std::unique_ptr<FileStore> DiskFileStore(std::string dir) { return std::make_unique<DiskFiles>(std::move(dir)); }
std::unique_ptr<FileStore> MemoryFileStore() { return std::make_unique<MemoryFiles>(); }

Env& Env::Default() {
  static RealEnv* env = new RealEnv("");
  return *env;
}

std::unique_ptr<Env> Env::Real(std::string uploads_dir) { return std::make_unique<RealEnv>(std::move(uploads_dir)); }

bool Env::KnownTimeZone(std::string_view time_zone) { return Zone(time_zone) != nullptr; }

std::string Env::LocalDate(int64_t unix_seconds, std::string_view time_zone) {
  const date::time_zone* zone = Zone(time_zone);
  if (!zone) zone = Zone(kDefaultTimeZone);
  auto utc = date::sys_seconds{std::chrono::seconds(unix_seconds)};
  // The days since the epoch, local when there is tzdata (else UTC), written without streams:
  // every ballot asks for today, and date::format builds a locale each time (measured: the
  // ballots per second fell by a third when the ballot's write asked twice).
  date::days day = zone ? date::floor<date::days>(zone->to_local(utc)).time_since_epoch() : date::floor<date::days>(utc).time_since_epoch();
  date::year_month_day ymd{date::sys_days{day}};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return out;
}

FakeEnv::FakeEnv(int64_t now_seconds) : now_(now_seconds), files_(MemoryFileStore()) {}

int64_t FakeEnv::NowSeconds() const {
  std::lock_guard lock(mu_);
  return now_;
}

std::chrono::steady_clock::time_point FakeEnv::Monotonic() const {
  std::lock_guard lock(mu_);
  return std::chrono::steady_clock::time_point(monotonic_);
}

std::string FakeEnv::RandomSeed() {
  std::lock_guard lock(mu_);
  return "fake-seed-" + std::to_string(++seeds_);
}

void FakeEnv::SetNow(int64_t unix_seconds) {
  std::lock_guard lock(mu_);
  if (unix_seconds > now_) monotonic_ += std::chrono::seconds(unix_seconds - now_);
  now_ = unix_seconds;
}

void FakeEnv::Advance(std::chrono::seconds by) {
  std::lock_guard lock(mu_);
  now_ += by.count();
  monotonic_ += by;
}

}  // namespace ting
