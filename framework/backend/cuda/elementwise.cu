// Elementwise kernels of the CUDA backend: bias rows, column sums, add, axpy, fill,
// multiply, ReLU and dropout (backend.h gives the semantics, backend/cpu/ the reference).
//
// Bitwise equal to the CPU backend, every one: each element sees the same IEEE operations
// in the same order. Products that meet a sum are written with __fmul_rn / __fadd_rn so
// nvcc cannot fuse them into an FMA (which rounds once instead of twice); the CPU side
// agrees only when it does not contract either (-ffp-contract=off: GCC contracts by
// default under -march=native). sum_rows adds each column's rows one by one in row order
// from 0, as the CPU does, so it is deterministic and bitwise equal without scratch.
// Dropout draws through lathe::dropout_uniform, the CPU's own function.
#include <cstdint>

#include "backend/cuda/kernel_support.cuh"
#include "backend/cuda/kernels.h"
#include "backend/dropout_hash.h"
#include "core/error.h"

#ifndef __CUDACC_RELAXED_CONSTEXPR__
#error "backend/cuda/elementwise.cu calls constexpr lathe::dropout_uniform in device code: compile with --expt-relaxed-constexpr"
#endif

namespace lathe::cuda {
namespace {

using Index = std::int64_t;

__global__ void add_bias_rows_kernel(int rows, int cols, const float* bias, float* y) {
  for (Index row = blockIdx.y; row < rows; row += gridDim.y) {
    float* y_row = y + row * cols;
    for (Index col = first_thread_index(); col < cols; col += thread_stride()) {
      y_row[col] = __fadd_rn(y_row[col], bias[col]);
    }
  }
}

// One thread per column walking every row in order: the CPU's summation order exactly,
// with reads coalesced across the threads of a warp.
__global__ void sum_rows_kernel(int rows, int cols, const float* dy, float* bias_grad,
                                bool accumulate) {
  for (Index col = first_thread_index(); col < cols; col += thread_stride()) {
    float sum = 0.0F;
    for (Index row = 0; row < rows; ++row) sum = __fadd_rn(sum, dy[row * cols + col]);
    bias_grad[col] = __fadd_rn(accumulate ? bias_grad[col] : 0.0F, sum);
  }
}

__global__ void add_kernel(Index n, const float* a, const float* b, float* out) {
  for (Index i = first_thread_index(); i < n; i += thread_stride()) out[i] = __fadd_rn(a[i], b[i]);
}

__global__ void axpy_kernel(Index n, float alpha, const float* x, float* y) {
  for (Index i = first_thread_index(); i < n; i += thread_stride()) {
    y[i] = __fadd_rn(y[i], __fmul_rn(alpha, x[i]));
  }
}

__global__ void fill_kernel(Index n, float value, float* y) {
  for (Index i = first_thread_index(); i < n; i += thread_stride()) y[i] = value;
}

__global__ void multiply_kernel(Index n, const float* a, const float* b, float* out) {
  for (Index i = first_thread_index(); i < n; i += thread_stride()) out[i] = __fmul_rn(a[i], b[i]);
}

// Keeps a NaN input (it is not < 0), as the CPU backend and PyTorch do.
__global__ void relu_forward_kernel(Index n, const float* x, float* y) {
  for (Index i = first_thread_index(); i < n; i += thread_stride()) {
    const float v = x[i];
    y[i] = v < 0.0F ? 0.0F : v;
  }
}

__global__ void relu_backward_kernel(Index n, const float* y, const float* dy, float* dx) {
  for (Index i = first_thread_index(); i < n; i += thread_stride()) dx[i] = y[i] > 0.0F ? dy[i] : 0.0F;
}

__global__ void dropout_forward_kernel(Index n, float p, float keep_scale, std::uint64_t seed,
                                       const float* x, float* y, float* mask) {
  for (Index i = first_thread_index(); i < n; i += thread_stride()) {
    const float kept = dropout_uniform(seed, static_cast<std::uint64_t>(i)) >= p ? keep_scale : 0.0F;
    mask[i] = kept;
    y[i] = __fmul_rn(x[i], kept);
  }
}

}  // namespace

void launch_add_bias_rows(cudaStream_t stream, int rows, int cols, const float* bias, float* y) {
  if (rows <= 0 || cols <= 0) return;
  add_bias_rows_kernel<<<row_grid(rows, cols), kThreadsPerBlock, 0, stream>>>(rows, cols, bias, y);
  check_launch("add_bias_rows");
}

void launch_sum_rows(cudaStream_t stream, int rows, int cols, const float* dy, float* bias_grad,
                     bool accumulate) {
  if (cols <= 0) return;
  sum_rows_kernel<<<blocks_for(cols), kThreadsPerBlock, 0, stream>>>(rows < 0 ? 0 : rows, cols, dy,
                                                                     bias_grad, accumulate);
  check_launch("sum_rows");
}

void launch_add(cudaStream_t stream, Index n, const float* a, const float* b, float* out) {
  if (n <= 0) return;
  add_kernel<<<blocks_for(n), kThreadsPerBlock, 0, stream>>>(n, a, b, out);
  check_launch("add");
}

void launch_axpy(cudaStream_t stream, Index n, float alpha, const float* x, float* y) {
  if (n <= 0) return;
  axpy_kernel<<<blocks_for(n), kThreadsPerBlock, 0, stream>>>(n, alpha, x, y);
  check_launch("axpy");
}

void launch_fill(cudaStream_t stream, Index n, float value, float* y) {
  if (n <= 0) return;
  fill_kernel<<<blocks_for(n), kThreadsPerBlock, 0, stream>>>(n, value, y);
  check_launch("fill");
}

void launch_multiply(cudaStream_t stream, Index n, const float* a, const float* b, float* out) {
  if (n <= 0) return;
  multiply_kernel<<<blocks_for(n), kThreadsPerBlock, 0, stream>>>(n, a, b, out);
  check_launch("multiply");
}

// Not declared in kernels.h yet (the backend may route relu_forward to cuDNN, whose ReLU
// is not documented to keep NaNs): the declaration to add there is
//   void launch_relu_forward(cudaStream_t stream, std::int64_t n, const float* x, float* y);
void launch_relu_forward(cudaStream_t stream, Index n, const float* x, float* y) {
  if (n <= 0) return;
  relu_forward_kernel<<<blocks_for(n), kThreadsPerBlock, 0, stream>>>(n, x, y);
  check_launch("relu_forward");
}

void launch_relu_backward(cudaStream_t stream, Index n, const float* y, const float* dy, float* dx) {
  if (n <= 0) return;
  relu_backward_kernel<<<blocks_for(n), kThreadsPerBlock, 0, stream>>>(n, y, dy, dx);
  check_launch("relu_backward");
}

void launch_dropout_forward(cudaStream_t stream, Index n, float p, std::uint64_t seed,
                            const float* x, float* y, float* mask) {
  LATHE_CHECK(p >= 0.0F && p <= 1.0F, "cuda dropout: probability must be in [0, 1], found ", p);
  if (n <= 0) return;
  // Computed on the host exactly as the CPU backend does; p = 1 drops everything (its
  // scale would be infinite, and 0 * inf is NaN).
  const float keep_scale = p < 1.0F ? 1.0F / (1.0F - p) : 0.0F;
  dropout_forward_kernel<<<blocks_for(n), kThreadsPerBlock, 0, stream>>>(n, p, keep_scale, seed, x,
                                                                         y, mask);
  check_launch("dropout_forward");
}

}  // namespace lathe::cuda
