#include "strategies/rng.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"

namespace lathe::search {
namespace {

TEST(Rng, GivesTheReferenceXoshiro256StarStarStream) {
  // xoshiro256** seeded with four SplitMix64 outputs from 1, computed independently.
  Rng rng(1);
  EXPECT_EQ(rng.next(), 0xb3f2af6d0fc710c5ULL);
  EXPECT_EQ(rng.next(), 0x853b559647364ceaULL);
  EXPECT_EQ(rng.next(), 0x92f89756082a4514ULL);
}

TEST(Rng, DifferentSeedsGiveDifferentStreams) {
  Rng a(1);
  Rng b(2);
  EXPECT_NE(a.next(), b.next());
}

TEST(Rng, UniformStaysInTheHalfOpenUnitInterval) {
  Rng rng(7);
  double sum = 0.0;
  for (int i = 0; i < 10000; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 10000.0, 0.5, 0.02);
}

TEST(Rng, UniformOnARangeNeverReachesItsUpperEnd) {
  Rng rng(3);
  for (int i = 0; i < 10000; ++i) {
    const double value = rng.uniform(-2.0, 5.0);
    ASSERT_GE(value, -2.0);
    ASSERT_LT(value, 5.0);
  }
  EXPECT_EQ(rng.uniform(4.0, 4.0), 4.0);
}

TEST(Rng, UniformIntHitsBothEndsAndNothingOutside) {
  Rng rng(11);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const std::int64_t value = rng.uniform_int(-3, 4);
    ASSERT_GE(value, -3);
    ASSERT_LE(value, 4);
    seen.insert(value);
  }
  EXPECT_EQ(seen.size(), 8U);
  EXPECT_EQ(rng.uniform_int(9, 9), 9);
}

TEST(Rng, BelowRefusesAnEmptyRange) {
  Rng rng(1);
  EXPECT_THROW(rng.below(0), Error);
  EXPECT_THROW(rng.uniform_int(2, 1), Error);
}

}  // namespace
}  // namespace lathe::search
