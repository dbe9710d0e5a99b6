#include "backend/onednn/activation_codes.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"

namespace lathe::onednn {
namespace {

// The grid's numbers as locals: read through the grid, the compiler reloads them after
// every u8 store (a u8 pointer may alias them) and cannot vectorise the loop.
struct Rounding {
  float scale, low, high, zero_point, min_code, max_code;
  // x / scale held within one level beyond the codes' ends: the result is the same after
  // the final clamp, and the conversion to int is always defined.
  float level_low, level_high;
  explicit Rounding(const FakeQuantGrid& g)
      : scale(g.scale), low(g.clamp_low), high(g.clamp_high),
        zero_point(static_cast<float>(g.zero_point)), min_code(static_cast<float>(g.min_code)),
        max_code(static_cast<float>(g.max_code)),
        level_low(static_cast<float>(g.min_code - g.zero_point - 1)),
        level_high(static_cast<float>(g.max_code - g.zero_point + 1)) {}

  // std::round (halves away from zero) by truncation to int and the exact fraction
  // v - trunc(v): std::trunc and a float select keep GCC from vectorising the loop.
  [[nodiscard]] std::uint8_t code(float x) const {
    const float v =
        std::min(std::max(std::min(std::max(x, low), high) / scale, level_low), level_high);
    const auto whole = static_cast<int>(v);
    const float fraction = v - static_cast<float>(whole);
    const int rounded = whole + (fraction >= 0.5F ? 1 : 0) - (fraction <= -0.5F ? 1 : 0);
    const float level =
        std::min(std::max(static_cast<float>(rounded) + zero_point, min_code), max_code);
    return static_cast<std::uint8_t>(static_cast<int>(level));
  }
};

// One thread's share, vectorised: the rounding by value and restrict pointers, so nothing
// is reloaded per element (an OpenMP region would share the rounding by pointer).
void round_span(const float* __restrict x, std::uint8_t* __restrict codes, std::int64_t count,
                const Rounding rounding) {
#pragma omp simd
  for (std::int64_t i = 0; i < count; ++i) codes[i] = rounding.code(x[i]);
}

constexpr std::int64_t kChunk = 16384;

}  // namespace

void quantize_rows(std::int64_t count, const float* x, const FakeQuantGrid& grid, std::uint8_t* codes,
                   int threads) {
  const cpu::ThreadScope thread_scope(threads);
  const Rounding rounding(grid);
  const std::int64_t chunks = (count + kChunk - 1) / kChunk;
#pragma omp parallel for if (count >= cpu::kParallelElements)
  for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
    const std::int64_t begin = chunk * kChunk;
    round_span(x + begin, codes + begin, std::min(kChunk, count - begin), rounding);
  }
}

void quantize_padded_nhwc(const PaddedImages& s, const float* x, const FakeQuantGrid& grid,
                          std::uint8_t* codes, int threads) {
  const cpu::ThreadScope thread_scope(threads);
  const Rounding rounding(grid);
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
        out[static_cast<std::int64_t>(w) * s.channels + c] = rounding.code(in[w - s.pad_left]);
      }
    }
  }
}

void pad_one_channel(const PaddedImages& s, const std::uint8_t* codes, std::uint8_t zero_code,
                     std::uint8_t* padded) {
  LATHE_CHECK(s.channels == 1, "onednn int8: pad_one_channel on ", s.channels, " channels");
  const std::int64_t rows = std::int64_t{s.batch} * s.padded_height;
  const int w_begin = std::max(0, s.pad_left);
  const int w_end = std::min(s.padded_width, s.width + s.pad_left);
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t n = r / s.padded_height;
    const int h = static_cast<int>(r % s.padded_height) - s.pad_top;
    std::uint8_t* out = padded + r * s.padded_width;
    if (h < 0 || h >= s.height || w_end <= w_begin) {
      std::memset(out, zero_code, static_cast<std::size_t>(s.padded_width));
      continue;
    }
    std::memset(out, zero_code, static_cast<std::size_t>(w_begin));
    std::memcpy(out + w_begin, codes + (n * s.height + h) * s.width + (w_begin - s.pad_left),
                static_cast<std::size_t>(w_end - w_begin));
    std::memset(out + w_end, zero_code, static_cast<std::size_t>(s.padded_width - w_end));
  }
}

