// How far the integer path's logits are from the simulated path's: the measures behind
// the stated tolerance (every logit within 1% of the logits' scale, predictions that
// differ on at most 0.1% of the images).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace lathe::recipe::test_support {

// Rows of `classes` logits whose largest entry differs between `a` and `b`.
inline int differing_predictions(const std::vector<float>& a, const std::vector<float>& b, int classes) {
  int differing = 0;
  for (std::size_t row = 0; row < a.size(); row += static_cast<std::size_t>(classes)) {
    const auto a_row = a.begin() + static_cast<std::ptrdiff_t>(row);
    const auto b_row = b.begin() + static_cast<std::ptrdiff_t>(row);
    differing += std::max_element(a_row, a_row + classes) - a_row !=
                 std::max_element(b_row, b_row + classes) - b_row;
  }
  return differing;
}

// The largest |actual - expected| over the largest |expected|.
inline double largest_gap_over_scale(const std::vector<float>& actual, const std::vector<float>& expected) {
  double scale = 0.0;
  double gap = 0.0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    scale = std::max(scale, std::fabs(static_cast<double>(expected[i])));
    gap = std::max(gap, std::fabs(static_cast<double>(actual[i]) - expected[i]));
  }
  return gap / std::max(scale, 1e-6);
}

}  // namespace lathe::recipe::test_support
