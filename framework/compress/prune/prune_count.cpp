#include "compress/prune/prune_count.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lathe::compress {

std::int64_t knee_prune_count(std::span<const double> saliencies) {
  const auto n = static_cast<std::int64_t>(saliencies.size());
  if (n <= 2) return 1;
  std::vector<double> curve(saliencies.begin(), saliencies.end());
  std::sort(curve.begin(), curve.end());
  const double rise = curve.back() - curve.front();
  if (rise <= 0.0) return 1;
  std::int64_t knee = 0;
  double deepest = 0.0;
  for (std::int64_t k = 0; k < n; ++k) {
    const double x = static_cast<double>(k) / static_cast<double>(n - 1);
    const double y = (curve[static_cast<std::size_t>(k)] - curve.front()) / rise;
    if (x - y > deepest) {  // the chord is y = x after scaling
      deepest = x - y;
      knee = k;
    }
  }
  return std::clamp<std::int64_t>(knee + 1, 1, n - 1);
}

std::int64_t ratio_prune_count(std::int64_t channels, double ratio) {
  const auto count = static_cast<std::int64_t>(std::floor(ratio * static_cast<double>(channels)));
  return std::max<std::int64_t>(count, 1);
}

std::int64_t threshold_prune_count(std::span<const double> saliencies, double threshold) {
  double largest = 0.0;
  for (double s : saliencies) largest = std::max(largest, std::abs(s));
  std::int64_t count = 0;
  for (double s : saliencies) {
    const double normalised = largest > 0.0 ? s / largest : 0.0;
    if (normalised < threshold) ++count;
  }
  return count;
}

std::vector<std::int64_t> least_salient_channels(std::span<const double> saliencies,
                                                 std::int64_t count) {
  std::vector<std::int64_t> order(saliencies.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return saliencies[static_cast<std::size_t>(a)] < saliencies[static_cast<std::size_t>(b)];
  });
  const auto available = static_cast<std::int64_t>(order.size());
  order.resize(static_cast<std::size_t>(std::clamp<std::int64_t>(count, 0, available)));
  std::sort(order.begin(), order.end());
  return order;
}

}  // namespace lathe::compress
