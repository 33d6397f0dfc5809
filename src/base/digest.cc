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

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return HexEncode(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
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
