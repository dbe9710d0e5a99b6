#include "compress/distill/logit_distillation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/error.h"

namespace lathe::compress::distill {
namespace {

void check_same_logits_shape(const Tensor& student_logits, const Tensor& teacher_logits) {
  LATHE_CHECK(student_logits.shape().rank() == 2 && student_logits.shape() == teacher_logits.shape(),
              "distillation: the student's logits ", student_logits.shape().to_string(),
              " and the teacher's ", teacher_logits.shape().to_string(),
              " must both be batch x classes with the same classes");
}

}  // namespace

double softened_kl(Backend& backend, const Tensor& student_logits, const Tensor& teacher_logits,
                   double temperature) {
  check_same_logits_shape(student_logits, teacher_logits);
  return backend.distillation_kl(static_cast<int>(student_logits.shape()[0]),
                                 static_cast<int>(student_logits.shape()[1]),
                                 student_logits.data(), teacher_logits.data(),
                                 static_cast<float>(temperature), 1.0F, 0.0F, nullptr);
}

float add_logit_distillation(Backend& backend, const Tensor& student_logits,
                             const Tensor& teacher_logits, const LogitDistillation& settings,
                             float task_loss, Tensor& grad_logits) {
  check_same_logits_shape(student_logits, teacher_logits);
  LATHE_CHECK(grad_logits.shape() == student_logits.shape(),
              "distillation: the logits gradient has shape ", grad_logits.shape().to_string(),
              ", the logits ", student_logits.shape().to_string());
  const std::int64_t batch = student_logits.shape()[0];
  const double temperature = settings.temperature;
  const double alpha = settings.alpha;
  // d (alpha T^2 KL) / d s = alpha T (softmax(s/T) - softmax(t/T)) / batch.
  const double soft_scale = alpha * temperature / static_cast<double>(batch);
  const double kl = backend.distillation_kl(
      static_cast<int>(batch), static_cast<int>(student_logits.shape()[1]), student_logits.data(),
      teacher_logits.data(), settings.temperature, static_cast<float>(1.0 - alpha),
      static_cast<float>(soft_scale), grad_logits.data());
  return static_cast<float>(alpha * temperature * temperature * kl - alpha * task_loss);
}

}  // namespace lathe::compress::distill
