// Pruning combines with the other steps in either order: after quantising (whose grids
// were per channel, before compaction took channels away) as well as before, each gives a
// packed artifact that loads and whose measured accuracy is the artifact's own.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/stored_size.h"
#include "nn/evaluation.h"
#include "nn/model_checkpoint.h"
#include "recipe/evaluator.h"
#include "small_trained_base.h"

namespace lathe::recipe {
namespace {

using test_support::trained;

TEST(StepOrder, PruningWorksBeforeAndAfterEveryOtherStep) {
  const std::vector<std::string> steps = {
      "- prune: {method: filter, select: ratio, ratio: 0.5}\n",
      "- quantize: {method: ptq, weight_bits: 8, act_bits: 8, granularity: per_channel, calibration: minmax}\n",
      "- quantize: {method: qat, weight_bits: 4, granularity: per_channel}\n",
      "- share: {components: 8}\n",
  };
  EvaluatorOptions options;
  options.batch_size = 16;
  options.measure_latency = false;
  const auto backend = make_cpu_backend(1);
  for (std::size_t first = 0; first < steps.size(); ++first) {
    for (std::size_t second = 0; second < steps.size(); ++second) {
      // Pruning with each other kind (quantise and share both pack the same tensors, so
      // they do not combine on one layer).
      if ((first == 0) == (second == 0)) continue;
      const std::string recipe = steps[first] + steps[second] + "- finetune: {epochs: 1, lr: 0.01}\n";
      const CompressionOutcome outcome = compress_and_measure(
          trained().base, "base.h5", parse_recipe(recipe, "r.yaml"), trained().data, *backend, options);
      ASSERT_EQ(outcome.metrics.status, CandidateStatus::ok) << recipe << outcome.metrics.message;
      EXPECT_EQ(outcome.metrics.size_bytes, io::payload_bytes(outcome.artifact)) << recipe;
      nn::Model loaded = nn::model_from_checkpoint(outcome.artifact, "artifact");
      EXPECT_EQ(loaded.trainable_parameter_count(), outcome.metrics.parameter_count) << recipe;
      const nn::EvaluationResult own = nn::evaluate(loaded, *backend, trained().data.validation, 16);
      EXPECT_DOUBLE_EQ(own.accuracy, outcome.metrics.validation_accuracy) << recipe;
      EXPECT_GT(outcome.metrics.validation_accuracy, 0.3) << recipe;  // four classes: chance is 0.25
    }
  }
}

}  // namespace
}  // namespace lathe::recipe
