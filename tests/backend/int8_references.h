// What the int8 layer tests of backend/onednn/ share: random layers and inputs, the
// grids a fake_quant layer builds, and direct loops of what the simulated path computes
// (the input rounded to its grid's codes, s8 weight levels, y = scale[o] * sum k * (c -
// zero_point) + bias[o], zero padding as the float 0, the ReLU).
#pragma once

#ifdef LATHE_HAVE_ONEDNN

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "backend/backend.h"
#include "backend/onednn/int8_convolution.h"
#include "backend/onednn/int8_support.h"

namespace lathe::testing::int8 {

using Floats = std::vector<float>;

inline Floats random_values(std::int64_t count, std::uint32_t seed, float low, float high) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(low, high);
  Floats values(static_cast<std::size_t>(count));
  for (float& v : values) v = distribution(generator);
  return values;
}

// The grids a fake_quant layer builds (nn::QuantGrid), written out: an asymmetric 8-bit
// grid over [low, high] widened to 0, or the symmetric one (zero point 128, codes 1..255).
inline FakeQuantGrid grid_for(float low, float high, bool symmetric) {
  FakeQuantGrid g;
  if (symmetric) {
    g.scale = std::max(std::fabs(low), std::fabs(high)) / 127.0F;
    g.zero_point = 128;
    g.min_code = 1;
  } else {
    g.scale = (std::max(high, 0.0F) - std::min(low, 0.0F)) / 255.0F;
    g.zero_point = static_cast<int>(std::round(-std::min(low, 0.0F) / g.scale));
  }
  g.clamp_low = low;
  g.clamp_high = high;
  return g;
}

// The level of x minus the zero point, as Backend::fake_quantize rounds it.
inline int centred_code(float x, const FakeQuantGrid& g) {
  const float level = std::round(std::clamp(x, g.clamp_low, g.clamp_high) / g.scale) +
                      static_cast<float>(g.zero_point);
  return static_cast<int>(std::clamp(level, static_cast<float>(g.min_code),
                                     static_cast<float>(g.max_code))) -
         g.zero_point;
}

struct LayerCase {
  std::vector<std::int8_t> levels;
  Floats scales;
  Floats bias;
};

// The largest |level| of random layers: 127, or on a CPU whose int8 sums saturate in
// pairs the largest that 8-bit codes multiply exactly (64: backend/onednn/int8_support.h).
inline int largest_random_level() { return std::min(127, onednn::largest_exact_level(255)); }

inline LayerCase random_layer(int outputs, std::int64_t per_output, std::uint32_t seed,
                              int largest_level = largest_random_level()) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> level(-largest_level, largest_level);
  LayerCase c;
  c.levels.resize(static_cast<std::size_t>(outputs * per_output));
  for (std::int8_t& k : c.levels) k = static_cast<std::int8_t>(level(generator));
  c.scales = random_values(outputs, seed + 1, 1e-4F, 1e-3F);
  c.bias = random_values(outputs, seed + 2, -1.0F, 1.0F);
  return c;
}

inline onednn::Int8LayerWeights weights_of(const LayerCase& c, bool relu) {
  return {c.levels, c.scales, c.bias, relu};
}

inline Floats reference_conv(const Conv2dGeometry& g, const Floats& input, const FakeQuantGrid& grid,
                      const LayerCase& c, bool relu) {
  const int oh = g.out_height();
  const int ow = g.out_width();
  Floats out(static_cast<std::size_t>(g.batch) * g.out_channels * oh * ow);
  for (int n = 0; n < g.batch; ++n) {
    for (int o = 0; o < g.out_channels; ++o) {
      for (int y = 0; y < oh; ++y) {
        for (int x = 0; x < ow; ++x) {
          std::int64_t sum = 0;
          for (int ch = 0; ch < g.in_channels; ++ch) {
            for (int i = 0; i < g.kernel_height; ++i) {
              for (int j = 0; j < g.kernel_width; ++j) {
                const int h = y * g.stride - g.padding + i;
                const int w = x * g.stride - g.padding + j;
                if (h < 0 || h >= g.in_height || w < 0 || w >= g.in_width) continue;
                const float v =
                    input[((static_cast<std::size_t>(n) * g.in_channels + ch) * g.in_height + h) *
                              g.in_width + w];
                const int k = c.levels[((static_cast<std::size_t>(o) * g.in_channels + ch) *
                                            g.kernel_height + i) * g.kernel_width + j];
                sum += static_cast<std::int64_t>(k) * centred_code(v, grid);
              }
            }
          }
          float value = static_cast<float>(static_cast<double>(c.scales[o]) * static_cast<double>(sum) +
                                           c.bias[o]);
          if (relu) value = std::max(value, 0.0F);
          out[((static_cast<std::size_t>(n) * g.out_channels + o) * oh + y) * ow + x] = value;
        }
      }
    }
  }
  return out;
}

}  // namespace lathe::testing::int8

#endif  // LATHE_HAVE_ONEDNN
