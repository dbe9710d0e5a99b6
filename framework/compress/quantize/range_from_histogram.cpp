#include "compress/quantize/range_from_histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "nn/layers/fake_quant.h"

namespace lathe::compress::quantize {
namespace {

constexpr int kSearchSteps = 128;

}  // namespace

ValueHistogram::ValueHistogram(float low, float high, int bins)
    : low_(low), high_(std::max(high, low)), counts_(static_cast<std::size_t>(bins), 0) {
  LATHE_CHECK(bins >= 1, "histogram: at least one bin, got ", bins);
  width_ = (high_ - low_) / static_cast<float>(bins);
}

void ValueHistogram::add(std::span<const float> values) {
  const int last = bins() - 1;
  for (const float v : values) {
    int bin = width_ > 0.0F ? static_cast<int>((v - low_) / width_) : 0;
    bin = std::clamp(bin, 0, last);
    ++counts_[static_cast<std::size_t>(bin)];
  }
  total_ += static_cast<std::int64_t>(values.size());
}

float ValueHistogram::bin_center(int bin) const {
  return low_ + width_ * (static_cast<float>(bin) + 0.5F);
}

ActivationRange percentile_range(const ValueHistogram& histogram, double percentile) {
  LATHE_CHECK(percentile > 50.0 && percentile <= 100.0,
              "percentile calibration: expected a percentile in (50, 100], got ", percentile);
  const double tail = static_cast<double>(histogram.total()) * (100.0 - percentile) / 100.0;
  ActivationRange range{histogram.low(), histogram.high()};
  // Lower bound: the left edge of the bin where more than `tail` values lie at or below.
  double below = 0.0;
  for (int b = 0; b < histogram.bins(); ++b) {
    below += static_cast<double>(histogram.count(b));
    if (below > tail) {
      range.min = histogram.low() + histogram.bin_width() * static_cast<float>(b);
      break;
    }
  }
  double above = 0.0;
  for (int b = histogram.bins() - 1; b >= 0; --b) {
    above += static_cast<double>(histogram.count(b));
    if (above > tail) {
      range.max = histogram.low() + histogram.bin_width() * static_cast<float>(b + 1);
      break;
    }
  }
  range.max = std::min(range.max, histogram.high());  // float rounding at the last edge
  return range;
}

double quantization_mse(const ValueHistogram& histogram, ActivationRange range, int bits,
                        bool symmetric) {
  const nn::QuantGrid grid = nn::QuantGrid::for_range(range.min, range.max, bits, symmetric);
  double squared = 0.0;
  for (int b = 0; b < histogram.bins(); ++b) {
    if (histogram.count(b) == 0) continue;
    const float x = histogram.bin_center(b);
    const double error = grid.fake(std::clamp(x, range.min, range.max)) - x;
    squared += static_cast<double>(histogram.count(b)) * error * error;
  }
  return histogram.total() > 0 ? squared / static_cast<double>(histogram.total()) : 0.0;
}

ActivationRange mse_range(const ValueHistogram& histogram, int bits, bool symmetric) {
  const float low = histogram.low();
  const float high = histogram.high();
  ActivationRange best{low, high};
  double best_error = quantization_mse(histogram, best, bits, symmetric);
  const auto try_range = [&](ActivationRange candidate) {
    const double error = quantization_mse(histogram, candidate, bits, symmetric);
    if (error < best_error) {
      best_error = error;
      best = candidate;
    }
  };
  if (symmetric) {
    // One bound b for the signed grid: the range is the observed one cut to [-b, b].
    const float bound = std::max(std::fabs(low), std::fabs(high));
    for (int k = 1; k < kSearchSteps; ++k) {
      const float b = bound * static_cast<float>(k) / kSearchSteps;
      try_range({std::max(low, -b), std::min(high, b)});
    }
    return best;
  }
  for (int round = 0; round < 2; ++round) {
    const ActivationRange start = best;
    for (int k = 1; k < kSearchSteps && high > 0.0F; ++k) {
      try_range({start.min, high * static_cast<float>(k) / kSearchSteps});
    }
    const ActivationRange with_max = best;
    for (int k = 1; k < kSearchSteps && low < 0.0F; ++k) {
      try_range({low * static_cast<float>(k) / kSearchSteps, with_max.max});
    }
  }
  return best;
}

}  // namespace lathe::compress::quantize
