// Optimiser updates in place over a parameter array, by the kernels of kernels.h.
#include <cstdint>

#include "backend/cuda/cuda_backend.h"
#include "core/error.h"

namespace lathe::cuda {

void CudaBackend::sgd_update(std::int64_t n, float lr, float momentum, float weight_decay,
                             bool nesterov, float* weight, const float* grad, float* velocity) {
  LATHE_CHECK(n >= 0, "cuda sgd_update: negative length ", n);
  if (n == 0) return;
  use_device();
  launch_sgd_update(stream_.get(), n, lr, momentum, weight_decay, nesterov, weight, grad, velocity);
}

void CudaBackend::adam_update(std::int64_t n, float lr, float beta1, float beta2, float epsilon,
                              float weight_decay, std::int64_t step, float* weight,
                              const float* grad, float* first_moment, float* second_moment) {
  LATHE_CHECK(n >= 0, "cuda adam_update: negative length ", n);
  LATHE_CHECK(step >= 1, "cuda adam_update: steps count from 1, found ", step);
  if (n == 0) return;
  use_device();
  launch_adam_update(stream_.get(), n, lr, beta1, beta2, epsilon, weight_decay, step, weight, grad,
                     first_moment, second_moment);
}

}  // namespace lathe::cuda
