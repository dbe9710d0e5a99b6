#include "compress/distill/logit_distillation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/error.h"

namespace lathe::compress::distill {
namespace {

// log softmax(row / T), in double so that a large T and close logits lose nothing.
void log_softmax(const float* row, std::int64_t classes, double temperature,
                 std::vector<double>& out) {
  out.resize(static_cast<std::size_t>(classes));
  double largest = -INFINITY;
  for (std::int64_t k = 0; k < classes; ++k) largest = std::max(largest, row[k] / temperature);
  double sum = 0.0;
  for (std::int64_t k = 0; k < classes; ++k) sum += std::exp(row[k] / temperature - largest);
  const double log_sum = largest + std::log(sum);
  for (std::int64_t k = 0; k < classes; ++k) {
    out[static_cast<std::size_t>(k)] = row[k] / temperature - log_sum;
  }
}

void check_same_logits_shape(const Tensor& student_logits, const Tensor& teacher_logits) {
  LATHE_CHECK(student_logits.shape().rank() == 2 && student_logits.shape() == teacher_logits.shape(),
              "distillation: the student's logits ", student_logits.shape().to_string(),
              " and the teacher's ", teacher_logits.shape().to_string(),
              " must both be batch x classes with the same classes");
}

}  // namespace

double softened_kl(const Tensor& student_logits, const Tensor& teacher_logits, double temperature) {
  check_same_logits_shape(student_logits, teacher_logits);
  const std::int64_t batch = student_logits.shape()[0];
  const std::int64_t classes = student_logits.shape()[1];
  std::vector<double> log_student;
  std::vector<double> log_teacher;
  double total = 0.0;
  for (std::int64_t n = 0; n < batch; ++n) {
    log_softmax(student_logits.data() + n * classes, classes, temperature, log_student);
    log_softmax(teacher_logits.data() + n * classes, classes, temperature, log_teacher);
    for (std::size_t k = 0; k < log_student.size(); ++k) {
      total += std::exp(log_teacher[k]) * (log_teacher[k] - log_student[k]);
    }
  }
  return total / static_cast<double>(batch);
}

float add_logit_distillation(const Tensor& student_logits, const Tensor& teacher_logits,
                             const LogitDistillation& settings, float task_loss,
                             Tensor& grad_logits) {
  check_same_logits_shape(student_logits, teacher_logits);
  LATHE_CHECK(grad_logits.shape() == student_logits.shape(),
              "distillation: the logits gradient has shape ", grad_logits.shape().to_string(),
              ", the logits ", student_logits.shape().to_string());
  const std::int64_t batch = student_logits.shape()[0];
  const std::int64_t classes = student_logits.shape()[1];
  const double temperature = settings.temperature;
  const double alpha = settings.alpha;
  // d (alpha T^2 KL) / d s = alpha T (softmax(s/T) - softmax(t/T)) / batch.
  const double soft_scale = alpha * temperature / static_cast<double>(batch);
  std::vector<double> log_student;
  std::vector<double> log_teacher;
  double kl_sum = 0.0;
  for (std::int64_t n = 0; n < batch; ++n) {
    log_softmax(student_logits.data() + n * classes, classes, temperature, log_student);
    log_softmax(teacher_logits.data() + n * classes, classes, temperature, log_teacher);
    float* grad = grad_logits.data() + n * classes;
    for (std::int64_t k = 0; k < classes; ++k) {
      const auto i = static_cast<std::size_t>(k);
      const double p_teacher = std::exp(log_teacher[i]);
      kl_sum += p_teacher * (log_teacher[i] - log_student[i]);
      grad[k] = static_cast<float>((1.0 - alpha) * grad[k] +
                                   soft_scale * (std::exp(log_student[i]) - p_teacher));
    }
  }
  const double kl = kl_sum / static_cast<double>(batch);
  return static_cast<float>(alpha * temperature * temperature * kl - alpha * task_loss);
}

}  // namespace lathe::compress::distill
