#pragma once
// SHA-256 (libsodium) for published digests: a pool's inputs, an export file.

#include <string>
#include <string_view>

namespace ting {

// Lower-case hex SHA-256 of data.
std::string Sha256Hex(std::string_view data);
// HMAC-SHA256 of data under key, lower-case hex (keyed hashes: CSRF tokens, person ids).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  std::string FinishHex();  // REQUIRES: called once

 private:
  alignas(64) unsigned char state_[128];  // crypto_hash_sha256_state, kept opaque here
};

}  // namespace ting
