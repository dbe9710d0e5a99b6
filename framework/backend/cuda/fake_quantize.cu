// Quantisation kernels of the CUDA backend (docs/methods.md M3): per-row min and max, fake
// quantisation on FakeQuantGrid's integer grid, and its straight-through gradient.
//
// fake_quantize is bitwise equal to the CPU (nn::QuantGrid::code / fake): std::clamp's
// comparisons (so a NaN passes the clamps), a true IEEE division (__fdiv_rn, never a
// reciprocal), roundf (half away from zero, like std::round), the code clamped in float,
// converted to int, and scale * float(code - zero_point). The one exception is a NaN
// input: here it gives NaN, where the host code's float-to-int conversion of NaN is
// undefined (x86 gives INT_MIN). fake_quantize_backward is a comparison: bitwise equal.
// min_max_rows is exact (a min or max rounds nothing) and deterministic: each row is
// split into fixed segments (their count depends on cols only), each block reduces one
// segment with fminf / fmaxf, the host combines the segments in order. NaNs are ignored
// (a row of NaNs gives NaN); the CPU must use std::fmin / std::fmax for the same answer.
// The sign of a zero min or max (-0 against +0) may differ from the CPU's.
// Scratch: 8 bytes per segment of a row, at most 1024 segments (8 KiB) for any cols;
// rows go in chunks that fit the scratch the backend gives.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "backend/cuda/kernel_support.cuh"
#include "backend/cuda/kernels.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {

using Index = std::int64_t;

// Below this many values per segment a row is not split further.
constexpr Index kMinMaxSegmentValues = Index{16} * kThreadsPerBlock;

struct RowSegments {
  Index count;
  Index length;
};

RowSegments segments_of(Index cols) {
  const Index count = std::clamp<Index>((cols + kMinMaxSegmentValues - 1) / kMinMaxSegmentValues, 1,
                                        kMaxReductionBlocks);
  return {count, (cols + count - 1) / count};
}

// grid.x = segments of a row, grid.y = rows of this chunk. NaN is fminf's identity, so a
// thread (or segment) without values contributes nothing.
__global__ void min_max_segments_kernel(Index cols, Index segment_length, const float* x,
                                        float* partials) {
  __shared__ float shared_min[kThreadsPerBlock];
  __shared__ float shared_max[kThreadsPerBlock];
  const Index row = blockIdx.y;
  const Index begin = blockIdx.x * segment_length;
  const Index end = min(begin + segment_length, cols);
  const float* values = x + row * cols;
  float low = NAN;
  float high = NAN;
  for (Index c = begin + threadIdx.x; c < end; c += blockDim.x) {
    low = fminf(low, values[c]);
    high = fmaxf(high, values[c]);
  }
  shared_min[threadIdx.x] = low;
  shared_max[threadIdx.x] = high;
  __syncthreads();
  for (int half = kThreadsPerBlock / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) {
      shared_min[threadIdx.x] = fminf(shared_min[threadIdx.x], shared_min[threadIdx.x + half]);
      shared_max[threadIdx.x] = fmaxf(shared_max[threadIdx.x], shared_max[threadIdx.x + half]);
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    float* out = partials + 2 * (row * gridDim.x + blockIdx.x);
    out[0] = shared_min[0];
    out[1] = shared_max[0];
  }
}

// std::clamp(v, low, high) as libstdc++ writes it: a NaN v passes through.
__device__ float clamp_like_std(float v, float low, float high) {
  return v < low ? low : (high < v ? high : v);
}

__device__ float fake_quantize_value(float x, const FakeQuantGrid& grid) {
  const float clamped = clamp_like_std(x, grid.clamp_low, grid.clamp_high);
  const float level = __fadd_rn(roundf(__fdiv_rn(clamped, grid.scale)), static_cast<float>(grid.zero_point));
  const float code = clamp_like_std(level, static_cast<float>(grid.min_code), static_cast<float>(grid.max_code));
  if (isnan(code)) return code;
  return __fmul_rn(grid.scale, static_cast<float>(static_cast<int>(code) - grid.zero_point));
}

