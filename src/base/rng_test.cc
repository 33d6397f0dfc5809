#include "ting/base/rng.h"

#include <sodium.h>

#include <gtest/gtest.h>

#include <vector>

namespace ting {
namespace {

TEST(DeterministicRngTest, FirstWordIsTheFirstEightBytesOfSha256OfSeedColonZero) {
  // SHA-256("42:0"), computed independently of the class under test.
  unsigned char digest[32];
  const std::string message = "42:0";
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  uint64_t expected = 0;
  for (int i = 0; i < 8; ++i) expected = (expected << 8) | digest[i];
  DeterministicRng rng("42");
  EXPECT_EQ(rng.NextWord(), expected);
}

TEST(DeterministicRngTest, SameSeedSameStreamOtherSeedOtherStream) {
  DeterministicRng rng("20260101");
  DeterministicRng again("20260101");
  std::vector<uint64_t> a, b;
  for (int i = 0; i < 9; ++i) a.push_back(rng.NextWord());
  for (int i = 0; i < 9; ++i) b.push_back(again.NextWord());
  EXPECT_EQ(a, b);
  DeterministicRng other("20260102");
  EXPECT_NE(other.NextWord(), a[0]);
}

TEST(DeterministicRngTest, UniformStaysInRangeAndCoversIt) {
  DeterministicRng rng("cover");
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 7000; ++i) {
    uint64_t x = rng.Uniform(7);
    ASSERT_LT(x, 7u);
    ++seen[x];
  }
  for (int c : seen) EXPECT_GT(c, 800);
  EXPECT_EQ(rng.Uniform(1), 0u);
}

}  // namespace
}  // namespace ting
