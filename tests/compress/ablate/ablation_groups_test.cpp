#include "compress/ablate/ablation_group.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "ablation_test_models.h"

namespace lathe::compress::ablate {
namespace {

std::vector<std::string> names_of(const std::vector<AblationGroup>& groups) {
  std::vector<std::string> names;
  for (const AblationGroup& g : groups) names.push_back(g.name);
  return names;
}

const AblationGroup& named(const std::vector<AblationGroup>& groups, const std::string& name) {
  const auto found = std::find_if(groups.begin(), groups.end(), [&](const AblationGroup& g) { return g.name == name; });
  if (found == groups.end()) throw std::runtime_error("no group " + name);
  return *found;
}

TEST(AblationGroups, FiltersTiedByAResidualAddAreOneGroup) {
  const nn::Model model = test::tiny_resnet();
  const std::vector<AblationGroup> groups = enumerate_groups(model, GroupKind::filters);
  EXPECT_EQ(names_of(groups), (std::vector<std::string>{"stem+a_conv[0]", "stem+a_conv[1]", "stem+a_conv[2]",
                                                        "b_conv+b_proj[0]", "b_conv+b_proj[1]", "b_conv+b_proj[2]",
                                                        "b_conv+b_proj[3]"}));
  const AblationGroup& tied = named(groups, "stem+a_conv[1]");
  EXPECT_EQ(tied.filters, (std::vector<FilterRef>{{"stem", 1}, {"a_conv", 1}}));
  EXPECT_EQ(tied.removal, Removal::zeroed);
  // Both producers' weight and bias slices, and both batchnorms' gamma and beta.
  std::vector<std::string> edited;
  for (const ParameterEdit& e : tied.edits) {
    EXPECT_EQ(e.channel, 1);
    edited.push_back(e.parameter);
  }
  EXPECT_EQ(edited, (std::vector<std::string>{"stem/weight", "stem/bias", "a_conv/weight", "a_conv/bias",
                                              "stem_bn/weight", "stem_bn/bias", "a_bn/weight", "a_bn/bias"}));
}

TEST(AblationGroups, LogitsLayerIsNeverAGroup) {
  const nn::Model model = test::tiny_resnet();
  for (const GroupKind kind : {GroupKind::filters, GroupKind::layers, GroupKind::blocks}) {
    for (const AblationGroup& group : enumerate_groups(model, kind)) {
      EXPECT_EQ(group.layer.find("fc"), std::string::npos) << group.name;
    }
  }
}

TEST(AblationGroups, LayersAreBypassedOnlyWhereTheWeightCanBeTheIdentity) {
  const nn::Model model = test::tiny_resnet();
  const std::vector<AblationGroup> groups = enumerate_groups(model, GroupKind::layers);
  EXPECT_EQ(names_of(groups), (std::vector<std::string>{"stem", "a_conv", "b_conv", "b_proj"}));
  EXPECT_EQ(named(groups, "stem").removal, Removal::zeroed);     // 1 -> 3 channels
  EXPECT_EQ(named(groups, "a_conv").removal, Removal::bypassed); // 3 -> 3, same padding
  EXPECT_EQ(named(groups, "b_conv").removal, Removal::zeroed);   // stride 2
  EXPECT_EQ(named(groups, "b_proj").removal, Removal::zeroed);
  ASSERT_EQ(named(groups, "a_conv").structural.size(), 1U);
  EXPECT_EQ(named(groups, "a_conv").structural[0].rewired_to, "stem_relu");

  for (const AblationGroup& g : enumerate_groups(model, GroupKind::layers, false)) {
    EXPECT_EQ(g.removal, Removal::zeroed) << g.name;
    EXPECT_TRUE(g.structural.empty()) << g.name;
  }
}

TEST(AblationGroups, BlocksAreTheResidualBranchesOfAdds) {
  const nn::Model model = test::tiny_resnet();
  const std::vector<AblationGroup> groups = enumerate_groups(model, GroupKind::blocks);
  ASSERT_EQ(names_of(groups), (std::vector<std::string>{"a_add", "b_add"}));
  EXPECT_EQ(groups[0].removal, Removal::bypassed);  // identity shortcut
  EXPECT_EQ(groups[0].structural[0].dropped, (std::vector<std::string>{"a_conv", "a_bn", "a_add"}));
  EXPECT_EQ(groups[0].structural[0].rewired_to, "stem_relu");
  EXPECT_EQ(groups[1].removal, Removal::zeroed);  // projection shortcut: the add passes b_proj
  EXPECT_EQ(groups[1].structural[0].dropped, (std::vector<std::string>{"b_conv", "b_bn", "b_add"}));
  EXPECT_EQ(groups[1].structural[0].rewired_to, "b_proj");
}

TEST(AblationGroups, Resnet8HasThreeBlocksAndTiedChannelSpaces) {
  const nn::Model model(nn::load_model_spec(std::string(LATHE_SOURCE_DIR) + "/configs/models/resnet8.yaml"), 1);
  const std::vector<AblationGroup> blocks = enumerate_groups(model, GroupKind::blocks);
  ASSERT_EQ(names_of(blocks), (std::vector<std::string>{"s1a_add", "s2a_add", "s2b_add"}));
  EXPECT_EQ(blocks[0].removal, Removal::bypassed);
  EXPECT_EQ(blocks[1].removal, Removal::zeroed);
  EXPECT_EQ(blocks[1].structural[0].rewired_to, "s2a_proj_bn");
  EXPECT_EQ(blocks[2].removal, Removal::bypassed);

  const std::vector<AblationGroup> filters = enumerate_groups(model, GroupKind::filters);
  // stem+s1a_conv2, s1a_conv1, s2a_conv1, the stage-2 space, s2b_conv1
  EXPECT_EQ(filters.size(), 16U + 16U + 32U + 32U + 32U);
  EXPECT_NO_THROW((void)named(filters, "stem_conv+s1a_conv2[15]"));
  EXPECT_NO_THROW((void)named(filters, "s2a_conv2+s2a_proj+s2b_conv2[31]"));
}

TEST(AblationGroups, KindNamesParseAndUnknownOnesAreErrors) {
  EXPECT_EQ(parse_group_kind("units", "x"), GroupKind::filters);
  EXPECT_EQ(parse_group_kind("blocks", "x"), GroupKind::blocks);
  EXPECT_EQ(test::error_of([] { (void)parse_group_kind("heads", "r.yaml:2: steps[0].prune.groups"); }),
            "r.yaml:2: steps[0].prune.groups: expected one of filters, units, layers, blocks, got 'heads'");
}

}  // namespace
}  // namespace lathe::compress::ablate
