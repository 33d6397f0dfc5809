#include "ting/base/rng.h"

#include <sodium.h>

namespace ting {

void DeterministicRng::Refill() {
  std::string message = seed_ + ":" + std::to_string(block_index_++);
  crypto_hash_sha256(block_, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  next_word_ = 0;
}

uint64_t DeterministicRng::NextWord() {
  if (next_word_ >= 4) Refill();
  uint64_t x = 0;
  for (int i = 0; i < 8; ++i) x = (x << 8) | block_[next_word_ * 8 + i];
  ++next_word_;
  ++words_used_;
  return x;
}

uint64_t DeterministicRng::Uniform(uint64_t n) {
  // 2^64 mod n, computed without 128-bit arithmetic: (2^64 - n) mod n.
  const uint64_t rejected = (0 - n) % n;
  const uint64_t limit = 0 - rejected;  // 2^64 - rejected, as a wrapped uint64; 0 means "no rejection"
  while (true) {
    uint64_t x = NextWord();
    if (rejected == 0 || x < limit) return x % n;
  }
}

}  // namespace ting
