// Elementwise ops: one pass over memory each, threaded only when long enough to pay
// for waking the OpenMP team.
#include <algorithm>
#include <cstdint>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/dropout_hash.h"
#include "core/error.h"

namespace lathe {

using Index = std::int64_t;

void CpuBackend::relu_forward(Index n, const float* x, float* y) {
  const cpu::ThreadScope thread_scope(threads_);
  // Keeps a NaN input (it is not < 0), as PyTorch does. Written as a select on a copy,
  // not std::max on references, so GCC emits a branch-free vector compare: the branchy
  // scalar loop it made of std::max mispredicted on half the values and cost a fifth of
  // vgg_small's inference time.
#pragma omp parallel for simd if (n >= cpu::kParallelElements)
  for (Index i = 0; i < n; ++i) {
    const float v = x[i];
    y[i] = v < 0.0F ? 0.0F : v;
  }
}

void CpuBackend::relu_backward(Index n, const float* y, const float* dy, float* dx) {
  const cpu::ThreadScope thread_scope(threads_);
#pragma omp parallel for simd if (n >= cpu::kParallelElements)
  for (Index i = 0; i < n; ++i) dx[i] = y[i] > 0.0F ? dy[i] : 0.0F;
}

void CpuBackend::add(Index n, const float* a, const float* b, float* out) {
  const cpu::ThreadScope thread_scope(threads_);
#pragma omp parallel for simd if (n >= cpu::kParallelElements)
  for (Index i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

void CpuBackend::axpy(Index n, float alpha, const float* x, float* y) {
  const cpu::ThreadScope thread_scope(threads_);
#pragma omp parallel for simd if (n >= cpu::kParallelElements)
  for (Index i = 0; i < n; ++i) y[i] += alpha * x[i];
}

void CpuBackend::copy(Index n, const float* x, float* y) {
  const cpu::ThreadScope thread_scope(threads_);
#pragma omp parallel for simd if (n >= cpu::kParallelElements)
  for (Index i = 0; i < n; ++i) y[i] = x[i];
}

void CpuBackend::fill(Index n, float value, float* y) {
  const cpu::ThreadScope thread_scope(threads_);
#pragma omp parallel for simd if (n >= cpu::kParallelElements)
  for (Index i = 0; i < n; ++i) y[i] = value;
}

void CpuBackend::multiply(Index n, const float* a, const float* b, float* out) {
  const cpu::ThreadScope thread_scope(threads_);
#pragma omp parallel for simd if (n >= cpu::kParallelElements)
  for (Index i = 0; i < n; ++i) out[i] = a[i] * b[i];
}

void CpuBackend::dropout_forward(Index n, float p, std::uint64_t seed, const float* x, float* y,
                                 float* mask) {
  const cpu::ThreadScope thread_scope(threads_);
  LATHE_CHECK(p >= 0.0F && p <= 1.0F, "cpu dropout: probability must be in [0, 1], found ", p);
  // p = 1 drops everything; its scale would be infinite, and 0 * inf is NaN.
  const float keep_scale = p < 1.0F ? 1.0F / (1.0F - p) : 0.0F;
  // A draw costs ~15x a plain elementwise op, so threading pays from shorter lengths.
#pragma omp parallel for simd if (n >= cpu::kParallelElements / 8)
  for (Index i = 0; i < n; ++i) {
    mask[i] = dropout_uniform(seed, static_cast<std::uint64_t>(i)) >= p ? keep_scale : 0.0F;
    y[i] = x[i] * mask[i];
  }
}

}  // namespace lathe
