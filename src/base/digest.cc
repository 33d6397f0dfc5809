#include "ting/base/digest.h"

#include <sodium.h>

#include "ting/base/strings.h"

namespace ting {

static_assert(sizeof(crypto_hash_sha256_state) <= 128, "state_ too small");

std::string Sha256Hex(std::string_view data) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return HexEncode(std::string_view(reinterpret_cast<char*>(out), sizeof out));
}

Sha256::Sha256() { crypto_hash_sha256_init(reinterpret_cast<crypto_hash_sha256_state*>(state_)); }

void Sha256::Update(std::string_view data) {
  crypto_hash_sha256_update(reinterpret_cast<crypto_hash_sha256_state*>(state_),
                            reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

std::string Sha256::FinishHex() {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(reinterpret_cast<crypto_hash_sha256_state*>(state_), out);
  return HexEncode(std::string_view(reinterpret_cast<char*>(out), sizeof out));
}

}  // namespace ting
