#include "compress/ablate/model_simplification.h"

#include <gtest/gtest.h>

#include "ablation_test_models.h"
#include "compress/ablate/group_removal.h"

namespace lathe::compress::ablate {
namespace {

// The logits of `model` with `group` removed in place.
std::vector<float> logits_without(nn::Model& model, const AblationGroup& group, Backend& backend,
                                  const data::Dataset& data) {
  const TemporaryRemoval removal(model, group);
  const Tensor& logits = model.forward(backend, data.images, nn::RunMode{false, 0});
  return {logits.values().begin(), logits.values().end()};
}

std::vector<float> logits_of(nn::Model& model, Backend& backend, const data::Dataset& data) {
  const Tensor& logits = model.forward(backend, data.images, nn::RunMode{false, 0});
  return {logits.values().begin(), logits.values().end()};
}

TEST(AblationSimplification, BypassedLayerLeavesASmallerModelThatComputesTheSame) {
  nn::Model model = test::tiny_resnet();
  const data::Dataset data = test::random_images(5, 1, 4, 4, 3, 2);
  const auto backend = make_cpu_backend(1);
  const AblationGroup a_conv = find_group(enumerate_groups(model, GroupKind::layers), "a_conv", "test");
  const std::vector<float> expected = logits_without(model, a_conv, *backend, data);

  nn::Model simplified = simplified_model(model, a_conv.structural, "test");
  EXPECT_FALSE(simplified.find_layer("a_conv").has_value());
  EXPECT_EQ(simplified.spec().layers[simplified.find_layer("a_bn").value()].inputs,
            (std::vector<std::string>{"stem_relu"}));
  EXPECT_EQ(simplified.trainable_parameter_count(), model.trainable_parameter_count() - (3 * 3 * 3 * 3 + 3));
  EXPECT_LT(simplified.macs_per_item(), model.macs_per_item());
  EXPECT_EQ(logits_of(simplified, *backend, data), expected);
  // The rewritten spec is what a checkpoint stores, and it parses back.
  EXPECT_EQ(nn::parse_model_spec(simplified.spec().yaml_text, "again").layers.size(), model.spec().layers.size() - 1);
}

TEST(AblationSimplification, RemovedBlocksLeaveTheirShortcuts) {
  nn::Model model = test::tiny_resnet();
  const data::Dataset data = test::random_images(5, 1, 4, 4, 3, 4);
  const auto backend = make_cpu_backend(1);
  const std::vector<AblationGroup> blocks = enumerate_groups(model, GroupKind::blocks);
  std::vector<SpecBypass> both;
  for (const AblationGroup& b : blocks) both.insert(both.end(), b.structural.begin(), b.structural.end());

  std::vector<float> expected;
  {
    const TemporaryRemoval first(model, blocks[0]);
    expected = logits_without(model, blocks[1], *backend, data);
  }
  nn::Model simplified = simplified_model(model, both, "test");
  std::vector<std::string> names;
  for (const nn::LayerSpec& l : simplified.spec().layers) names.push_back(l.name);
  EXPECT_EQ(names, (std::vector<std::string>{"stem", "stem_bn", "stem_relu", "a_relu", "b_proj", "gap", "fc"}));
  EXPECT_EQ(simplified.spec().layers[3].inputs, (std::vector<std::string>{"stem_relu"}));
  EXPECT_EQ(simplified.spec().layers[5].inputs, (std::vector<std::string>{"b_proj"}));
  const std::vector<float> got = logits_of(simplified, *backend, data);
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_FLOAT_EQ(got[i], expected[i]) << i;
}

TEST(AblationSimplification, TwoBypassedLayersInARowBothLeave) {
  nn::Model model(nn::parse_model_spec(R"(
name: chain
input: {channels: 1, height: 2, width: 2}
layers:
  - {name: flat, type: flatten}
  - {name: l1, type: linear, out_features: 4}
  - {name: l2, type: linear, out_features: 4}
  - {name: out, type: linear, out_features: 2}
)",
                                       "chain"),
                  1);
  const std::vector<AblationGroup> layers = enumerate_groups(model, GroupKind::layers);
  ASSERT_EQ(layers.size(), 2U);
  std::vector<SpecBypass> both;
  for (const AblationGroup& g : layers) both.insert(both.end(), g.structural.begin(), g.structural.end());
  nn::Model simplified = simplified_model(model, both, "test");
  ASSERT_EQ(simplified.spec().layers.size(), 2U);
  EXPECT_EQ(simplified.spec().layers[1].inputs, (std::vector<std::string>{"flat"}));
}

TEST(AblationSimplification, DroppingALayerTwiceIsAClearError) {
  nn::Model model = test::tiny_resnet();
  const AblationGroup a_conv = find_group(enumerate_groups(model, GroupKind::layers), "a_conv", "test");
  std::vector<SpecBypass> twice = a_conv.structural;
  twice.push_back(a_conv.structural.front());
  EXPECT_EQ(test::error_of([&] { (void)spec_without(model.spec(), twice, "steps[0].prune"); }),
            "steps[0].prune: cannot drop layer 'a_conv': not in the model spec (removed twice?)");
}

}  // namespace
}  // namespace lathe::compress::ablate
