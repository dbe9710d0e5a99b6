// SGD and Adam steps of the CUDA backend, PyTorch's single-tensor formulas as in
// backend/cpu/optimizer_updates.cpp.
//
// Bitwise equal to the CPU backend: every operation is the CPU's, in its order, each
// rounded on its own (__fmul_rn / __fadd_rn / __fdiv_rn / __fsqrt_rn: no FMA contraction,
// IEEE division and square root whatever -use_fast_math says). Adam's bias corrections
// are computed on the host with the CPU's double expressions. The CPU agrees only when
// it is compiled without contraction (-ffp-contract=off), since GCC fuses a * b + c under
// -march=native.
#include <cmath>
#include <cstdint>

#include "backend/cuda/kernel_support.cuh"
#include "backend/cuda/kernels.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {

using Index = std::int64_t;

__global__ void sgd_update_kernel(Index n, float lr, float momentum, float weight_decay,
                                  bool nesterov, float* weight, const float* grad, float* velocity) {
  for (Index i = first_thread_index(); i < n; i += thread_stride()) {
    const float w = weight[i];
    const float g = __fadd_rn(grad[i], __fmul_rn(weight_decay, w));
    const float v = __fadd_rn(__fmul_rn(momentum, velocity[i]), g);
    velocity[i] = v;
    const float direction = nesterov ? __fadd_rn(g, __fmul_rn(momentum, v)) : v;
    weight[i] = __fsub_rn(w, __fmul_rn(lr, direction));
  }
}

__global__ void adam_update_kernel(Index n, float beta1, float beta2, float epsilon,
                                   float weight_decay, float step_size, float sqrt_correction2,
                                   float* weight, const float* grad, float* first_moment,
                                   float* second_moment) {
  const float one_minus_beta1 = __fsub_rn(1.0F, beta1);
  const float one_minus_beta2 = __fsub_rn(1.0F, beta2);
  for (Index i = first_thread_index(); i < n; i += thread_stride()) {
    const float w = weight[i];
    const float g = __fadd_rn(grad[i], __fmul_rn(weight_decay, w));
    const float m = __fadd_rn(__fmul_rn(beta1, first_moment[i]), __fmul_rn(one_minus_beta1, g));
    // (1 - beta2) * g * g groups as ((1 - beta2) * g) * g, as the CPU's source does.
    const float v = __fadd_rn(__fmul_rn(beta2, second_moment[i]),
                              __fmul_rn(__fmul_rn(one_minus_beta2, g), g));
    first_moment[i] = m;
    second_moment[i] = v;
    const float denominator = __fadd_rn(__fdiv_rn(__fsqrt_rn(v), sqrt_correction2), epsilon);
    weight[i] = __fsub_rn(w, __fmul_rn(step_size, __fdiv_rn(m, denominator)));
  }
}

}  // namespace

void launch_sgd_update(cudaStream_t stream, Index n, float lr, float momentum, float weight_decay,
                       bool nesterov, float* weight, const float* grad, float* velocity) {
  if (n <= 0) return;
  sgd_update_kernel<<<blocks_for(n), kThreadsPerBlock, 0, stream>>>(n, lr, momentum, weight_decay,
                                                                    nesterov, weight, grad, velocity);
  check_launch("sgd_update");
}

void launch_adam_update(cudaStream_t stream, Index n, float lr, float beta1, float beta2,
                        float epsilon, float weight_decay, std::int64_t step, float* weight,
                        const float* grad, float* first_moment, float* second_moment) {
  LATHE_CHECK(step >= 1, "cuda adam: step counts from 1, found ", step);
  if (n <= 0) return;
  // The CPU backend's host arithmetic, expression for expression.
  const auto steps = static_cast<double>(step);
  const double bias_correction1 = 1.0 - std::pow(static_cast<double>(beta1), steps);
  const double bias_correction2 = 1.0 - std::pow(static_cast<double>(beta2), steps);
  const auto step_size = static_cast<float>(lr / bias_correction1);
  const auto sqrt_correction2 = static_cast<float>(std::sqrt(bias_correction2));
  adam_update_kernel<<<blocks_for(n), kThreadsPerBlock, 0, stream>>>(
      n, beta1, beta2, epsilon, weight_decay, step_size, sqrt_correction2, weight, grad,
      first_moment, second_moment);
  check_launch("adam_update");
}

}  // namespace lathe::cuda
