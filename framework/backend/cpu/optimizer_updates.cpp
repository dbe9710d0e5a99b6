// SGD and Adam steps, written as PyTorch's torch.optim does them (single-tensor path),
// so a model trained here follows the same trajectory as in PyTorch.
#include <cmath>
#include <cstdint>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"

namespace lathe {

using Index = std::int64_t;

void CpuBackend::sgd_update(Index n, float lr, float momentum, float weight_decay, bool nesterov,
                            float* weight, const float* grad, float* velocity) {
  const cpu::ThreadScope thread_scope(threads_);
#pragma omp parallel for simd if (n >= cpu::kParallelElements)
  for (Index i = 0; i < n; ++i) {
    const float g = grad[i] + weight_decay * weight[i];
    const float v = momentum * velocity[i] + g;
    velocity[i] = v;
    weight[i] -= lr * (nesterov ? g + momentum * v : v);
  }
}

void CpuBackend::adam_update(Index n, float lr, float beta1, float beta2, float epsilon,
                             float weight_decay, std::int64_t step, float* weight,
                             const float* grad, float* first_moment, float* second_moment) {
  const cpu::ThreadScope thread_scope(threads_);
  LATHE_CHECK(step >= 1, "cpu adam: step counts from 1, found ", step);
  const auto steps = static_cast<double>(step);
  const double bias_correction1 = 1.0 - std::pow(static_cast<double>(beta1), steps);
  const double bias_correction2 = 1.0 - std::pow(static_cast<double>(beta2), steps);
  const auto step_size = static_cast<float>(lr / bias_correction1);
  const auto sqrt_correction2 = static_cast<float>(std::sqrt(bias_correction2));
#pragma omp parallel for simd if (n >= cpu::kParallelElements)
  for (Index i = 0; i < n; ++i) {
    const float g = grad[i] + weight_decay * weight[i];
    const float m = beta1 * first_moment[i] + (1.0F - beta1) * g;
    const float v = beta2 * second_moment[i] + (1.0F - beta2) * g * g;
    first_moment[i] = m;
    second_moment[i] = v;
    const float denominator = std::sqrt(v) / sqrt_correction2 + epsilon;
    weight[i] -= step_size * (m / denominator);
  }
}

}  // namespace lathe
