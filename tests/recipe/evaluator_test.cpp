// The candidate evaluator as the search's workers will call it: in memory, a status
// instead of an exception for whatever goes wrong while compressing, exceptions only
// for bad input.
#include "recipe/evaluator.h"

#include <gtest/gtest.h>

#include <limits>

#include "core/error.h"
#include "io/stored_size.h"
#include "nn/model_checkpoint.h"
#include "nn/trainer.h"
#include "small_trained_base.h"

namespace lathe::recipe {
namespace {

using test_support::trained;

EvaluatorOptions quick_options() {
  EvaluatorOptions options;
  options.batch_size = 16;
  options.measure_latency = false;
  return options;
}

CompressionOutcome run(const std::string& recipe_yaml, const io::Checkpoint& base = trained().base,
                       const EvaluatorOptions& options = quick_options()) {
  const auto backend = make_cpu_backend(1);
  return compress_and_measure(base, "base.h5", parse_recipe(recipe_yaml, "r.yaml"), trained().data,
                              *backend, options);
}

// The base with fc1's weights all zero: every channel's saliency is 0, so a threshold
// prunes all of them, which only applying the step (scoring the channels) can find.
io::Checkpoint base_with_silent_fc1() {
  io::Checkpoint base = trained().base;
  for (io::NamedTensor& tensor : base.tensors) {
    if (tensor.name == "fc1/weight") tensor.value.fill(0.0F);
  }
  return base;
}
const char* kPrunesEveryChannelWhenScored =
    "- prune: {method: filter, saliency: l1, select: threshold, threshold: 0.5, layers: [fc1]}\n";

EvaluatorOptions with_time_limit(double seconds) {
  EvaluatorOptions options = quick_options();
  options.time_limit_seconds = seconds;
  return options;
}

TEST(Evaluator, PrunedAndQuantizedCandidateIsSmallerAndStillLearnsTheTask) {
  const CompressionOutcome outcome =
      run("- prune: {method: filter, select: ratio, ratio: 0.5}\n"
          "- quantize: {method: qat, weight_bits: 4}\n"
          "- finetune: {epochs: 1, lr: 0.01}\n");
  ASSERT_EQ(outcome.metrics.status, CandidateStatus::ok) << outcome.metrics.message;
  EXPECT_LT(outcome.metrics.size_bytes, io::payload_bytes(trained().base) / 6);
  EXPECT_EQ(outcome.metrics.size_bytes, io::payload_bytes(outcome.artifact));
  EXPECT_GT(outcome.metrics.validation_accuracy, 0.6);  // four classes: chance is 0.25
  EXPECT_GT(outcome.metrics.test_accuracy, 0.6);
  EXPECT_GT(outcome.metrics.wall_seconds, 0.0);
  // The artifact is what was measured: it loads and has the compacted shapes.
  nn::Model loaded = nn::model_from_checkpoint(outcome.artifact, "artifact");
  EXPECT_EQ(loaded.trainable_parameter_count(), outcome.metrics.parameter_count);
}

TEST(Evaluator, SameRecipeAndSeedGiveTheSameResult) {
  const char* recipe = "- prune: {method: filter, select: ratio, ratio: 0.25}\n- finetune: {epochs: 1}\n";
  const CompressionOutcome a = run(recipe);
  const CompressionOutcome b = run(recipe);
  ASSERT_EQ(a.metrics.status, CandidateStatus::ok);
  EXPECT_EQ(a.metrics.validation_loss, b.metrics.validation_loss);
  EXPECT_EQ(a.metrics.size_bytes, b.metrics.size_bytes);
}

TEST(Evaluator, DivergingFinetuneIsAStatusNotAnException) {
  io::Checkpoint poisoned = trained().base;  // one NaN weight: the first loss is NaN
  poisoned.tensors.front().value.data()[0] = std::numeric_limits<float>::quiet_NaN();
  const CompressionOutcome outcome = run("- finetune: {epochs: 1}\n", poisoned);
  EXPECT_EQ(outcome.metrics.status, CandidateStatus::diverged);
  EXPECT_NE(outcome.metrics.message.find("steps[0].finetune"), std::string::npos);
  EXPECT_TRUE(outcome.artifact.tensors.empty());
}

TEST(Evaluator, FailureWhileCompressingIsAStatusWithTheMessage) {
  // A threshold no saliency reaches would prune every channel: found only when applied.
  const CompressionOutcome outcome = run(kPrunesEveryChannelWhenScored, base_with_silent_fc1());
  EXPECT_EQ(outcome.metrics.status, CandidateStatus::failed);
  EXPECT_NE(outcome.metrics.message.find("would prune all 16 channels of layer 'fc1'"), std::string::npos)
      << outcome.metrics.message;
}

TEST(Evaluator, StepsAfterAStudentAreCheckedAgainstTheStudent) {
  const std::string student = "- distill: {kind: none, student: " LATHE_SOURCE_DIR "/configs/tests/tiny_cnn.yaml}\n";
  // fc1 is the base's layer, not tiny_cnn's: the prune step must be refused up front.
  EXPECT_THROW((void)run(student + "- prune: {method: filter, layers: [fc1]}\n"), Error);
  const CompressionOutcome outcome =
      run(student + "- prune: {method: filter, select: ratio, ratio: 0.5, layers: [conv1]}\n"
                    "- finetune: {epochs: 1}\n");
  ASSERT_EQ(outcome.metrics.status, CandidateStatus::ok) << outcome.metrics.message;
  nn::Model loaded = nn::model_from_checkpoint(outcome.artifact, "artifact");
  EXPECT_EQ(loaded.spec().name, "tiny_cnn");
}

TEST(Evaluator, CandidateOverItsTimeLimitIsCancelledInTrainingAsTimeout) {
  // 1000 epochs of 30 steps: many seconds of training, cancelled after 0.2 s.
  const CompressionOutcome outcome =
      run("- prune: {method: filter, select: ratio, ratio: 0.5}\n- finetune: {epochs: 1000}\n",
          trained().base, with_time_limit(0.2));
  EXPECT_EQ(outcome.metrics.status, CandidateStatus::timeout);
  EXPECT_EQ(outcome.metrics.message.rfind("over its time limit of 0.2 s: cancelled in finetune "
                                          "(step 2 of the recipe), epoch ", 0),
            0U)
      << outcome.metrics.message;
  EXPECT_NE(outcome.metrics.message.find(" steps"), std::string::npos);
  EXPECT_LT(outcome.metrics.wall_seconds, 2.0);  // generous: the machine may be busy
  EXPECT_GT(outcome.metrics.finetune_seconds, 0.0);
  EXPECT_TRUE(outcome.artifact.tensors.empty());
}

TEST(Evaluator, DeadlinePassedBetweenStepsCancelsBeforeTheNextStep) {
  const CompressionOutcome outcome =
      run("- prune: {method: filter, select: ratio, ratio: 0.5}\n- finetune: {epochs: 1}\n",
          trained().base, with_time_limit(1e-9));
  EXPECT_EQ(outcome.metrics.status, CandidateStatus::timeout);
  EXPECT_EQ(outcome.metrics.message,
            "over its time limit of 1e-09 s: cancelled before prune (step 1 of the recipe)");
  EXPECT_EQ(outcome.metrics.finetune_seconds, 0.0);
}

TEST(Evaluator, PhaseTimesFitTheWallTimeAndProvenanceIsSet) {
  const std::string recipe =
      "- prune: {method: filter, select: ratio, ratio: 0.5}\n- finetune: {epochs: 1}\n";
  EvaluatorOptions options = quick_options();
  options.measure_latency = true;
  options.seed = 42;
  const CompressionOutcome outcome = run(recipe, trained().base, options);
  ASSERT_EQ(outcome.metrics.status, CandidateStatus::ok) << outcome.metrics.message;
  const CandidateMetrics& m = outcome.metrics;
  EXPECT_GT(m.compress_seconds, 0.0);
  EXPECT_GT(m.finetune_seconds, 0.0);
  EXPECT_GT(m.measure_seconds, 0.0);
  EXPECT_LE(m.compress_seconds + m.finetune_seconds + m.measure_seconds, m.wall_seconds);
  EXPECT_GT(m.peak_memory_bytes, 1 << 20);  // a process with this much code holds a MiB
  EXPECT_EQ(m.seed, 42U);
  EXPECT_EQ(m.recipe_hash, recipe_hash(parse_recipe(recipe, "other.yaml")));
  // A candidate that fails still says where its time went and what it was.
  const CompressionOutcome failed = run(kPrunesEveryChannelWhenScored, base_with_silent_fc1());
  ASSERT_EQ(failed.metrics.status, CandidateStatus::failed);
  EXPECT_EQ(failed.metrics.recipe_hash.size(), 16U);
  EXPECT_GT(failed.metrics.peak_memory_bytes, 0);
  EXPECT_LE(failed.metrics.compress_seconds, failed.metrics.wall_seconds);
}

TEST(Evaluator, BadInputThrowsBeforeAnythingRuns) {
  EXPECT_THROW((void)run("- quantize: {method: qat, weight_bits: 12}\n"), Error);
  EXPECT_THROW((void)run("- prune: {method: filter, layers: [nope]}\n"), Error);
}

}  // namespace
}  // namespace lathe::recipe
