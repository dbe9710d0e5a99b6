#include "compress/ablate/ablation_selection.h"

#include <gtest/gtest.h>

#include "ablation_test_models.h"

namespace lathe::compress::ablate {
namespace {

AblationEntry filter(const std::string& layer, std::int64_t index, double score) {
  return {layer + "[" + std::to_string(index) + "]", GroupKind::filters, layer, index, Removal::zeroed, 1 + score, score};
}

AblationEntry layer(const std::string& name, double score) {
  return {name, GroupKind::layers, name, -1, Removal::zeroed, 1 + score, score};
}

std::vector<std::string> groups_of(const std::vector<AblationEntry>& entries) {
  std::vector<std::string> names;
  for (const AblationEntry& e : entries) names.push_back(e.group);
  return names;
}

AblationTable layers_table() {
  AblationTable table;
  table.entries = {layer("conv2", -0.01), layer("conv3", 0.0), layer("conv1", 0.2), layer("fc1", 0.5)};
  return table;
}

TEST(AblationSelection, PicksTheKLowestScores) {
  EXPECT_EQ(groups_of(select_removable(layers_table(), {2, 0.0}, "test")),
            (std::vector<std::string>{"conv2", "conv3"}));
  EXPECT_EQ(groups_of(select_removable(layers_table(), {4, 0.0}, "test")).size(), 4U);
}

TEST(AblationSelection, ThresholdPicksEveryGroupStrictlyBelowIt) {
  EXPECT_EQ(groups_of(select_removable(layers_table(), {0, 0.2}, "test")),
            (std::vector<std::string>{"conv2", "conv3"}));
  EXPECT_TRUE(select_removable(layers_table(), {0, -1.0}, "test").empty());
}

TEST(AblationSelection, NeverSelectsEveryFilterOfALayer) {
  AblationTable table;
  // conv1's two filters are the least important, but one of them must stay.
  table.entries = {filter("conv1", 0, 0.01), filter("conv1", 1, 0.02), filter("conv2", 2, 0.03),
                   filter("conv2", 0, 0.04), filter("conv2", 1, 0.05)};
  EXPECT_EQ(selectable_count(table), 3U);
  EXPECT_EQ(groups_of(select_removable(table, {3, 0.0}, "test")),
            (std::vector<std::string>{"conv1[0]", "conv2[2]", "conv2[0]"}));
  EXPECT_EQ(groups_of(select_removable(table, {0, 1.0}, "test")),
            (std::vector<std::string>{"conv1[0]", "conv2[2]", "conv2[0]"}));
  EXPECT_EQ(test::error_of([&] { (void)select_removable(table, {4, 0.0}, "r.yaml:3: steps[0].prune.remove"); }),
            "r.yaml:3: steps[0].prune.remove: expected at most 3 (the removable groups of 5; one filter of each "
            "layer always stays), got 4");
}

}  // namespace
}  // namespace lathe::compress::ablate
