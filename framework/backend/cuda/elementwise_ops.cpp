// Elementwise ops: ReLU forward by cuDNN, copies by cudaMemcpyAsync, the rest by the
// kernels of kernels.h. Lengths are int64; n == 0 queues nothing.
#include <algorithm>
#include <cstdint>

#include "backend/cuda/cuda_backend.h"
#include "backend/cuda/cuda_check.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {

using Index = std::int64_t;

void check_length(Index n, const char* operation) {
  LATHE_CHECK(n >= 0, "cuda ", operation, ": negative length ", n);
}

// cuDNN's descriptors index with int: longer arrays go through in pieces.
constexpr Index kMaxCudnnChunk = Index{1} << 30;

constexpr float kOne = 1.0F;
constexpr float kZero = 0.0F;

}  // namespace

void CudaBackend::relu_forward(Index n, const float* x, float* y) {
  constexpr const char* kOperation = "relu forward";
  check_length(n, kOperation);
  if (n == 0) return;
  use_device();
  // CUDNN_PROPAGATE_NAN keeps a NaN input, as the CPU backend and PyTorch do.
  for (Index start = 0; start < n; start += kMaxCudnnChunk) {
    const auto count = static_cast<int>(std::min(kMaxCudnnChunk, n - start));
    set_nchw(input_descriptor_.get(), 1, 1, 1, count, kOperation);
    cudnn_check(
        cudnnActivationForward(cudnn_.get(), relu_descriptor_.get(), &kOne, input_descriptor_.get(),
                               x + start, &kZero, input_descriptor_.get(), y + start),
        "cudnnActivationForward", kOperation);
  }
}

void CudaBackend::relu_backward(Index n, const float* y, const float* dy, float* dx) {
  check_length(n, "relu backward");
  if (n == 0) return;
  use_device();
  launch_relu_backward(stream_.get(), n, y, dy, dx);
}

void CudaBackend::add(Index n, const float* a, const float* b, float* out) {
  check_length(n, "add");
  if (n == 0) return;
  use_device();
  launch_add(stream_.get(), n, a, b, out);
}

void CudaBackend::axpy(Index n, float alpha, const float* x, float* y) {
  check_length(n, "axpy");
  if (n == 0) return;
  use_device();
  launch_axpy(stream_.get(), n, alpha, x, y);
}

void CudaBackend::copy(Index n, const float* x, float* y) {
  check_length(n, "copy");
  if (n == 0 || x == y) return;
  use_device();
  cuda_check(cudaMemcpyAsync(y, x, static_cast<std::size_t>(n) * sizeof(float),
                             cudaMemcpyDeviceToDevice, stream_.get()),
             "cudaMemcpyAsync", "copy");
}

void CudaBackend::fill(Index n, float value, float* y) {
  check_length(n, "fill");
  if (n == 0) return;
  use_device();
  launch_fill(stream_.get(), n, value, y);
}

void CudaBackend::dropout_forward(Index n, float p, std::uint64_t seed, const float* x, float* y,
                                  float* mask) {
  check_length(n, "dropout");
  LATHE_CHECK(p >= 0.0F && p <= 1.0F, "cuda dropout: probability must be in [0, 1], found ", p);
  if (n == 0) return;
  use_device();
  launch_dropout_forward(stream_.get(), n, p, seed, x, y, mask);
}

void CudaBackend::multiply(Index n, const float* a, const float* b, float* out) {
  check_length(n, "multiply");
  if (n == 0) return;
  use_device();
  launch_multiply(stream_.get(), n, a, b, out);
}

}  // namespace lathe::cuda
