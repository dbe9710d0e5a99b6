// The comparison the engine's numerical tests share: the largest |actual - expected| /
// (1 + |expected|) over two equally long sequences, relative for large values and
// absolute near zero, where a relative error means nothing. A NaN on either side makes
// it NaN, so any `< tolerance` check fails.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace lathe::testing {

template <class Actual, class Expected>
double max_error(const Actual& actual, const Expected& expected) {
  EXPECT_EQ(actual.size(), expected.size());
  const auto count = static_cast<std::int64_t>(std::min<std::size_t>(
      static_cast<std::size_t>(actual.size()), static_cast<std::size_t>(expected.size())));
  double worst = 0.0;
  for (std::int64_t i = 0; i < count; ++i) {
    const auto e = static_cast<double>(expected[i]);
    const double difference = std::abs(static_cast<double>(actual[i]) - e) / (1.0 + std::abs(e));
    if (!(difference <= worst)) worst = difference;  // a NaN sticks
  }
  return worst;
}

}  // namespace lathe::testing
