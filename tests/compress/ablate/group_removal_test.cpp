#include "compress/ablate/group_removal.h"

#include <gtest/gtest.h>

#include "ablation_test_models.h"
#include "compress/ablate/ablation_evaluation.h"

namespace lathe::compress::ablate {
namespace {

// The output of layer `name` in the model's last forward.
const Tensor& output_of(const nn::Model& model, const std::string& name) {
  return model.activation(*model.find_layer(name));
}

void expect_same_values(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  for (std::int64_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "element " << i;
}

class AblationRemoval : public ::testing::Test {
 protected:
  nn::Model model = test::tiny_resnet();
  data::Dataset data = test::random_images(6, 1, 4, 4, 3, 11);
  std::unique_ptr<Backend> backend = make_cpu_backend(1);

  void forward_without(const std::string& group, GroupKind kind) {
    const AblationGroup g = find_group(enumerate_groups(model, kind), group, "test");
    const TemporaryRemoval removal(model, g);
    (void)model.forward(*backend, data.images, nn::RunMode{false, 0});
  }
};

TEST_F(AblationRemoval, RestoresEveryWeightBitExactlyAfterScoringEachGroup) {
  const std::vector<std::uint32_t> before = test::weight_bits(model);
  const EvaluationBatches batches(data, 4, 0);
  const ModelOutputs reference = model_outputs(model, batches, *backend);
  for (const GroupKind kind : {GroupKind::filters, GroupKind::layers, GroupKind::blocks}) {
    for (const AblationGroup& group : enumerate_groups(model, kind)) {
      (void)score_group(model, group, reference, batches, *backend, ScoreKind::kl);
      ASSERT_EQ(test::weight_bits(model), before) << group.name;
    }
  }
}

TEST_F(AblationRemoval, ABadEditChangesNothing) {
  const std::vector<std::uint32_t> before = test::weight_bits(model);
  AblationGroup group;
  group.name = "broken";
  group.edits = {{"a_conv/weight", -1, ParameterEdit::Action::zero}, {"a_conv/weight", 7, ParameterEdit::Action::zero}};
  EXPECT_EQ(test::error_of([&] { const TemporaryRemoval removal(model, group); }),
            "ablation group 'broken': parameter 'a_conv/weight' has shape [3, 3, 3, 3], no channel 7");
  EXPECT_EQ(test::weight_bits(model), before);
}

TEST_F(AblationRemoval, RemovedIdentityBlockMakesTheAddOutputItsShortcut) {
  forward_without("a_add", GroupKind::blocks);
  expect_same_values(output_of(model, "a_add"), output_of(model, "stem_relu"));
}

TEST_F(AblationRemoval, RemovedProjectionBlockMakesTheAddOutputTheProjection) {
  forward_without("b_add", GroupKind::blocks);
  expect_same_values(output_of(model, "b_add"), output_of(model, "b_proj"));
}

TEST_F(AblationRemoval, BypassedConvPassesItsInputThrough) {
  forward_without("a_conv", GroupKind::layers);
  expect_same_values(output_of(model, "a_conv"), output_of(model, "stem_relu"));
}

TEST_F(AblationRemoval, ZeroedLayerOutputsItsBiasOnly) {
  forward_without("b_conv", GroupKind::layers);
  const Tensor& out = output_of(model, "b_conv");  // N x 4 x 2 x 2
  for (const nn::NamedParameter& p : model.named_parameters()) {
    if (p.name != "b_conv/bias") continue;
    for (std::int64_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], p.parameter->value[(i / 4) % 4]) << i;
  }
}

TEST_F(AblationRemoval, RemovedFilterIsZeroEverywhereInItsTiedSpace) {
  forward_without("stem+a_conv[1]", GroupKind::filters);
  for (const char* layer : {"stem_bn", "a_bn", "a_add", "a_relu"}) {
    const Tensor& out = output_of(model, layer);  // N x 3 x 4 x 4
    double other_channels = 0.0;
    for (std::int64_t i = 0; i < out.size(); ++i) {
      if ((i / 16) % 3 == 1) {
        ASSERT_EQ(out[i], 0.0F) << layer << " element " << i;
      } else {
        other_channels += std::abs(out[i]);
      }
    }
    EXPECT_GT(other_channels, 0.0) << layer;
  }
}

}  // namespace
}  // namespace lathe::compress::ablate
