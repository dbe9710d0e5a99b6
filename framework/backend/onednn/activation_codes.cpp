#include "backend/onednn/activation_codes.h"

#include <algorithm>
#include <cmath>

#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"

namespace lathe::onednn {
namespace {

// std::round written with trunc, which vectorises: v - trunc(v) is exact below 2^23.
inline std::uint8_t code_of(float x, const FakeQuantGrid& g, float low_code, float high_code) {
  const float v = std::clamp(x, g.clamp_low, g.clamp_high) / g.scale;
  float level = std::trunc(v);
  level += std::fabs(v - level) >= 0.5F ? std::copysign(1.0F, v) : 0.0F;
  level += static_cast<float>(g.zero_point);
  return static_cast<std::uint8_t>(std::clamp(level, low_code, high_code));
}

}  // namespace

void quantize_rows(std::int64_t count, const float* x, const FakeQuantGrid& grid, std::uint8_t* codes,
                   int threads) {
  const cpu::ThreadScope thread_scope(threads);
  const auto low = static_cast<float>(grid.min_code);
  const auto high = static_cast<float>(grid.max_code);
#pragma omp parallel for simd if (count >= cpu::kParallelElements)
  for (std::int64_t i = 0; i < count; ++i) codes[i] = code_of(x[i], grid, low, high);
}

void quantize_padded_nhwc(const PaddedImages& s, const float* x, const FakeQuantGrid& grid,
                          std::uint8_t* codes, int threads) {
  const cpu::ThreadScope thread_scope(threads);
  const auto low = static_cast<float>(grid.min_code);
  const auto high = static_cast<float>(grid.max_code);
  const auto zero = static_cast<std::uint8_t>(grid.zero_point);
  const std::int64_t plane = static_cast<std::int64_t>(s.height) * s.width;
  const std::int64_t out_row = static_cast<std::int64_t>(s.padded_width) * s.channels;
  const std::int64_t rows = static_cast<std::int64_t>(s.batch) * s.padded_height;
  const std::int64_t elements = rows * out_row;
#pragma omp parallel for if (elements >= cpu::kParallelElements)
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t n = r / s.padded_height;
    const int h = static_cast<int>(r % s.padded_height) - s.pad_top;
    std::uint8_t* out = codes + r * out_row;
    if (h < 0 || h >= s.height) {
      std::fill(out, out + out_row, zero);
      continue;
    }
    const int w_begin = std::max(0, s.pad_left);
    const int w_end = std::min(s.padded_width, s.width + s.pad_left);
    std::fill(out, out + static_cast<std::int64_t>(w_begin) * s.channels, zero);
    std::fill(out + static_cast<std::int64_t>(std::max(w_end, w_begin)) * s.channels, out + out_row,
              zero);
    for (int c = 0; c < s.channels; ++c) {
      const float* in = x + (n * s.channels + c) * plane + static_cast<std::int64_t>(h) * s.width;
      for (int w = w_begin; w < w_end; ++w) {
        out[static_cast<std::int64_t>(w) * s.channels + c] = code_of(in[w - s.pad_left], grid, low, high);
      }
    }
  }
}

AccumulatorFold fold_accumulator(std::span<const std::int8_t> levels, std::span<const float> scales,
                                 std::span<const float> bias, int zero_point) {
  LATHE_CHECK(!scales.empty() && bias.size() == scales.size() &&
                  levels.size() % scales.size() == 0,
              "onednn int8: ", levels.size(), " weight levels, ", scales.size(), " scales and ",
              bias.size(), " biases: expected one scale and one bias per output");
  const std::size_t per_output = levels.size() / scales.size();
  AccumulatorFold fold;
  fold.output_scales.assign(scales.begin(), scales.end());
  fold.bias.resize(scales.size());
  for (std::size_t o = 0; o < scales.size(); ++o) {
    LATHE_CHECK(std::isfinite(scales[o]) && scales[o] != 0.0F, "onednn int8: output ", o,
                " has scale ", scales[o], ": expected a finite non-zero scale");
    std::int64_t level_sum = 0;
    for (std::size_t k = 0; k < per_output; ++k) level_sum += levels[o * per_output + k];
    fold.bias[o] = bias[o] / scales[o] -
                   static_cast<float>(static_cast<std::int64_t>(zero_point) * level_sum);
  }
  return fold;
}

}  // namespace lathe::onednn
