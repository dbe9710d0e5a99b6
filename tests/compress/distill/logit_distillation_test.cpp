// Logits distillation (Hinton et al.): the gradient the hook leaves in the logits is the
// gradient of (1 - alpha) * CE + alpha * T^2 * KL(softmax(t/T) || softmax(s/T)).
#include "compress/distill/logit_distillation.h"

#include <gtest/gtest.h>

#include "backend/backend.h"
#include "distill_test_support.h"

namespace lathe::compress::distill {
namespace {

using test::random_tensor;
using test::reference_cross_entropy;
using test::reference_kl;

Backend& cpu() {
  static const std::unique_ptr<Backend> backend = make_cpu_backend(1);
  return *backend;
}

const std::vector<std::int32_t> kLabels = {0, 3, 1};
const Shape kLogitsShape{3, 5};

// The CE gradient the trainer hands the hook, turned into the distillation gradient;
// returns the reported loss (task loss plus what the hook added).
float distill_gradient(Backend& backend, const Tensor& student, const Tensor& teacher,
                       LogitDistillation settings, Tensor& grad) {
  grad.resize(student.shape());
  const float task_loss = backend.softmax_cross_entropy(
      static_cast<int>(student.shape()[0]), static_cast<int>(student.shape()[1]), student.data(),
      kLabels.data(), grad.data(), nullptr);
  return task_loss + add_logit_distillation(backend, student, teacher, settings, task_loss, grad);
}

TEST(LogitDistillation, GradientMatchesFiniteDifferencesOfTheCombinedLoss) {
  const auto backend = make_cpu_backend(1);
  for (const float alpha : {0.0F, 0.3F, 0.7F, 1.0F}) {
    for (const float temperature : {1.0F, 4.0F, 10.0F}) {
      SCOPED_TRACE("alpha " + std::to_string(alpha) + ", T " + std::to_string(temperature));
      Tensor student = random_tensor(kLogitsShape, 1, 2.0F);
      const Tensor teacher = random_tensor(kLogitsShape, 2, 3.0F);
      const auto combined = [&] {
        return (1.0 - alpha) * reference_cross_entropy(student, kLabels) +
               alpha * temperature * temperature * reference_kl(student, teacher, temperature);
      };
      Tensor grad;
      const float reported = distill_gradient(*backend, student, teacher, {temperature, alpha}, grad);
      EXPECT_NEAR(reported, combined(), 1e-5 * std::max(1.0, combined()));
      for (std::int64_t i = 0; i < student.size(); ++i) {
        const double numeric = test::numeric_derivative(student[i], combined, 1e-3F);
        EXPECT_NEAR(grad[i], numeric, 1e-4 + 1e-3 * std::abs(numeric)) << "logit " << i;
      }
    }
  }
}

TEST(LogitDistillation, AlphaZeroLeavesTheCrossEntropyGradientUnchanged) {
  const auto backend = make_cpu_backend(1);
  const Tensor student = random_tensor(kLogitsShape, 3);
  const Tensor teacher = random_tensor(kLogitsShape, 4);
  Tensor ce_grad(kLogitsShape);
  const float task_loss = backend->softmax_cross_entropy(3, 5, student.data(), kLabels.data(),
                                                         ce_grad.data(), nullptr);
  Tensor grad = ce_grad;
  EXPECT_EQ(add_logit_distillation(cpu(), student, teacher, {4.0F, 0.0F}, task_loss, grad), 0.0F);
  for (std::int64_t i = 0; i < grad.size(); ++i) EXPECT_EQ(grad[i], ce_grad[i]) << i;
}

TEST(LogitDistillation, IdenticalLogitsAddNoSoftGradientAndRemoveAlphaOfTheTaskLoss) {
  const Tensor logits = random_tensor(kLogitsShape, 5);
  Tensor grad(kLogitsShape, 0.25F);
  const float change = add_logit_distillation(cpu(), logits, logits, {3.0F, 0.4F}, 2.0F, grad);
  EXPECT_NEAR(change, -0.4F * 2.0F, 1e-6F);  // KL is 0
  for (std::int64_t i = 0; i < grad.size(); ++i) EXPECT_NEAR(grad[i], 0.6F * 0.25F, 1e-7F);
}

// Hinton et al.: with T^2 the soft gradient tends to (s - t) / (batch * classes) for
// zero-mean logits as T grows, rather than vanishing like 1/T^2.
TEST(LogitDistillation, TemperatureSquaredKeepsTheSoftGradientScaleAsTGrows) {
  Tensor student = random_tensor(kLogitsShape, 6);
  Tensor teacher = random_tensor(kLogitsShape, 7);
  for (Tensor* logits : {&student, &teacher}) {
    for (std::int64_t n = 0; n < 3; ++n) {
      float mean = 0.0F;
      for (std::int64_t k = 0; k < 5; ++k) mean += (*logits)[n * 5 + k] / 5.0F;
      for (std::int64_t k = 0; k < 5; ++k) (*logits)[n * 5 + k] -= mean;
    }
  }
  for (const float temperature : {20.0F, 50.0F}) {
    Tensor grad(kLogitsShape, 0.0F);
    add_logit_distillation(cpu(), student, teacher, {temperature, 1.0F}, 0.0F, grad);
    for (std::int64_t i = 0; i < grad.size(); ++i) {
      const float limit = (student[i] - teacher[i]) / 15.0F;
      EXPECT_NEAR(grad[i], limit, 0.05F * std::abs(limit) + 2e-3F) << "T " << temperature << ", " << i;
    }
  }
  // And the soft term of the loss tends to the mean squared logit gap / (2 classes).
  double squared_gap = 0.0;
  for (std::int64_t i = 0; i < student.size(); ++i) {
    squared_gap += double{student[i] - teacher[i]} * (student[i] - teacher[i]);
  }
  const double limit = squared_gap / (2.0 * 5.0 * 3.0);
  Tensor grad(kLogitsShape, 0.0F);
  EXPECT_NEAR(add_logit_distillation(cpu(), student, teacher, {50.0F, 1.0F}, 0.0F, grad), limit,
              0.05 * limit);
}

TEST(LogitDistillation, SoftenedKlIsTheTeacherToStudentDivergence) {
  const Tensor student = random_tensor(kLogitsShape, 8);
  const Tensor teacher = random_tensor(kLogitsShape, 9);
  EXPECT_NEAR(softened_kl(cpu(), student, teacher, 2.0), reference_kl(student, teacher, 2.0), 1e-9);
  EXPECT_GT(std::abs(softened_kl(cpu(), student, teacher, 2.0) - reference_kl(teacher, student, 2.0)), 1e-4);
}

TEST(LogitDistillation, TeacherWithOtherClassesIsAnError) {
  const Tensor student = random_tensor(Shape{3, 5}, 10);
  const Tensor teacher = random_tensor(Shape{3, 4}, 11);
  Tensor grad(Shape{3, 5});
  EXPECT_ERROR_CONTAINS([&] { add_logit_distillation(cpu(), student, teacher, {}, 0.0F, grad); },
                        "the student's logits [3, 5] and the teacher's [3, 4]");
}

}  // namespace
}  // namespace lathe::compress::distill
