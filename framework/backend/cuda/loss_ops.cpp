// Losses: softmax cross-entropy and the distillation KL, by the reducing kernels of
// kernels.h. Both hand a value to the host, so both wait for their own work.
#include <cstddef>

#include "backend/cuda/cuda_backend.h"
#include "core/error.h"

namespace lathe::cuda {

// Scratch per batch row for the kernels that may keep a partial per row, beyond the
// guaranteed minimum: two doubles.
constexpr std::size_t kScratchBytesPerRow = 2 * sizeof(double);

float CudaBackend::softmax_cross_entropy(int batch, int classes, const float* logits,
                                         const std::int32_t* labels, float* grad_logits,
                                         int* correct) {
  LATHE_CHECK(batch > 0 && classes > 0, "cuda softmax cross-entropy: invalid batch ", batch,
              " x classes ", classes);
  use_device();
  const ReductionScratch scratch =
      reduction_scratch(static_cast<std::size_t>(batch) * kScratchBytesPerRow);
  return cuda::softmax_cross_entropy(stream_.get(), scratch, batch, classes, logits, labels,
                                     grad_logits, correct);
}

double CudaBackend::distillation_kl(int batch, int classes, const float* student,
                                    const float* teacher, float temperature, float keep_scale,
                                    float soft_scale, float* grad_logits) {
  LATHE_CHECK(batch > 0 && classes > 0, "cuda distillation: invalid batch ", batch, " x classes ",
              classes);
  use_device();
  const ReductionScratch scratch =
      reduction_scratch(static_cast<std::size_t>(batch) * kScratchBytesPerRow);
  return cuda::distillation_kl(stream_.get(), scratch, batch, classes, student, teacher,
                               temperature, keep_scale, soft_scale, grad_logits);
}

}  // namespace lathe::cuda
