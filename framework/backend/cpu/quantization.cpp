// Fake quantisation on the CPU: the reference for FakeQuantGrid's rounding rule.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"

namespace lathe {
namespace {

float fake_quantized(float x, const FakeQuantGrid& g) {
  const float clamped = std::clamp(x, g.clamp_low, g.clamp_high);
  const float level = std::round(clamped / g.scale) + static_cast<float>(g.zero_point);
  const float code =
      std::clamp(level, static_cast<float>(g.min_code), static_cast<float>(g.max_code));
  return g.scale * (code - static_cast<float>(g.zero_point));
}

}  // namespace

void CpuBackend::min_max_rows(int rows, std::int64_t cols, const float* x, float* row_min,
                              float* row_max) {
  const cpu::ThreadScope thread_scope(threads_);
  LATHE_CHECK(rows > 0 && cols > 0, "cpu min_max_rows: empty ", rows, " x ", cols, " matrix");
  // fmin / fmax skip NaNs (a row of NaNs gives NaN), as the CUDA backend's reduction.
  for (int r = 0; r < rows; ++r) {
    const float* row = x + static_cast<std::int64_t>(r) * cols;
    float low = row[0];
    float high = row[0];
    for (std::int64_t c = 1; c < cols; ++c) {
      low = std::fmin(low, row[c]);
      high = std::fmax(high, row[c]);
    }
    row_min[r] = low;
    row_max[r] = high;
  }
}

void CpuBackend::fake_quantize(int rows, std::int64_t cols, const float* x,
                               std::span<const FakeQuantGrid> grids, float* y) {
  const cpu::ThreadScope thread_scope(threads_);
  LATHE_CHECK(grids.size() == 1 || grids.size() == static_cast<std::size_t>(rows),
              "cpu fake_quantize: ", grids.size(), " grids for ", rows, " rows");
  const std::int64_t n = static_cast<std::int64_t>(rows) * cols;
#pragma omp parallel for if (n >= cpu::kParallelElements)
  for (std::int64_t i = 0; i < n; ++i) {
    const FakeQuantGrid& g = grids.size() == 1 ? grids[0] : grids[static_cast<std::size_t>(i / cols)];
    y[i] = fake_quantized(x[i], g);
  }
}

void CpuBackend::fake_quantize_backward(std::int64_t n, const float* x, float low, float high,
                                        const float* dy, float* dx) {
  const cpu::ThreadScope thread_scope(threads_);
#pragma omp parallel for if (n >= cpu::kParallelElements)
  for (std::int64_t i = 0; i < n; ++i) dx[i] = (x[i] >= low && x[i] <= high) ? dy[i] : 0.0F;
}

}  // namespace lathe
