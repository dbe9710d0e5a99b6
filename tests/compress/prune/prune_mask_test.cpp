#include "compress/prune/prune_mask.h"

#include <gtest/gtest.h>

#include "compress/prune/prune_mask_hook.h"
#include "nn/trainer.h"
#include "prune_test_support.h"

namespace lathe::compress {
namespace {

using test::error_of;

nn::Parameter& parameter(nn::Model& model, const std::string& name) {
  for (const nn::NamedParameter& named : model.named_parameters()) {
    if (named.name == name) return *named.parameter;
  }
  throw std::runtime_error("no parameter " + name);
}

TEST(PruneParameterCuts, CoverFiltersBatchnormEntriesAndTheFlattenedBlocksOfTheNextLayer) {
  const nn::Model model(test::spec_of(test::kFlattenSpec), 1);
  const std::vector<ChannelSelection> selection{{"conv", {1, 3}}};
  const PruneMask mask = make_prune_mask(model, selection, "here");
  const ParameterCuts cuts = parameter_cuts(mask, false);
  EXPECT_EQ(cuts.at("conv/weight").removed_by_axis[0], (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(cuts.at("conv/bias").removed_by_axis[0], (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(cuts.at("bn/weight").removed_by_axis[0], (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(cuts.at("bn/bias").removed_by_axis[0], (std::vector<std::int64_t>{1, 3}));
  EXPECT_FALSE(cuts.contains("bn/running_mean"));  // masking leaves the statistics
  std::vector<std::int64_t> fc1_inputs;
  for (std::int64_t i = 16; i < 32; ++i) fc1_inputs.push_back(i);
  for (std::int64_t i = 48; i < 64; ++i) fc1_inputs.push_back(i);
  EXPECT_EQ(cuts.at("fc1/weight").removed_by_axis[1], fc1_inputs);
  EXPECT_EQ(cuts.at("flat_bn/bias").removed_by_axis[0], fc1_inputs);
  EXPECT_TRUE(cuts.at("fc1/weight").removed_by_axis[0].empty());
  EXPECT_TRUE(parameter_cuts(mask, true).contains("bn/running_var"));
}

TEST(PruneMaskBuilding, MergesNamesOfOneGroupAndRejectsBadSelections) {
  const nn::Model model(test::model_config("resnet8"), 1);
  const std::vector<ChannelSelection> merged{{"stem_conv", {3, 1}}, {"s1a_bn2", {1, 5}}};
  const PruneMask mask = make_prune_mask(model, merged, "here");
  ASSERT_EQ(mask.groups.size(), 1U);
  EXPECT_EQ(mask.groups[0].removed, (std::vector<std::int64_t>{1, 3, 5}));
  EXPECT_EQ(mask.removed_channels("s1a_conv2"), (std::vector<std::int64_t>{1, 3, 5}));

  std::vector<std::int64_t> every(16);
  for (std::int64_t i = 0; i < 16; ++i) every[static_cast<std::size_t>(i)] = i;
  const std::vector<ChannelSelection> all{{"s1a_conv2", every}};
  EXPECT_EQ(error_of([&] { (void)make_prune_mask(model, all, "here"); }),
            "here: pruning all 16 channels of layer 'stem_conv' (group stem_conv + s1a_conv2) "
            "would cut the network; at least one must stay");
  const std::vector<ChannelSelection> outside{{"s1a_conv1", {16}}};
  EXPECT_EQ(error_of([&] { (void)make_prune_mask(model, outside, "here"); }),
            "here: layer 's1a_conv1': channel 16 is out of range (it has 16 channels)");
  const std::vector<ChannelSelection> logits{{"fc", {0}}};
  EXPECT_NE(error_of([&] { (void)make_prune_mask(model, logits, "here"); })
                .find("here: layer 'fc' cannot be pruned: its channels are the logits"),
            std::string::npos);
}

TEST(PruneMaskHook, KeepsPrunedEntriesAtZeroThroughSgdWithMomentumAndWeightDecay) {
  nn::Model model(test::spec_of(test::kResidualSpec), 3);
  const std::vector<ChannelSelection> selection{{"stem", {0, 4}}, {"b_proj", {2}}, {"a_conv1", {1}}};
  const PruneMask mask = make_prune_mask(model, selection, "here");
  const ParameterCuts cuts = parameter_cuts(mask, false);
  // The weights are not zeroed beforehand: the hook does it when training starts.
  PruneMaskHook hook(cuts);
  std::map<std::string, Tensor> before;
  for (const nn::NamedParameter& named : model.named_parameters()) before[named.name] = named.parameter->value;

  const data::DataSplits splits = test::synthetic_splits();
  const auto backend = make_cpu_backend(1);
  nn::TrainingOptions options;
  options.epochs = 2;
  options.batch_size = 32;
  options.optimizer.momentum = 0.9;
  options.optimizer.weight_decay = 1e-3;
  nn::TrainingHook* hooks[] = {&hook};
  const nn::TrainingResult result =
      nn::train_model(model, *backend, splits.train, splits.validation, options, hooks);
  ASSERT_FALSE(result.diverged);

  std::int64_t masked_entries = 0;
  std::int64_t moved_entries = 0;
  for (const nn::NamedParameter& named : model.named_parameters()) {
    const auto found = cuts.find(named.name);
    const Tensor keep = found == cuts.end() ? Tensor(named.parameter->value.shape(), 1.0F)
                                            : keep_mask(named.parameter->value, found->second);
    const Tensor& value = named.parameter->value;
    for (std::int64_t i = 0; i < value.size(); ++i) {
      if (keep[i] == 0.0F) {
        ++masked_entries;
        EXPECT_EQ(value[i], 0.0F) << named.name << "[" << i << "]";
      } else if (named.parameter->trainable && value[i] != before[named.name][i]) {
        ++moved_entries;
      }
    }
  }
  // Two channels of the stem group alone: 2 filters of 9 in stem and of 54 in a_conv2, and
  // 2 input slices of a_conv1, b_conv1 and b_proj.
  EXPECT_GT(masked_entries, 200);
  EXPECT_GT(moved_entries, 1000);
  // The masked channels' feature maps are zero: the add's channel 0 carries nothing.
  (void)model.forward(*backend, splits.validation.images, nn::RunMode{false, 0});
  const Tensor& added = model.activation(*model.find_layer("a_add"));
  const std::int64_t plane = 64;
  for (std::int64_t n = 0; n < 4; ++n) {
    for (std::int64_t i = 0; i < plane; ++i) {
      EXPECT_EQ(added[(n * 6 + 0) * plane + i], 0.0F);
      EXPECT_EQ(added[(n * 6 + 4) * plane + i], 0.0F);
    }
  }
  EXPECT_NE(parameter(model, "stem_bn/weight").value[1], 0.0F);
}

}  // namespace
}  // namespace lathe::compress
