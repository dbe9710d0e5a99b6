#include "compress/prune/compaction.h"

#include <gtest/gtest.h>

#include "nn/model_checkpoint.h"
#include "prune_test_support.h"

namespace lathe::compress {
namespace {

struct Case {
  std::string name;
  nn::ModelSpec spec;
  std::vector<ChannelSelection> selections;
};

std::vector<Case> cases() {
  return {
      {"lenet5", test::model_config("lenet5"), {{"conv1", {0, 5}}, {"conv2", {2, 3, 11}}, {"fc1", {7}}, {"fc2", {0, 83}}}},
      {"residual", test::spec_of(test::kResidualSpec), {{"stem_bn", {1, 2}}, {"a_conv1", {4}}, {"b_conv1", {0, 7}}, {"b_proj", {5}}}},
      {"conv_flatten_linear", test::spec_of(test::kFlattenSpec), {{"conv", {0, 2, 4}}, {"fc1_bn", {3}}}},
      {"resnet8", test::model_config("resnet8"), {{"stem_conv", {0, 15}}, {"s2a_proj", {1, 2, 3}}, {"s2b_conv1", {30}}}},
  };
}

TEST(PruneCompaction, CompactedModelComputesWhatTheMaskedModelComputes) {
  const auto backend = make_cpu_backend(1);
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    nn::Model masked(c.spec, 7);
    test::randomise_state(masked, 8);
    const PruneMask mask = make_prune_mask(masked, c.selections, "test");
    zero_pruned_entries(masked, parameter_cuts(mask, false));
    nn::Model compacted = compact(masked, mask);

    const Tensor images = test::random_images(5, masked.input_item_shape(), 11);
    const Tensor expected = masked.forward(*backend, images, nn::RunMode{false, 0});
    const Tensor& got = compacted.forward(*backend, images, nn::RunMode{false, 0});
    EXPECT_LT(test::max_abs_difference(expected, got), 1e-4F);

    EXPECT_LT(compacted.trainable_parameter_count(), masked.trainable_parameter_count());
    EXPECT_LT(compacted.macs_per_item(), masked.macs_per_item());
  }
}

TEST(PruneCompaction, ShrinksTheSpecAndSlicesEveryTensorOfTheGroup) {
  nn::Model masked(test::model_config("resnet8"), 7);
  test::randomise_state(masked, 8);
  const std::vector<ChannelSelection> selections{{"s2b_bn2", {0, 31}}};
  const PruneMask mask = make_prune_mask(masked, selections, "test");
  nn::Model compacted = compact(masked, mask);
  const io::Checkpoint small = nn::make_checkpoint(compacted);
  const io::Checkpoint large = nn::make_checkpoint(masked);
  auto shape_of = [](const io::Checkpoint& ckpt, const std::string& name) {
    for (const io::NamedTensor& t : ckpt.tensors) {
      if (t.name == name) return t.value.shape();
    }
    return Shape{};
  };
  EXPECT_EQ(shape_of(small, "s2a_conv2/weight"), (Shape{30, 32, 3, 3}));
  EXPECT_EQ(shape_of(small, "s2a_proj/weight"), (Shape{30, 16, 1, 1}));
  EXPECT_EQ(shape_of(small, "s2b_conv1/weight"), (Shape{32, 30, 3, 3}));
  EXPECT_EQ(shape_of(small, "s2b_bn2/running_var"), (Shape{30}));
  EXPECT_EQ(shape_of(small, "fc/weight"), (Shape{10, 30}));
  EXPECT_EQ(shape_of(small, "s2a_conv1/weight"), (Shape{32, 16, 3, 3}));  // its own group
  // Kept channel 1 is the new channel 0.
  auto value_of = [](const io::Checkpoint& ckpt, const std::string& name) {
    for (const io::NamedTensor& t : ckpt.tensors) {
      if (t.name == name) return t.value;
    }
    return Tensor();
  };
  EXPECT_EQ(value_of(small, "s2a_proj_bn/running_mean")[0], value_of(large, "s2a_proj_bn/running_mean")[1]);
  EXPECT_EQ(value_of(small, "fc/weight")[30 + 0], value_of(large, "fc/weight")[32 + 1]);
  // The spec says so too, and the masked model's own spec is untouched.
  EXPECT_NE(compacted.spec().yaml_text.find("out_channels: 30"), std::string::npos);
  EXPECT_EQ(masked.spec().yaml_text.find("out_channels: 30"), std::string::npos);
  EXPECT_EQ(masked.spec().layers[13].params["out_channels"].as<int>(), 32);
  // A compacted model round-trips through a checkpoint.
  const nn::Model reloaded = nn::model_from_checkpoint(small, "compacted");
  EXPECT_EQ(reloaded.macs_per_item(), compacted.macs_per_item());
}

TEST(PruneSliceKeptEntries, DropsRowsAndColumnsKeepingTheRestInOrder) {
  Tensor value(Shape{3, 4, 2});
  for (std::int64_t i = 0; i < value.size(); ++i) value[i] = static_cast<float>(i);
  ParameterCut cut;
  cut.removed_by_axis[0] = {1};
  cut.removed_by_axis[1] = {0, 2};
  const Tensor sliced = slice_kept_entries(value, cut);
  ASSERT_EQ(sliced.shape(), (Shape{2, 2, 2}));
  // row 0: columns 1, 3 -> 2 3 6 7; row 2: 18 19 22 23
  const std::vector<float> expected{2, 3, 6, 7, 18, 19, 22, 23};
  EXPECT_EQ(std::vector<float>(sliced.values().begin(), sliced.values().end()), expected);
}

}  // namespace
}  // namespace lathe::compress
