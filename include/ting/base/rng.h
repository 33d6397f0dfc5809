#pragma once
// A deterministic random generator for public draws: the same seed gives the same numbers on
// every machine, compiler and standard library (std::uniform_*_distribution does not promise
// that). Protocol ("ting-rng-v1"):
//   block i  = SHA-256( seed_bytes || ":" || decimal(i) ),  i = 0, 1, 2, ...
//   the 32 bytes of each block are read as four big-endian uint64 words, in order.
// Uniform integers in [0, n) use rejection: draw a word x, reject while x >= 2^64 - (2^64 mod n),
// return x mod n. So anyone can re-run a draw from the seed with a few lines of any language.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ting {

class DeterministicRng {
 public:
  explicit DeterministicRng(std::string_view seed) : seed_(seed) {}

  // The next 64-bit word of the stream.
  uint64_t NextWord();
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n);
  // Shuffles items in place (Fisher-Yates from the back, each swap partner drawn by Uniform), so
  // the same seed gives the same order everywhere: a ballot's per-voter project order, a
  // visitor's random list of proposals.
  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[Uniform(i)]);
  }
  // Number of words consumed so far (for logs).
  uint64_t words_used() const { return words_used_; }

 private:
  void Refill();

  std::string seed_;
  uint64_t block_index_ = 0;
  uint64_t words_used_ = 0;
  unsigned char block_[32] = {};
  int next_word_ = 4;  // 4 = block exhausted
};

}  // namespace ting
