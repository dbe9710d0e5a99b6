// Softened-logit distillation (Hinton et al.) on the CPU: KL(teacher || student) at a
// temperature, and its gradient folded into the task's logits gradient.
#include <algorithm>
#include <cmath>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"

namespace lathe {
namespace {

// log softmax(row / T), in double so that a large T and close logits lose nothing.
void log_softmax(const float* row, int classes, double temperature, std::vector<double>& out) {
  out.resize(static_cast<std::size_t>(classes));
  double largest = -INFINITY;
  for (int k = 0; k < classes; ++k) largest = std::max(largest, row[k] / temperature);
  double sum = 0.0;
  for (int k = 0; k < classes; ++k) sum += std::exp(row[k] / temperature - largest);
  const double log_sum = largest + std::log(sum);
  for (int k = 0; k < classes; ++k) out[static_cast<std::size_t>(k)] = row[k] / temperature - log_sum;
}

}  // namespace

double CpuBackend::distillation_kl(int batch, int classes, const float* student,
                                   const float* teacher, float temperature, float keep_scale,
                                   float soft_scale, float* grad_logits) {
  const cpu::ThreadScope thread_scope(threads_);
  LATHE_CHECK(batch > 0 && classes > 0 && temperature > 0.0F, "cpu distillation_kl: batch ",
              batch, ", classes ", classes, ", temperature ", temperature);
  std::vector<double> log_student;
  std::vector<double> log_teacher;
  double kl_sum = 0.0;
  for (int n = 0; n < batch; ++n) {
    const std::int64_t row = static_cast<std::int64_t>(n) * classes;
    log_softmax(student + row, classes, temperature, log_student);
    log_softmax(teacher + row, classes, temperature, log_teacher);
    for (int k = 0; k < classes; ++k) {
      const auto i = static_cast<std::size_t>(k);
      const double p_teacher = std::exp(log_teacher[i]);
      kl_sum += p_teacher * (log_teacher[i] - log_student[i]);
      if (grad_logits != nullptr) {
        float& grad = grad_logits[row + k];
        grad = static_cast<float>(static_cast<double>(keep_scale) * grad +
                                  static_cast<double>(soft_scale) *
                                      (std::exp(log_student[i]) - p_teacher));
      }
    }
  }
  return kl_sum / static_cast<double>(batch);
}

}  // namespace lathe
