#include "compress/prune/channel_groups.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "prune_test_support.h"

namespace lathe::compress {
namespace {

using test::error_of;

const ChannelGroup& group_with(const std::vector<ChannelGroup>& groups, const std::string& layer) {
  const ChannelGroup* group = group_of_layer(groups, layer);
  EXPECT_NE(group, nullptr) << layer;
  return *group;
}

std::vector<std::string> consumer_names(const ChannelGroup& group) {
  std::vector<std::string> names;
  for (const ChannelMember& m : group.consumers) names.push_back(m.layer);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> batchnorm_names(const ChannelGroup& group) {
  std::vector<std::string> names;
  for (const ChannelMember& m : group.batchnorms) names.push_back(m.layer);
  std::sort(names.begin(), names.end());
  return names;
}

TEST(PruneChannelGroups, ResidualAddTiesTheStemToEveryIdentityBlocksSecondConv) {
  const nn::Model model(test::model_config("resnet8"), 1);
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  const ChannelGroup& stage1 = group_with(groups, "stem_conv");
  EXPECT_EQ(stage1.producers, (std::vector<std::string>{"stem_conv", "s1a_conv2"}));
  EXPECT_EQ(batchnorm_names(stage1), (std::vector<std::string>{"s1a_bn2", "stem_bn"}));
  EXPECT_EQ(consumer_names(stage1), (std::vector<std::string>{"s1a_conv1", "s2a_conv1", "s2a_proj"}));
  EXPECT_EQ(stage1.channels, 16);
  EXPECT_TRUE(stage1.prunable());
}

TEST(PruneChannelGroups, ProjectionShortcutTiesProjConvToConv2AndTheNextIdentityBlock) {
  const nn::Model model(test::model_config("resnet8"), 1);
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  const ChannelGroup& stage2 = group_with(groups, "s2a_proj");
  EXPECT_EQ(stage2.producers, (std::vector<std::string>{"s2a_conv2", "s2a_proj", "s2b_conv2"}));
  EXPECT_EQ(batchnorm_names(stage2), (std::vector<std::string>{"s2a_bn2", "s2a_proj_bn", "s2b_bn2"}));
  EXPECT_EQ(consumer_names(stage2), (std::vector<std::string>{"fc", "s2b_conv1"}));
  EXPECT_EQ(&group_with(groups, "s2b_bn2"), &stage2);
}

TEST(PruneChannelGroups, BlockInnerConvsAreGroupsOfTheirOwnAndTheLogitsAreNotPrunable) {
  const nn::Model model(test::model_config("resnet8"), 1);
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  // stem+s1a_conv2, s1a_conv1, s2a_conv1, s2a_conv2+proj+s2b_conv2, s2b_conv1, fc
  EXPECT_EQ(groups.size(), 6U);
  const ChannelGroup& inner = group_with(groups, "s1a_conv1");
  EXPECT_EQ(inner.producers, (std::vector<std::string>{"s1a_conv1"}));
  EXPECT_EQ(consumer_names(inner), (std::vector<std::string>{"s1a_conv2"}));
  const ChannelGroup& logits = group_with(groups, "fc");
  EXPECT_FALSE(logits.prunable());
  EXPECT_NE(logits.not_prunable_reason.find("logits"), std::string::npos);
}

TEST(PruneChannelGroups, FlattenMakesEachChannelABlockOfTheLinearLayersInputs) {
  const nn::Model model(test::model_config("lenet5"), 1);
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  const ChannelGroup& conv2 = group_with(groups, "conv2");
  ASSERT_EQ(conv2.consumers.size(), 1U);
  EXPECT_EQ(conv2.consumers[0].layer, "fc1");
  EXPECT_EQ(conv2.consumers[0].block, 25);  // 16 channels of 5x5 after the second pool
  const ChannelGroup& conv1 = group_with(groups, "conv1");
  EXPECT_EQ(conv1.consumers[0].layer, "conv2");
  EXPECT_EQ(conv1.consumers[0].block, 1);
  EXPECT_TRUE(group_with(groups, "fc2").prunable());
  EXPECT_FALSE(group_with(groups, "fc3").prunable());
}

TEST(PruneChannelGroups, BatchnormOnFlattenedFeaturesCoversTheChannelsBlock) {
  const nn::Model model(test::spec_of(test::kFlattenSpec), 1);
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  const ChannelGroup& fc1 = group_with(groups, "fc1_bn");
  EXPECT_EQ(fc1.producers, (std::vector<std::string>{"fc1"}));
  EXPECT_EQ(fc1.batchnorms[0].block, 1);
  EXPECT_EQ(consumer_names(fc1), (std::vector<std::string>{"fc2"}));
  const ChannelGroup& conv = group_with(groups, "flat_bn");
  EXPECT_EQ(conv.producers, (std::vector<std::string>{"conv"}));
  EXPECT_EQ(batchnorm_names(conv), (std::vector<std::string>{"bn", "flat_bn"}));
  EXPECT_EQ(conv.batchnorms[0].block, 1);   // bn: one entry per channel of the images
  EXPECT_EQ(conv.batchnorms[1].block, 16);  // flat_bn: a 4x4 plane per channel
  EXPECT_EQ(conv.consumers[0].block, 16);
}

TEST(PruneChannelGroups, AddJoiningTheModelInputKeepsTheGroupWhole) {
  const nn::Model model(nn::parse_model_spec(R"(name: input_residual
input: {channels: 2, height: 4, width: 4}
layers:
  - {name: conv, type: conv2d, out_channels: 2, kernel: 3, padding: 1}
  - {name: add, type: add, inputs: [conv, input]}
  - {name: flatten, type: flatten}
  - {name: fc, type: linear, out_features: 2}
)", "test"), 1);
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  const ChannelGroup& conv = group_with(groups, "conv");
  EXPECT_FALSE(conv.prunable());
  EXPECT_NE(conv.not_prunable_reason.find("model input"), std::string::npos);
}

TEST(PruneGroupLookup, NamesUnknownLayersNonProducersAndTheLogits) {
  const nn::Model model(test::model_config("lenet5"), 1);
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  const std::string where = "r.yaml:3: steps[0].prune.layers";
  EXPECT_EQ(error_of([&] { (void)prunable_group_of(model, groups, "conv3", where); }),
            "r.yaml:3: steps[0].prune.layers: no layer named 'conv3' in model 'lenet5' (did you "
            "mean 'conv1'?); prunable layers: conv1, conv2, fc1, fc2");
  const std::string relu = error_of([&] { (void)prunable_group_of(model, groups, "relu1", where); });
  EXPECT_NE(relu.find("layer 'relu1' is a relu layer, it has no channels of its own"), std::string::npos)
      << relu;
  const std::string logits = error_of([&] { (void)prunable_group_of(model, groups, "fc3", where); });
  EXPECT_NE(logits.find(where + ": layer 'fc3' cannot be pruned: its channels are the logits"),
            std::string::npos)
      << logits;
  EXPECT_EQ(&prunable_group_of(model, groups, "conv2", where), group_of_layer(groups, "conv2"));
}

}  // namespace
}  // namespace lathe::compress