namespace {

// One output row's patches, the window's size fixed at compile time where it is a
// common one (the copies then unroll into plain loads and stores) or given at run time.
template <int kFixedHeight, int kFixedWidth>
void gather_patch_row(const std::uint8_t* __restrict rows, std::int64_t padded_width,
                      const PatchShape& patch, std::uint8_t* __restrict out) {
  const int kh = kFixedHeight > 0 ? kFixedHeight : patch.kernel_height;
  const int kw = kFixedWidth > 0 ? kFixedWidth : patch.kernel_width;
  const int per_patch = kh * kw;
  // All but the last patch move each window row as 8 bytes: the spill is overwritten by
  // the next window row or patch. The last copies exactly: a spill would reach the next
  // row's patches, which another thread may have written already.
  for (int x = 0; x + 1 < patch.out_width; ++x) {
    const std::uint8_t* window = rows + std::int64_t{x} * patch.stride;
    std::uint8_t* to = out + std::int64_t{x} * per_patch;
    for (int i = 0; i < kh; ++i) {
      std::uint64_t eight = 0;
      std::memcpy(&eight, window + i * padded_width, sizeof eight);
      std::memcpy(to + i * kw, &eight, sizeof eight);
    }
  }
  const int x = patch.out_width - 1;
  const std::uint8_t* window = rows + std::int64_t{x} * patch.stride;
  std::uint8_t* to = out + std::int64_t{x} * per_patch;
  for (int i = 0; i < kh; ++i) {
    for (int j = 0; j < kw; ++j) to[i * kw + j] = window[i * padded_width + j];
  }
}

}  // namespace

void gather_patches(const PaddedImages& s, const PatchShape& patch, const std::uint8_t* codes,
                    std::uint8_t* patches, int threads) {
  LATHE_CHECK(s.channels == 1 && patch.kernel_width <= kWidestPatchRow, "onednn int8: patches of ",
              s.channels, " channels and ", patch.kernel_width, " columns: expected 1 channel and at most ",
              kWidestPatchRow, " columns");
  const cpu::ThreadScope thread_scope(threads);
  const int per_patch = patch.kernel_height * patch.kernel_width;
  const std::int64_t rows = std::int64_t{s.batch} * patch.out_height;
  const auto row = patch.kernel_height == 3 && patch.kernel_width == 3   ? gather_patch_row<3, 3>
                   : patch.kernel_height == 5 && patch.kernel_width == 5 ? gather_patch_row<5, 5>
                                                                         : gather_patch_row<0, 0>;
#pragma omp parallel for if (rows * patch.out_width * per_patch >= cpu::kParallelElements)
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t n = r / patch.out_height;
    const auto y = static_cast<int>(r % patch.out_height);
    const std::uint8_t* image = codes + n * s.padded_height * s.padded_width;
    row(image + std::int64_t{y} * patch.stride * s.padded_width, s.padded_width, patch,
        patches + r * patch.out_width * per_patch);
  }
}

void average_planes_to_codes(int batch, int plane, int channels, const float* nhwc,
                             const FakeQuantGrid& grid, std::uint8_t* codes, int threads) {
  const cpu::ThreadScope thread_scope(threads);
  const Rounding rounding(grid);
  const float inverse_area = 1.0F / static_cast<float>(plane);
  constexpr int kBlock = 64;  // channels summed at once, in registers and on the stack
  const std::int64_t elements = std::int64_t{batch} * plane * channels;
#pragma omp parallel for if (elements >= cpu::kParallelElements)
  for (int n = 0; n < batch; ++n) {
    const float* image = nhwc + std::int64_t{n} * plane * channels;
    for (int c0 = 0; c0 < channels; c0 += kBlock) {
      const int width = std::min(kBlock, channels - c0);
      float sums[kBlock] = {};
      for (int p = 0; p < plane; ++p) {
        const float* pixel = image + std::int64_t{p} * channels + c0;
#pragma omp simd
        for (int c = 0; c < width; ++c) sums[c] += pixel[c];
      }
      std::uint8_t* out = codes + std::int64_t{n} * channels + c0;
      for (int c = 0; c < width; ++c) out[c] = rounding.code(sums[c] * inverse_area);
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
