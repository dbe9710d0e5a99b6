// Mean softmax cross-entropy, stable for any logits: each row is shifted by its maximum
// before exp, and the loss is log-sum-exp minus the label's logit, both shifted.
#include <cmath>
#include <cstdint>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"

namespace lathe {

float CpuBackend::softmax_cross_entropy(int batch, int classes, const float* logits,
                                        const std::int32_t* labels, float* grad_logits,
                                        int* correct) {
  const cpu::ThreadScope thread_scope(threads_);
  LATHE_CHECK(batch > 0 && classes > 0, "cpu softmax cross-entropy: invalid batch ", batch,
              " x classes ", classes);
  // Checked before the parallel loop: an exception must not leave an OpenMP region.
  for (int row = 0; row < batch; ++row) {
    LATHE_CHECK(labels[row] >= 0 && labels[row] < classes, "cpu softmax cross-entropy: label ",
                labels[row], " of batch row ", row, " is outside [0, ", classes, ")");
  }
  const float inverse_batch = 1.0F / static_cast<float>(batch);
  double loss_sum = 0.0;
  int correct_count = 0;
#pragma omp parallel for reduction(+ : loss_sum, correct_count) \
    if (std::int64_t{batch} * classes >= cpu::kParallelElements / 4)
  for (int row = 0; row < batch; ++row) {
    const float* z = logits + static_cast<std::int64_t>(row) * classes;
    int best = 0;
    for (int k = 1; k < classes; ++k) {
      if (z[k] > z[best]) best = k;
    }
    const float shift = z[best];
    float exp_sum = 0.0F;
    for (int k = 0; k < classes; ++k) exp_sum += std::exp(z[k] - shift);
    // log(sum exp(z - shift)) - (z_label - shift): both terms stay small, so no
    // precision is lost to a large shift (1000 has a float spacing of 6e-5).
    loss_sum += std::log(exp_sum) - (z[labels[row]] - shift);
    correct_count += best == labels[row] ? 1 : 0;
    if (grad_logits != nullptr) {
      float* grad = grad_logits + static_cast<std::int64_t>(row) * classes;
      const float inverse_sum = inverse_batch / exp_sum;
      for (int k = 0; k < classes; ++k) grad[k] = std::exp(z[k] - shift) * inverse_sum;
      grad[labels[row]] -= inverse_batch;
    }
  }
  if (correct != nullptr) *correct += correct_count;
  return static_cast<float>(loss_sum / batch);
}

}  // namespace lathe
