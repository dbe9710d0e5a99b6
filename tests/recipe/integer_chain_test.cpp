// Chained integer layers (nn/layers/integer_run.h) against the simulated path, on
// quantised artifacts of a vgg_small-shaped model (conv-batchnorm-ReLU blocks, max
// poolings between convolutions, global average pooling, a linear classifier) and a
// lenet5-shaped one (conv, max pooling, flatten, linear layers), at 8-bit weights (against
// 7-bit codes, and 8-bit codes where int8 sums are exact) and 2-4-bit weights, made by the
// real evaluator. The tolerance is integer_path_test.cpp's (every
// logit within 1% of the logits' scale, at most 0.1% of the predictions differ), and each
// case proves the chain was taken: every consecutive pair of integer layers hands on u8
// codes, none hands on floats.
#include <gtest/gtest.h>

#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#ifdef LATHE_HAVE_ONEDNN
#include "backend/onednn/int8_support.h"
#endif
#include "data/split.h"
#include "nn/evaluation.h"
#include "nn/layers/fused_inference.h"
#include "nn/layers/integer_layer.h"
#include "nn/model_checkpoint.h"
#include "recipe/evaluator.h"
#include "recipe/logit_agreement.h"
#include "small_trained_base.h"

namespace lathe::recipe {
namespace {

using test_support::differing_predictions;
using test_support::largest_gap_over_scale;
using test_support::Trained;

// vgg_small's layer pattern at 8x8: conv-bn-relu x2, pool, conv-bn-relu x2, pool,
// conv-bn-relu, global average pooling, linear.
const char* kVggShapedSpec =
    "name: vgg_shaped\ninput: {channels: 1, height: 8, width: 8}\nlayers:\n"
    "  - {name: conv1, type: conv2d, out_channels: 8, kernel: 3, padding: 1}\n"
    "  - {name: bn1, type: batchnorm}\n"
    "  - {name: relu1, type: relu}\n"
    "  - {name: conv2, type: conv2d, out_channels: 8, kernel: 3, padding: 1}\n"
    "  - {name: bn2, type: batchnorm}\n"
    "  - {name: relu2, type: relu}\n"
    "  - {name: pool1, type: maxpool, kernel: 2}\n"
    "  - {name: conv3, type: conv2d, out_channels: 16, kernel: 3, padding: 1}\n"
    "  - {name: bn3, type: batchnorm}\n"
    "  - {name: relu3, type: relu}\n"
    "  - {name: conv4, type: conv2d, out_channels: 16, kernel: 3, padding: 1}\n"
    "  - {name: bn4, type: batchnorm}\n"
    "  - {name: relu4, type: relu}\n"
    "  - {name: pool2, type: maxpool, kernel: 2}\n"
    "  - {name: conv5, type: conv2d, out_channels: 32, kernel: 3, padding: 1}\n"
    "  - {name: bn5, type: batchnorm}\n"
    "  - {name: relu5, type: relu}\n"
    "  - {name: gap, type: global_avgpool}\n"
    "  - {name: fc, type: linear, out_features: 4}\n";

data::DataSplits splits_of_2000_test_images() {
  lathe::test_support::SyntheticSplitsOptions options;
  options.test_size = 2000;
  return lathe::test_support::synthetic_splits(options);
}

struct ChainedModel {
  const char* name;
  const Trained& (*trained)();
  int integer_layers;  // conv2d and linear layers
  int code_handoffs;   // of those, the ones whose output feeds the next one
};

const Trained& vgg_shaped() {
  static const Trained t = test_support::train_base(kVggShapedSpec, "vgg_shaped.yaml",
                                                    splits_of_2000_test_images());
  return t;
}

// small_trained_base.h's model (conv, ReLU, max pooling, flatten, linear, ReLU, linear),
// with more test images.
const Trained& lenet_shaped() {
  static const Trained t =
      test_support::train_base(test_support::kSpec, "small.yaml", splits_of_2000_test_images());
  return t;
}

// conv1 -> conv2 -> pool -> conv3 -> conv4 -> pool -> conv5 -> global average pooling
// -> fc: one run (conv5 writes floats NHWC, which the pooling rounds to fc's codes).
const ChainedModel kVggShaped{"vgg_shaped", vgg_shaped, 6, 5};
// conv1 -> pool -> flatten -> fc1 -> fc: one run.
const ChainedModel kLenetShaped{"lenet_shaped", lenet_shaped, 3, 2};

io::Checkpoint artifact_of(const Trained& trained, const std::string& recipe) {
  const auto backend = make_cpu_backend(1);
  EvaluatorOptions options;
  options.batch_size = 32;
  options.measure_latency = false;
  const CompressionOutcome outcome = compress_and_measure(
      trained.base, "base.h5", parse_recipe(recipe, "r.yaml"), trained.data, *backend, options);
  EXPECT_EQ(outcome.metrics.status, CandidateStatus::ok) << outcome.metrics.message;
  return outcome.artifact;
}

#ifdef LATHE_HAVE_ONEDNN

#define LATHE_SKIP_WITHOUT_INTEGER_KERNELS() \
  if (const std::string why = nn::why_no_integer_kernels(); !why.empty()) GTEST_SKIP() << why

std::vector<float> logits(nn::FusedInference& inference, Backend& backend, const Trained& trained) {
  return inference.forward(backend, trained.data.test.images).to_host_vector();
}

TEST(IntegerChain, HandsCodesBetweenEveryIntegerLayerAndPredictsAsTheSimulatedPath) {
  LATHE_SKIP_WITHOUT_INTEGER_KERNELS();
  std::vector<std::string> recipes{
      "- quantize: {method: ptq, weight_bits: 8, act_bits: 7}\n",
      "- quantize: {method: qat, weight_bits: 4}\n- finetune: {epochs: 1, lr: 0.01}\n",
      "- quantize: {method: ptq, weight_bits: 3, granularity: per_tensor}\n",
      "- quantize: {method: qat, weight_bits: 2}\n- finetune: {epochs: 2, lr: 0.01}\n",
  };
  // 8-bit weights against 8-bit codes need exact int8 sums (VNNI or AMX).
  if (!onednn::int8_sums_saturate_in_pairs()) recipes.push_back("- quantize: {method: ptq, weight_bits: 8}\n");
  const auto backend = make_cpu_backend(2);
  for (const ChainedModel& shape : {kVggShaped, kLenetShaped}) {
    const Trained& trained = shape.trained();
    const std::int64_t items = trained.data.test.size();
    for (const std::string& recipe : recipes) {
      SCOPED_TRACE(std::string(shape.name) + ": " + recipe);
      const io::Checkpoint artifact = artifact_of(trained, recipe);
      nn::Model model = nn::model_from_checkpoint(artifact, "artifact.h5");
      nn::FusedInference simulated(model, *backend);
      nn::FusedInference chained(model, *backend, &artifact);
      EXPECT_EQ(simulated.code_handoffs(), 0);
      ASSERT_EQ(chained.integer_layers(), shape.integer_layers);
      EXPECT_TRUE(chained.integer_fallbacks().empty()) << chained.integer_fallbacks().front();
      // Fails when any pair of integer layers silently hands on floats again.
      EXPECT_EQ(chained.code_handoffs(), shape.code_handoffs);
      EXPECT_TRUE(chained.float_handoffs().empty()) << chained.float_handoffs().front();
      const std::vector<float> expected = logits(simulated, *backend, trained);
      const std::vector<float> actual = logits(chained, *backend, trained);
      ASSERT_EQ(actual.size(), expected.size());
      const double gap = largest_gap_over_scale(actual, expected);
      const int differing = differing_predictions(actual, expected, model.classes());
      std::printf("%s: largest logit gap / scale %.5f, %d of %lld predictions differ\n", shape.name,
                  gap, differing, static_cast<long long>(items));
      EXPECT_LT(gap, 0.01);
      EXPECT_LE(differing, items / 1000);
      // A second batch size of the same plan: primitives and code buffers per batch.
      std::vector<std::int64_t> first_items(37);
      std::iota(first_items.begin(), first_items.end(), 0);
      const Tensor first_rows = data::take_items(trained.data.test, first_items, "first 37").images;
      const std::vector<float> small_expected = simulated.forward(*backend, first_rows).to_host_vector();
      const std::vector<float> small_actual = chained.forward(*backend, first_rows).to_host_vector();
      EXPECT_LT(largest_gap_over_scale(small_actual, small_expected), 0.01);
      const double chained_accuracy =
          nn::evaluate(model, *backend, trained.data.test, 128, &artifact).accuracy;
      EXPECT_NEAR(chained_accuracy, nn::evaluate(model, *backend, trained.data.test, 128).accuracy, 0.001);
      std::printf("%s: accuracy %.4f\n", shape.name, chained_accuracy);
      EXPECT_GT(chained_accuracy, 0.5);  // four classes: a degenerate model would not compare much
    }
  }
}

TEST(IntegerChain, AZeroPointThatPaddingCannotWriteHandsOnFloatsAndSaysWhy) {
  LATHE_SKIP_WITHOUT_INTEGER_KERNELS();
  // Symmetric activations put the zero point at 128: a padded convolution cannot read
  // codes oneDNN pads with 0, so its input comes as floats and is rounded there.
  const Trained& trained = vgg_shaped();
  const io::Checkpoint artifact =
      artifact_of(trained, "- quantize: {method: ptq, weight_bits: 7, act_symmetric: true}\n");
  nn::Model model = nn::model_from_checkpoint(artifact, "artifact.h5");
  const auto backend = make_cpu_backend(1);
  nn::FusedInference simulated(model, *backend);
  nn::FusedInference chained(model, *backend, &artifact);
  EXPECT_EQ(chained.integer_layers(), kVggShaped.integer_layers);
  EXPECT_EQ(chained.code_handoffs(), 1);  // conv5 -> gap -> fc: a linear layer pads nothing
  ASSERT_EQ(chained.float_handoffs().size(), static_cast<std::size_t>(kVggShaped.code_handoffs - 1));
  EXPECT_NE(chained.float_handoffs().front().find("conv1 -> conv2: its input's zero point is 128"),
            std::string::npos)
      << chained.float_handoffs().front();
  const std::vector<float> expected = logits(simulated, *backend, trained);
  EXPECT_LT(largest_gap_over_scale(logits(chained, *backend, trained), expected), 0.01);
}

#endif

TEST(IntegerChain, TheSimulatedPathHandsNothingOn) {
  const io::Checkpoint artifact = artifact_of(lenet_shaped(), "- quantize: {method: ptq, weight_bits: 8}\n");
  nn::Model model = nn::model_from_checkpoint(artifact, "artifact.h5");
  const auto backend = make_cpu_backend(1);
  nn::FusedInference inference(model, *backend, &artifact);
  if (!nn::why_no_integer_kernels().empty()) {
    EXPECT_EQ(inference.integer_layers(), 0);
  }
  EXPECT_EQ(inference.code_handoffs(), inference.integer_layers() == 0 ? 0 : kLenetShaped.code_handoffs);
}

}  // namespace
}  // namespace lathe::recipe
