#include "backend/onednn/u8_max_pooling.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <omp.h>

#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"

namespace lathe::onednn {
namespace {

// out[i] = max(out[i], in[i]): vectorised, the pointers do not alias.
void keep_larger(std::uint8_t* __restrict out, const std::uint8_t* __restrict in, std::int64_t count) {
#pragma omp simd
  for (std::int64_t i = 0; i < count; ++i) out[i] = std::max(out[i], in[i]);
}

// A pixel's few codes: a call to memcpy per pixel cost more than the copy.
void copy_codes(std::uint8_t* __restrict out, const std::uint8_t* __restrict in, std::int64_t count) {
#pragma omp simd
  for (std::int64_t i = 0; i < count; ++i) out[i] = in[i];
}

}  // namespace

struct U8MaxPooling::Cache {
  Pool2dGeometry geometry;
  std::vector<std::uint8_t> column_maxima;  // one input row per thread, grown once
};

U8MaxPooling::U8MaxPooling(const Pool2dGeometry& g) : cache_(std::make_unique<Cache>()) {
  LATHE_CHECK(g.channels > 0 && g.kernel > 0 && g.stride > 0 && g.out_height() > 0 &&
                  g.out_width() > 0 && 2 * g.padding <= g.kernel,
              "u8 maxpool: cannot pool a ", g.channels, "x", g.in_height, "x", g.in_width,
              " input with a ", g.kernel, "x", g.kernel, " window, stride ", g.stride,
              " and padding ", g.padding);
  cache_->geometry = g;
}

U8MaxPooling::~U8MaxPooling() = default;

// Per output row: the maxima over the window's input rows first, one long vectorised
// pass over a whole row of pixels, then over each window's columns of that row.
void U8MaxPooling::forward(int batch, const std::uint8_t* input, std::uint8_t* output, int threads) {
  Cache& cache = *cache_;
  const Pool2dGeometry& g = cache.geometry;
  const cpu::ThreadScope thread_scope(threads);
  const int oh = g.out_height();
  const int ow = g.out_width();
  const std::int64_t rows = std::int64_t{batch} * oh;
  const std::int64_t in_row = std::int64_t{g.in_width} * g.channels;
  const auto row_bytes = static_cast<std::size_t>(in_row);
  if (cache.column_maxima.size() < row_bytes * static_cast<std::size_t>(threads)) {
    cache.column_maxima.resize(row_bytes * static_cast<std::size_t>(threads));
  }
  std::uint8_t* scratch = cache.column_maxima.data();
#pragma omp parallel for if (rows * ow * g.channels * g.kernel * g.kernel >= cpu::kParallelElements)
  for (std::int64_t r = 0; r < rows; ++r) {
    std::uint8_t* maxima = scratch + static_cast<std::size_t>(omp_get_thread_num()) * row_bytes;
    const std::int64_t n = r / oh;
    const auto y = static_cast<int>(r % oh);
    const std::uint8_t* image = input + n * g.in_height * in_row;
    // Padding cells are left out of the window; each window holds at least one input cell
    // (the padding is at most half the kernel).
    const int h_begin = std::max(0, y * g.stride - g.padding);
    const int h_end = std::min(g.in_height, y * g.stride - g.padding + g.kernel);
    std::memcpy(maxima, image + h_begin * in_row, row_bytes);
    for (int h = h_begin + 1; h < h_end; ++h) keep_larger(maxima, image + h * in_row, in_row);
    for (int x = 0; x < ow; ++x) {
      const int w_begin = std::max(0, x * g.stride - g.padding);
      const int w_end = std::min(g.in_width, x * g.stride - g.padding + g.kernel);
      std::uint8_t* out = output + (r * ow + x) * g.channels;
      copy_codes(out, maxima + std::int64_t{w_begin} * g.channels, g.channels);
      for (int w = w_begin + 1; w < w_end; ++w) {
        keep_larger(out, maxima + std::int64_t{w} * g.channels, g.channels);
      }
    }
  }
}

}  // namespace lathe::onednn
