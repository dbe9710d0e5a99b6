// Every compression method through the candidate evaluator on a device backend (the
// emulated one: CPU arithmetic on operands that must live in device memory). The
// outcome must equal the CPU's, so hooks, calibration and saliency passes hand the
// backend device pointers only; the one method still host-bound says so clearly.
#include <gtest/gtest.h>

#include <string>

#include "nn/model_checkpoint.h"
#include "nn/trainer.h"
#include "recipe/evaluator.h"
#include "recipe/recipe.h"
#include "small_trained_base.h"
#include "support/emulated_device.h"

namespace lathe::recipe {
namespace {

using test_support::trained;

CandidateMetrics run_on(Backend& backend, const std::string& recipe_yaml) {
  EvaluatorOptions options;
  options.batch_size = 16;
  options.measure_latency = false;
  return compress_and_measure(trained().base, "base.h5", parse_recipe(recipe_yaml, "r.yaml"),
                              trained().data, backend, options)
      .metrics;
}

// `integer`: the recipe quantises activations, so the CPU evaluates the artifact on
// integer kernels (nn/layers/integer_layer.h) while the device keeps the simulated path:
// the two agree within the integer path's tolerance (IntegerPath tests), not bit for bit.
void expect_same_outcome_on_device(const std::string& recipe_yaml, bool integer = false) {
  const auto cpu = make_cpu_backend(1);
  const CandidateMetrics on_cpu = run_on(*cpu, recipe_yaml);
  ASSERT_EQ(on_cpu.status, CandidateStatus::ok) << on_cpu.message;
  test::EmulatedDeviceBackend device;
  const CandidateMetrics on_device = run_on(device, recipe_yaml);
  ASSERT_EQ(on_device.status, CandidateStatus::ok) << on_device.message;
  if (integer) {
    EXPECT_NEAR(on_device.validation_loss, on_cpu.validation_loss, 1e-3 * on_cpu.validation_loss);
    EXPECT_NEAR(on_device.test_accuracy, on_cpu.test_accuracy, 0.0051);  // one of 200 images
  } else {
    EXPECT_EQ(on_device.validation_loss, on_cpu.validation_loss);
    EXPECT_EQ(on_device.test_accuracy, on_cpu.test_accuracy);
  }
  EXPECT_EQ(on_device.size_bytes, on_cpu.size_bytes);
  EXPECT_EQ(on_device.parameter_count, on_cpu.parameter_count);
}

TEST(EvaluatorOnDevice, FilterPruningWithTaylorSaliencyMatchesTheCpu) {
  expect_same_outcome_on_device(
      "- prune: {method: filter, saliency: taylor, select: ratio, ratio: 0.5}\n"
      "- finetune: {epochs: 1, lr: 0.01}\n");
}

TEST(EvaluatorOnDevice, RemovalSaliencyMatchesTheCpu) {
  expect_same_outcome_on_device(
      "- prune: {method: filter, saliency: removal, select: ratio, ratio: 0.25, layers: [conv1]}\n"
      "- finetune: {epochs: 1, lr: 0.01}\n");
}

TEST(EvaluatorOnDevice, QuantisationAwareTrainingMatchesTheCpu) {
  expect_same_outcome_on_device(
      "- quantize: {method: qat, weight_bits: 4, act_bits: 8, calibration: percentile}\n"
      "- finetune: {epochs: 1, lr: 0.01}\n",
      true);
}

TEST(EvaluatorOnDevice, PostTrainingQuantisationMatchesTheCpu) {
  expect_same_outcome_on_device(
      "- quantize: {method: ptq, weight_bits: 8, act_bits: 8, granularity: per_channel}\n", true);
}

TEST(EvaluatorOnDevice, WeightSharingWithThePriorAndTiedFinetuningMatchesTheCpu) {
  expect_same_outcome_on_device(
      "- share: {components: 8, prior_weight: 0.005, min_members: 2}\n"
      "- finetune: {epochs: 1, lr: 0.01}\n"
      "- finetune: {epochs: 1, lr: 0.005}\n");
}

TEST(EvaluatorOnDevice, AblationOfFiltersMatchesTheCpu) {
  expect_same_outcome_on_device(
      "- prune: {method: ablation, groups: filters, remove: 2}\n"
      "- finetune: {epochs: 1, lr: 0.01}\n");
}

TEST(EvaluatorOnDevice, LogitsDistillationIntoAStudentMatchesTheCpu) {
  expect_same_outcome_on_device(
      "- distill: {kind: logits, temperature: 4, alpha: 0.7, student: " LATHE_SOURCE_DIR
      "/configs/tests/tiny_cnn.yaml}\n"
      "- finetune: {epochs: 1, lr: 0.02}\n");
}

TEST(EvaluatorOnDevice, HintDistillationOnADeviceBackendIsAClearFailure) {
  test::EmulatedDeviceBackend device;
  const CandidateMetrics outcome = run_on(
      device, "- distill: {kind: hint, student_layer: conv1, teacher_layer: conv1}\n"
              "- finetune: {epochs: 1}\n");
  EXPECT_EQ(outcome.status, CandidateStatus::failed);
  EXPECT_NE(outcome.message.find("runs on the cpu backend only"), std::string::npos)
      << outcome.message;
}

}  // namespace
}  // namespace lathe::recipe
