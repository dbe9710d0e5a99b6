// Choosing an activation range from the values a calibration run saw (post-training
// quantisation): a fixed-bin histogram over [min, max], and the clipping range that a
// percentile or the least quantisation error picks from it. Clipping a few outliers
// buys a finer grid for the bulk of the values.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lathe::compress::quantize {

struct ActivationRange {
  float min = 0.0F;
  float max = 0.0F;
};

class ValueHistogram {
 public:
  // `bins` equal bins over [low, high]; values outside are counted in the end bins.
  ValueHistogram(float low, float high, int bins = 2048);
  void add(std::span<const float> values);

  [[nodiscard]] float low() const { return low_; }
  [[nodiscard]] float high() const { return high_; }
  [[nodiscard]] int bins() const { return static_cast<int>(counts_.size()); }
  [[nodiscard]] std::int64_t count(int bin) const { return counts_[static_cast<std::size_t>(bin)]; }
  [[nodiscard]] std::int64_t total() const { return total_; }
  [[nodiscard]] float bin_width() const { return width_; }
  [[nodiscard]] float bin_center(int bin) const;

 private:
  float low_;
  float high_;
  float width_;
  std::vector<std::int64_t> counts_;
  std::int64_t total_ = 0;
};

// The range holding `percentile` percent of the values at each end (the lower bound at
// the 100 - percentile point), rounded outwards to bin edges so it never clips more
// than asked (a ReLU output keeps its minimum at exactly 0).
ActivationRange percentile_range(const ValueHistogram& histogram, double percentile);

// The clipping range whose fake quantisation (the same grid as the fake_quant layer)
// gives the least mean squared error over the histogram: each bound searched on its own
// over 128 fractions of the observed one, twice round (coordinate descent).
ActivationRange mse_range(const ValueHistogram& histogram, int bits, bool symmetric);
// The histogram's mean squared error under fake quantisation with `range`.
double quantization_mse(const ValueHistogram& histogram, ActivationRange range, int bits,
                        bool symmetric);

}  // namespace lathe::compress::quantize
