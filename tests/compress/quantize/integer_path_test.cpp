// Quantised artifacts on integer kernels (nn/layers/integer_layer.h) against the
// simulated path they replace (fake_quant layers and float kernels on the dequantised
// weights): PTQ and QAT at 8 bits and at 2-5 bits, per channel and per tensor, symmetric
// and asymmetric weights, symmetric activations, and mixed widths, made by the real
// evaluator on a small trained CNN with a batchnorm to fold. The stated tolerance: every
// logit within 1% of the logits' scale (a float difference in one layer may move a code of
// the next quantiser by one level), and predictions that differ on at most 0.1% of the
// 2,000 test images (accuracy within 0.1 point). Each case also proves the path was taken:
// every quantised layer runs on integer kernels, none fell back.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#ifdef LATHE_HAVE_ONEDNN
#include "backend/onednn/int8_support.h"
#endif
#include "nn/evaluation.h"
#include "nn/layers/fused_inference.h"
#include "nn/layers/integer_layer.h"
#include "nn/model_checkpoint.h"
#include "nn/trainer.h"
#include "recipe/evaluator.h"
#include "recipe/logit_agreement.h"
#include "recipe/small_trained_base.h"
#include "support/synthetic_data.h"

namespace lathe::compress::quantize {
namespace {

const char* kSpec =
    "name: qnet\ninput: {channels: 1, height: 8, width: 8}\nlayers:\n"
    "  - {name: conv1, type: conv2d, out_channels: 8, kernel: 3, padding: 1}\n"
    "  - {name: bn1, type: batchnorm}\n"
    "  - {name: relu1, type: relu}\n"
    "  - {name: conv2, type: conv2d, out_channels: 16, kernel: 3, padding: 1, stride: 2}\n"
    "  - {name: relu2, type: relu}\n"
    "  - {name: flatten, type: flatten}\n"
    "  - {name: fc1, type: linear, out_features: 32}\n"
    "  - {name: relu3, type: relu}\n"
    "  - {name: fc, type: linear, out_features: 4}\n";
constexpr int kQuantisedLayers = 4;

using recipe::test_support::differing_predictions;
using recipe::test_support::largest_gap_over_scale;

const recipe::test_support::Trained& trained() {
  static const recipe::test_support::Trained t = [] {
    test_support::SyntheticSplitsOptions options;
    options.test_size = 2000;
    return recipe::test_support::train_base(kSpec, "qnet.yaml", test_support::synthetic_splits(options));
  }();
  return t;
}

io::Checkpoint artifact_of(const std::string& recipe) {
  const auto backend = make_cpu_backend(1);
  recipe::EvaluatorOptions options;
  options.batch_size = 32;
  options.measure_latency = false;
  const recipe::CompressionOutcome outcome = recipe::compress_and_measure(
      trained().base, "qnet.h5", recipe::parse_recipe(recipe, "r.yaml"), trained().data, *backend,
      options);
  EXPECT_EQ(outcome.metrics.status, recipe::CandidateStatus::ok) << outcome.metrics.message;
  return outcome.artifact;
}

#ifdef LATHE_HAVE_ONEDNN

// The integer path needs int8 kernels (AVX2 or later); 8-bit weights against 8-bit codes
// need exact int8 sums (VNNI or AMX): elsewhere the tests that need them skip, and
// WithoutVnniEightBitWeights... checks the fallback (ctest runs these tests a second
// time with oneDNN limited to AVX2: IntegerPathWithoutVnni).
#define LATHE_SKIP_WITHOUT_INTEGER_KERNELS() \
  if (const std::string why = nn::why_no_integer_kernels(); !why.empty()) GTEST_SKIP() << why
#define LATHE_SKIP_WITH_SATURATING_PAIR_SUMS()                                               \
  if (onednn::int8_sums_saturate_in_pairs())                                               \
  GTEST_SKIP() << "8-bit levels could clip in this CPU's int8 sums ("                      \
               << onednn::int8_sums_description() << ")"

std::vector<float> logits(nn::FusedInference& inference, Backend& backend) {
  return inference.forward(backend, trained().data.test.images).to_host_vector();
}

// Each recipe's artifact runs every quantised layer on integer kernels and predicts as
// its simulated path within the stated tolerance.
void expect_integer_path_predicts_as_simulated(const std::vector<std::string>& recipes) {
  const auto backend = make_cpu_backend(2);
  const std::int64_t items = trained().data.test.size();
  for (const std::string& recipe : recipes) {
    SCOPED_TRACE(recipe);
    const io::Checkpoint artifact = artifact_of(recipe);
    nn::Model model = nn::model_from_checkpoint(artifact, "artifact.h5");
    nn::FusedInference simulated(model, *backend);
    nn::FusedInference integer(model, *backend, &artifact);
    EXPECT_EQ(simulated.integer_layers(), 0);
    ASSERT_EQ(integer.integer_layers(), kQuantisedLayers);
    EXPECT_TRUE(integer.integer_fallbacks().empty()) << integer.integer_fallbacks().front();
    const std::vector<float> expected = logits(simulated, *backend);
    const std::vector<float> actual = logits(integer, *backend);
    ASSERT_EQ(actual.size(), expected.size());
    const double gap = largest_gap_over_scale(actual, expected);
    const int differing = differing_predictions(actual, expected, model.classes());
    std::printf("largest logit gap / scale %.5f, %d of %lld predictions differ\n", gap, differing,
                static_cast<long long>(items));
    EXPECT_LT(gap, 0.01);
    EXPECT_LE(differing, items / 1000);
    const double simulated_accuracy =
        nn::evaluate(model, *backend, trained().data.test, 128).accuracy;
    const double integer_accuracy =
        nn::evaluate(model, *backend, trained().data.test, 128, &artifact).accuracy;
    EXPECT_NEAR(integer_accuracy, simulated_accuracy, 0.001);
    EXPECT_GT(integer_accuracy, 0.6);  // four classes: chance is 0.25
  }
}

// 8-bit weights against 8-bit codes need exact int8 sums (VNNI or AMX).
TEST(IntegerPath, QuantisedArtifactsPredictAsTheSimulatedPathOnIntegerKernels) {
  LATHE_SKIP_WITHOUT_INTEGER_KERNELS();
  LATHE_SKIP_WITH_SATURATING_PAIR_SUMS();
  expect_integer_path_predicts_as_simulated({
      "- quantize: {method: ptq, weight_bits: 8}\n",
      "- quantize: {method: qat, weight_bits: 8}\n- finetune: {epochs: 1, lr: 0.01}\n",
      "- quantize: {method: ptq, weight_bits: 4, granularity: per_tensor}\n",
      "- quantize: {method: qat, weight_bits: 3}\n- finetune: {epochs: 1, lr: 0.01}\n",
      "- quantize: {method: qat, weight_bits: 2}\n- finetune: {epochs: 2, lr: 0.01}\n",
      "- quantize: {method: ptq, weight_bits: 5, symmetric: false}\n",
      "- quantize: {method: ptq, weight_bits: 8, act_symmetric: true}\n",
      "- quantize: {method: ptq, weight_bits: {default: 4, conv1: 8}}\n",
  });
}

// Levels that no 16-bit pair sum can clip run on integer kernels on every CPU with int8
// kernels, those without VNNI included (IntegerPathWithoutVnni runs this on AVX2): weights
// of 7 bits or fewer against 8-bit codes, and 8-bit weights against 7-bit codes.
TEST(IntegerPath, LevelsThatNoPairSumClipsRunOnIntegerKernelsWithOrWithoutVnni) {
  LATHE_SKIP_WITHOUT_INTEGER_KERNELS();
  expect_integer_path_predicts_as_simulated({
      "- quantize: {method: ptq, weight_bits: 7}\n",
      "- quantize: {method: qat, weight_bits: 4}\n- finetune: {epochs: 1, lr: 0.01}\n",
      "- quantize: {method: ptq, weight_bits: 5, symmetric: false}\n",
      "- quantize: {method: ptq, weight_bits: 7, act_symmetric: true}\n",
      "- quantize: {method: ptq, weight_bits: 8, act_bits: 7}\n",
      "- quantize: {method: ptq, weight_bits: {default: 4, conv1: 7}}\n",
  });
}

TEST(IntegerPath, NamesTheInt8KernelOfEveryIntegerLayer) {
  LATHE_SKIP_WITHOUT_INTEGER_KERNELS();
  const io::Checkpoint artifact = artifact_of("- quantize: {method: ptq, weight_bits: 7}\n");
  nn::Model model = nn::model_from_checkpoint(artifact, "artifact.h5");
  const auto backend = make_cpu_backend(1);
  nn::FusedInference integer(model, *backend, &artifact);
  const std::vector<std::string> kernels = integer.integer_implementations(*backend, 128);
  ASSERT_EQ(kernels.size(), static_cast<std::size_t>(kQuantisedLayers));
  for (const std::string& kernel : kernels) {
    EXPECT_FALSE(kernel.empty());
    std::printf("int8 kernel: %s\n", kernel.c_str());
  }
}

TEST(IntegerPath, EightBitAsymmetricWeightsKeepTheSimulatedPathAndSayWhy) {
  LATHE_SKIP_WITHOUT_INTEGER_KERNELS();
  const io::Checkpoint artifact =
      artifact_of("- quantize: {method: ptq, weight_bits: 8, symmetric: false}\n");
  nn::Model model = nn::model_from_checkpoint(artifact, "artifact.h5");
  const auto backend = make_cpu_backend(1);
  nn::FusedInference simulated(model, *backend);
  nn::FusedInference mixed(model, *backend, &artifact);
  ASSERT_FALSE(mixed.integer_fallbacks().empty());
  EXPECT_NE(mixed.integer_fallbacks().front().find("outside s8"), std::string::npos)
      << mixed.integer_fallbacks().front();
  EXPECT_EQ(mixed.integer_layers() + static_cast<int>(mixed.integer_fallbacks().size()),
            kQuantisedLayers);
  EXPECT_LT(largest_gap_over_scale(logits(mixed, *backend), logits(simulated, *backend)), 0.01);
}

TEST(IntegerPath, WithoutVnniEightBitWeightsKeepTheSimulatedPathAndSayWhy) {
  if (!onednn::int8_sums_saturate_in_pairs()) {
    GTEST_SKIP() << "this CPU's int8 sums are exact (" << onednn::int8_sums_description()
                 << "; IntegerPathWithoutVnni runs this test on AVX2)";
  }
  const io::Checkpoint artifact = artifact_of("- quantize: {method: ptq, weight_bits: 8}\n");
  nn::Model model = nn::model_from_checkpoint(artifact, "artifact.h5");
  const auto backend = make_cpu_backend(1);
  nn::FusedInference simulated(model, *backend);
  nn::FusedInference inference(model, *backend, &artifact);
  EXPECT_EQ(inference.integer_layers(), 0);
  ASSERT_EQ(inference.integer_fallbacks().size(), static_cast<std::size_t>(kQuantisedLayers));
  EXPECT_NE(inference.integer_fallbacks().front().find("saturating 16-bit sums) could clip them"),
            std::string::npos)
      << inference.integer_fallbacks().front();
  EXPECT_EQ(logits(inference, *backend), logits(simulated, *backend));
}

#else

TEST(IntegerPath, ABuildWithoutOnednnKeepsTheSimulatedPathAndSaysSo) {
  const io::Checkpoint artifact = artifact_of("- quantize: {method: ptq, weight_bits: 8}\n");
  nn::Model model = nn::model_from_checkpoint(artifact, "artifact.h5");
  const auto backend = make_cpu_backend(1);
  nn::FusedInference inference(model, *backend, &artifact);
  EXPECT_EQ(inference.integer_layers(), 0);
  ASSERT_EQ(inference.integer_fallbacks().size(), static_cast<std::size_t>(kQuantisedLayers));
  EXPECT_NE(inference.integer_fallbacks().front().find("LATHE_WITH_ONEDNN"), std::string::npos);
}

#endif

TEST(IntegerPath, FloatActivationsKeepTheFloatKernels) {
  const io::Checkpoint artifact = artifact_of("- quantize: {method: ptq, weight_bits: 4, act_bits: 0}\n");
  nn::Model model = nn::model_from_checkpoint(artifact, "artifact.h5");
  const auto backend = make_cpu_backend(1);
  nn::FusedInference inference(model, *backend, &artifact);
  EXPECT_EQ(inference.integer_layers(), 0);
  EXPECT_TRUE(inference.integer_fallbacks().empty());
}

TEST(IntegerPath, AnArtifactThatDoesNotMatchTheModelKeepsTheSimulatedPath) {
  const io::Checkpoint artifact = artifact_of("- quantize: {method: ptq, weight_bits: 8}\n");
  nn::Model model = nn::model_from_checkpoint(artifact, "artifact.h5");
  io::Checkpoint other = artifact_of("- quantize: {method: ptq, weight_bits: 4}\n");
  const auto backend = make_cpu_backend(1);
  nn::FusedInference inference(model, *backend, &other);
  EXPECT_EQ(inference.integer_layers(), 0);
  ASSERT_EQ(inference.integer_fallbacks().size(), static_cast<std::size_t>(kQuantisedLayers));
#ifdef LATHE_HAVE_ONEDNN
  if (!nn::why_no_integer_kernels().empty()) return;  // the CPU's reason comes first
  EXPECT_NE(inference.integer_fallbacks().front().find("differ from the stored codes"),
            std::string::npos)
      << inference.integer_fallbacks().front();
#endif
}

}  // namespace
}  // namespace lathe::compress::quantize