// grid.y walks rows (each with its own quantisation grid, or grids[0] for all), x columns.
__global__ void fake_quantize_kernel(int rows, Index cols, const float* x,
                                     const FakeQuantGrid* grids, int grid_count, float* y) {
  for (Index row = blockIdx.y; row < rows; row += gridDim.y) {
    const FakeQuantGrid grid = grids[grid_count == 1 ? 0 : row];
    const float* x_row = x + row * cols;
    float* y_row = y + row * cols;
    for (Index col = first_thread_index(); col < cols; col += thread_stride()) {
      y_row[col] = fake_quantize_value(x_row[col], grid);
    }
  }
}

__global__ void fake_quantize_backward_kernel(Index n, const float* x, float low, float high,
                                              const float* dy, float* dx) {
  for (Index i = first_thread_index(); i < n; i += thread_stride()) {
    dx[i] = (x[i] >= low && x[i] <= high) ? dy[i] : 0.0F;
  }
}

}  // namespace

void min_max_rows(cudaStream_t stream, const ReductionScratch& scratch, int rows, Index cols,
                  const float* x, float* host_row_min, float* host_row_max) {
  LATHE_CHECK(rows >= 0 && (rows == 0 || cols > 0), "cuda min_max_rows: invalid ", rows, " rows of ",
              cols, " values (a row needs at least one value to have a min and a max)");
  if (rows == 0) return;
  const RowSegments segments = segments_of(cols);
  const std::size_t row_bytes = sizeof(float) * 2 * static_cast<std::size_t>(segments.count);
  require_scratch(scratch, row_bytes, "min_max_rows");
  const Index rows_per_chunk = std::min<Index>(
      {Index{rows}, static_cast<Index>(scratch.bytes / row_bytes), kMaxGridRows});
  const auto* partials = static_cast<const float*>(scratch.host);
  for (Index first_row = 0; first_row < rows; first_row += rows_per_chunk) {
    const Index chunk = std::min<Index>(rows_per_chunk, rows - first_row);
    const dim3 grid(static_cast<unsigned>(segments.count), static_cast<unsigned>(chunk));
    min_max_segments_kernel<<<grid, kThreadsPerBlock, 0, stream>>>(
        cols, segments.length, x + first_row * cols, static_cast<float*>(scratch.device));
    check_launch("min_max_rows");
    copy_partials_to_host(stream, scratch, row_bytes * static_cast<std::size_t>(chunk), "min_max_rows");
    for (Index r = 0; r < chunk; ++r) {
      const float* row_partials = partials + 2 * r * segments.count;
      float low = row_partials[0];
      float high = row_partials[1];
      for (Index s = 1; s < segments.count; ++s) {
        low = std::fmin(low, row_partials[2 * s]);
        high = std::fmax(high, row_partials[2 * s + 1]);
      }
      host_row_min[first_row + r] = low;
      host_row_max[first_row + r] = high;
    }
  }
}

void launch_fake_quantize(cudaStream_t stream, int rows, Index cols, const float* x,
                          const FakeQuantGrid* device_grids, int grid_count, float* y) {
  LATHE_CHECK(rows >= 0 && cols >= 0, "cuda fake_quantize: invalid ", rows, " x ", cols, " values");
  LATHE_CHECK(device_grids != nullptr && (grid_count == 1 || grid_count == rows),
              "cuda fake_quantize: expected one quantisation grid or one per row (", rows,
              "), found ", grid_count);
  if (rows == 0 || cols == 0) return;
  fake_quantize_kernel<<<row_grid(rows, cols), kThreadsPerBlock, 0, stream>>>(rows, cols, x, device_grids,
                                                                              grid_count, y);
  check_launch("fake_quantize");
}

void launch_fake_quantize_backward(cudaStream_t stream, Index n, const float* x, float low,
                                   float high, const float* dy, float* dx) {
  if (n <= 0) return;
  fake_quantize_backward_kernel<<<blocks_for(n), kThreadsPerBlock, 0, stream>>>(n, x, low, high, dy, dx);
  check_launch("fake_quantize_backward");
}

}  // namespace lathe::cuda
