// The CUDA backend's own kernels (the operations cuDNN and cuBLAS do not cover), one
// launcher per operation. Each launches on `stream` and returns at once, unless it says
// it returns a value to the host (then it waits for its own work on that stream).
// Pointers are device memory unless named host_*. Semantics are those of the
// same-named lathe::Backend operation (backend/backend.h); the CPU backend is the
// reference and tests/backend/ compares the two.
//
// This header is plain C++ (no CUDA syntax) so that .cpp files include it; the
// launchers live in the .cu files beside it.
#pragma once

#include <cstdint>
#include <span>

#include "backend/backend.h"

using cudaStream_t = struct CUstream_st*;

namespace lathe::cuda {

// Scratch the reducing kernels need on the device, owned by the backend: they write
// per-block partial sums here and add them on the host in block order (deterministic).
struct ReductionScratch {
  void* device = nullptr;   // at least `bytes` bytes of device memory
  std::size_t bytes = 0;
  void* host = nullptr;     // at least `bytes` bytes of pinned host memory
};

// ---- elementwise (elementwise.cu) ----
void launch_add_bias_rows(cudaStream_t stream, int rows, int cols, const float* bias, float* y);
void launch_sum_rows(cudaStream_t stream, int rows, int cols, const float* dy, float* bias_grad,
                     bool accumulate);
void launch_add(cudaStream_t stream, std::int64_t n, const float* a, const float* b, float* out);
void launch_axpy(cudaStream_t stream, std::int64_t n, float alpha, const float* x, float* y);
void launch_fill(cudaStream_t stream, std::int64_t n, float value, float* y);
void launch_multiply(cudaStream_t stream, std::int64_t n, const float* a, const float* b,
                     float* out);
// max(x, 0) with NaN kept, as the CPU's (cuDNN's ReLU does not document NaN handling).
void launch_relu_forward(cudaStream_t stream, std::int64_t n, const float* x, float* y);
void launch_relu_backward(cudaStream_t stream, std::int64_t n, const float* y, const float* dy,
                          float* dx);
// Uses lathe::dropout_uniform (backend/dropout_hash.h), so the mask equals the CPU one.
void launch_dropout_forward(cudaStream_t stream, std::int64_t n, float p, std::uint64_t seed,
                            const float* x, float* y, float* mask);

// ---- pooling (pooling.cu): max pooling with the argmax contract of backend.h ----
void launch_maxpool_forward(cudaStream_t stream, const Pool2dGeometry& g, const float* input,
                            float* output, std::int32_t* argmax);
// grad_input is overwritten (zeroed, then each output's gradient added at its argmax).
void launch_maxpool_backward(cudaStream_t stream, const Pool2dGeometry& g,
                             const float* grad_output, const std::int32_t* argmax,
                             float* grad_input);

// ---- loss (softmax_cross_entropy.cu) ----
// Returns the mean loss and adds the correct count to *host_correct (when non-null);
// throws lathe::Error when a label lies outside [0, classes).
float softmax_cross_entropy(cudaStream_t stream, const ReductionScratch& scratch, int batch,
                            int classes, const float* logits, const std::int32_t* labels,
                            float* grad_logits, int* host_correct);

// ---- optimiser (optimizer_updates.cu) ----
void launch_sgd_update(cudaStream_t stream, std::int64_t n, float lr, float momentum,
                       float weight_decay, bool nesterov, float* weight, const float* grad,
                       float* velocity);
void launch_adam_update(cudaStream_t stream, std::int64_t n, float lr, float beta1, float beta2,
                        float epsilon, float weight_decay, std::int64_t step, float* weight,
                        const float* grad, float* first_moment, float* second_moment);

// ---- quantisation (fake_quantize.cu) ----
void min_max_rows(cudaStream_t stream, const ReductionScratch& scratch, int rows,
                  std::int64_t cols, const float* x, float* host_row_min, float* host_row_max);
// `device_grids` holds grids.size() FakeQuantGrid values already copied to the device.
void launch_fake_quantize(cudaStream_t stream, int rows, std::int64_t cols, const float* x,
                          const FakeQuantGrid* device_grids, int grid_count, float* y);
void launch_fake_quantize_backward(cudaStream_t stream, std::int64_t n, const float* x,
                                   float low, float high, const float* dy, float* dx);

// ---- weight sharing (mixture_prior.cu) ----
// `device_components` holds `count` MixtureComponent values already on the device.
MixturePriorSums mixture_prior(cudaStream_t stream, const ReductionScratch& scratch,
                               std::int64_t n, const float* weights,
                               const MixtureComponent* device_components, int count,
                               float* weight_grad);

// ---- distillation (distillation.cu) ----
double distillation_kl(cudaStream_t stream, const ReductionScratch& scratch, int batch,
                       int classes, const float* student, const float* teacher,
                       float temperature, float keep_scale, float soft_scale,
                       float* grad_logits);

}  // namespace lathe::cuda
