#include "compress/share/share_step.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "compress/share/codebook_packing.h"
#include "compress/share/gaussian_mixture.h"
#include "compress/share/weight_snapping.h"
#include "io/bit_packing.h"
#include "share_test_support.h"

namespace lathe::compress::share {
namespace {

using test::distinct;
using test::error_of;
using test::kSource;
using test::weights_of;
using test::Workbench;

std::unique_ptr<CompressionStep> share_step(const std::string& yaml) {
  return make_share_step(YAML::Load(yaml), kSource);
}

const io::NamedTensor& tensor_named(const io::Checkpoint& checkpoint, const std::string& name) {
  for (const io::NamedTensor& t : checkpoint.tensors) {
    if (t.name == name) return t;
  }
  fail("no tensor ", name);
}

TEST(ShareStep, TiedFineTuningKeepsAtMostTheSnappedValuesPerLayer) {
  Workbench bench;
  auto step = share_step("{components: 8, min_members: 2}");
  step->validate(bench.model);
  step->apply(bench.model, bench.context);
  ASSERT_FALSE(bench.finetune(*step, 1).diverged);  // trains the prior, then snaps

  for (const std::string layer : {"conv1", "fc"}) {
    const std::vector<float> snapped = weights_of(bench.model, layer + "/weight");
    const std::size_t kept = distinct(snapped).size();
    EXPECT_LE(kept, 9U) << layer;  // K = 8 plus the zero component
  }
  const std::vector<float> conv_snapped = weights_of(bench.model, "conv1/weight");
  const std::vector<float> fc_snapped = weights_of(bench.model, "fc/weight");

  // Later finetunes: SGD with momentum and weight decay, two runs.
  ASSERT_FALSE(bench.finetune(*step, 2).diverged);
  ASSERT_FALSE(bench.finetune(*step, 1).diverged);
  for (const auto& [layer, snapped] :
       {std::pair{std::string("conv1"), conv_snapped}, std::pair{std::string("fc"), fc_snapped}}) {
    const std::vector<float> tuned = weights_of(bench.model, layer + "/weight");
    EXPECT_EQ(distinct(tuned).size(), distinct(snapped).size()) << layer;
    EXPECT_NE(tuned, snapped) << layer << ": the shared values should have trained";
    // Weights that shared a value still share one.
    for (std::size_t i = 0; i < tuned.size(); ++i) {
      for (std::size_t j = i + 1; j < tuned.size(); ++j) {
        if (snapped[i] == snapped[j]) {
          ASSERT_EQ(tuned[i], tuned[j]) << layer << " " << i << " " << j;
        }
      }
    }
  }
  // Biases and batchnorm are not shared: they keep many values.
  EXPECT_EQ(distinct(weights_of(bench.model, "fc/bias")).size(), 4U);

  // The codebook followed the trained shared values: packing decodes to them exactly.
  step->finalize(bench.model, bench.context);
  io::Checkpoint artifact = nn::make_checkpoint(bench.model);
  step->pack(bench.model, artifact);
  const io::NamedTensor& fc = tensor_named(artifact, "fc/weight");
  EXPECT_EQ(fc.packed->codebook.size(), distinct(fc_snapped).size());
  EXPECT_EQ(std::vector<float>(fc.value.values().begin(), fc.value.values().end()),
            weights_of(bench.model, "fc/weight"));
}

TEST(ShareStep, PackStoresACodebookAndIndicesThatDecodeToTheSnappedWeights) {
  Workbench bench;
  auto step = share_step("{components: 16, min_members: 3, zero_component: false}");
  step->apply(bench.model, bench.context);
  // What the snap must keep, worked out independently from the same weights and grid.
  std::vector<float> expected_fc = weights_of(bench.model, "fc/weight");
  const LayerSnap fc_snap =
      snap_to_target_means(expected_fc, evenly_spaced_means(-0.5, 0.5, 16), 3);
  step->finalize(bench.model, bench.context);  // no finetune followed: snap now
  EXPECT_EQ(weights_of(bench.model, "fc/weight"), expected_fc);

  io::Checkpoint artifact = nn::make_checkpoint(bench.model);
  step->pack(bench.model, artifact);
  for (const std::string layer : {"conv1", "fc"}) {
    const io::NamedTensor& tensor = tensor_named(artifact, layer + "/weight");
    ASSERT_TRUE(tensor.packed.has_value()) << layer;
    const io::PackedTensor& packed = *tensor.packed;
    EXPECT_EQ(packed.encoding, io::PackedTensor::Encoding::codebook);
    const std::size_t kept = packed.codebook.size();
    EXPECT_EQ(packed.bits, std::max(1, static_cast<int>(std::ceil(std::log2(static_cast<double>(kept))))));
    const std::vector<float> weights = weights_of(bench.model, layer + "/weight");
    const std::vector<std::uint8_t> codes =
        io::unpack_codes(packed.codes, weights.size(), packed.bits);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      const float decoded = packed.codebook.at(codes[i]);
      ASSERT_EQ(std::memcmp(&decoded, &weights[i], sizeof(float)), 0) << layer << " " << i;
      ASSERT_EQ(std::memcmp(tensor.value.data() + i, &weights[i], sizeof(float)), 0);
    }
  }
  const io::PackedTensor& fc = *tensor_named(artifact, "fc/weight").packed;
  EXPECT_EQ(fc.codebook, fc_snap.codebook);
  EXPECT_EQ(fc.codebook.size(), fc_snap.target_components.size());
  for (const char* untouched : {"conv1/bias", "bn1/weight", "bn1/running_mean", "fc/bias"}) {
    EXPECT_FALSE(tensor_named(artifact, untouched).packed.has_value()) << untouched;
  }
}

TEST(ShareStep, OnlyTheListedLayersAreShared) {
  Workbench bench;
  auto step = share_step("{layers: [fc]}");
  step->validate(bench.model);
  step->apply(bench.model, bench.context);
  const std::vector<float> conv_before = weights_of(bench.model, "conv1/weight");
  step->finalize(bench.model, bench.context);
  EXPECT_EQ(weights_of(bench.model, "conv1/weight"), conv_before);
  io::Checkpoint artifact = nn::make_checkpoint(bench.model);
  step->pack(bench.model, artifact);
  EXPECT_FALSE(tensor_named(artifact, "conv1/weight").packed.has_value());
  EXPECT_TRUE(tensor_named(artifact, "fc/weight").packed.has_value());
}

TEST(ShareStep, InitSampleDrawsEveryWeightFromTheMixtureReproducibly) {
  const std::string yaml =
      "{init: sample, components: 4, range: [-0.6, 0.6], initial_std: 0.01, zero_component: false}";
  Workbench first;
  Workbench second;
  Workbench other_seed;
  other_seed.context.seed = 12;
  const std::vector<float> bias_before = weights_of(first.model, "fc/bias");
  for (Workbench* bench : {&first, &second, &other_seed}) {
    share_step(yaml)->apply(bench->model, bench->context);
  }
  const std::vector<double> means = evenly_spaced_means(-0.6, 0.6, 4);
  std::vector<int> counts(4, 0);
  for (const std::string layer : {"conv1", "fc"}) {
    const std::vector<float> weights = weights_of(first.model, layer + "/weight");
    EXPECT_EQ(weights, weights_of(second.model, layer + "/weight")) << "same seed, same draw";
    EXPECT_NE(weights, weights_of(other_seed.model, layer + "/weight")) << "seed changes the draw";
    for (const float w : weights) {
      std::size_t nearest = 0;
      for (std::size_t j = 1; j < 4; ++j) {
        if (std::abs(w - means[j]) < std::abs(w - means[nearest])) nearest = j;
      }
      EXPECT_LT(std::abs(w - means[nearest]), 0.06) << w;  // 6 std
      ++counts[nearest];
    }
  }
  // 36 + 256 = 292 weights, equal initial probabilities: about 73 per component.
  for (const int count : counts) EXPECT_NEAR(count, 73, 30);
  EXPECT_EQ(weights_of(first.model, "fc/bias"), bias_before);  // biases stay as they were
}

TEST(ShareStep, InitBaseKeepsTheTrainedWeightsUntilTheSnap) {
  Workbench bench;
  const std::vector<float> before = weights_of(bench.model, "fc/weight");
  share_step("{}")->apply(bench.model, bench.context);
  EXPECT_EQ(weights_of(bench.model, "fc/weight"), before);
}

// ---- bad input: one clear message each ----

std::string parse_error(const std::string& yaml) {
  return error_of([&] { share_step(yaml); });
}

std::string validate_error(const std::string& yaml) {
  Workbench bench;
  return error_of([&] { share_step(yaml)->validate(bench.model); });
}

TEST(ShareStep, RejectsFewerThanTwoComponents) {
  const std::string message = parse_error("{components: 1}");
  EXPECT_NE(message.find("steps[0].share.components: expected an integer in [2, 256], got 1"),
            std::string::npos) << message;
}

TEST(ShareStep, RejectsARangeThatIsNotIncreasing) {
  for (const char* yaml : {"{range: [0.5, -0.5]}", "{range: [0.2, 0.2]}", "{range: [0.1]}",
                           "{range: [-1, 0, 1]}"}) {
    const std::string message = parse_error(yaml);
    EXPECT_NE(message.find("recipe.yaml:3: steps[0].share.range: expected [a, b] with a < b, got ["),
              std::string::npos) << yaml << " -> " << message;
  }
  EXPECT_NE(parse_error("{range: [0.5, -0.5]}").find("got [0.5, -0.5]"), std::string::npos);
}

TEST(ShareStep, RejectsUnknownKeysSuggestingTheNearest) {
  const std::string message = parse_error("{component: 8}");
  EXPECT_NE(message.find("steps[0].share.component: unknown key (did you mean 'components'?)"),
            std::string::npos) << message;
}

TEST(ShareStep, RejectsAnUnknownInit) {
  const std::string message = parse_error("{init: random}");
  EXPECT_NE(message.find("steps[0].share.init: expected one of base, sample, got 'random'"),
            std::string::npos) << message;
}

TEST(ShareStep, RejectsTooManyComponentsForTheCodebookWithTheZeroComponent) {
  const std::string message = parse_error("{components: 256}");
  EXPECT_NE(message.find("steps[0].share.components: 256 components plus the zero component make 257"),
            std::string::npos) << message;
  EXPECT_EQ(parse_error("{components: 256, zero_component: false}"), "");
}

TEST(ShareStep, RejectsAnUnknownLayer) {
  const std::string message = validate_error("{layers: [fc, conv9]}");
  EXPECT_NE(message.find("recipe.yaml:3: steps[0].share.layers: no layer 'conv9' in model 'tiny_share'"),
            std::string::npos) << message;
  EXPECT_NE(message.find("its conv2d and linear layers: conv1, fc"), std::string::npos) << message;
}

TEST(ShareStep, RejectsALayerWithoutSharedWeights) {
  const std::string message = validate_error("{layers: [bn1]}");
  EXPECT_NE(message.find("steps[0].share.layers: 'bn1' is a batchnorm layer; only conv2d and linear"),
            std::string::npos) << message;
}

}  // namespace
}  // namespace lathe::compress::share
