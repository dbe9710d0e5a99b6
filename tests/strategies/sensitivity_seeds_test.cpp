#include "strategies/sensitivity_seeds.h"

#include <gtest/gtest.h>

namespace lathe::search {
namespace {

SearchSpace bits_and_ratio_space() {
  SearchSpace space;
  space.dimensions = {
      {"quantize.weight_bits.conv1", Dimension::Kind::integer, {}, 2, 8},
      {"quantize.weight_bits.fc1", Dimension::Kind::integer, {}, 2, 8},
      {"prune.ratio.fc1", Dimension::Kind::real, {}, 0.2, 0.8},
      {"finetune.lr", Dimension::Kind::log_real, {}, 0.001, 0.1},
      {"prune.present", Dimension::Kind::categorical, {"true", "false"}, 0, 1},
  };
  return space;
}

TEST(SensitivitySeeds, InsensitiveLayersAreCompressedFurtherThanSensitiveOnes) {
  const SearchSpace space = bits_and_ratio_space();
  // conv1 hurts the most when quantised alone, fc1 not at all; fc1's pruning a little.
  const std::vector<DimensionSensitivity> s = {
      {true, false, 1.0}, {true, false, 0.0}, {true, true, 0.25}, {}, {}};
  const std::vector<Point> seeds = sensitivity_seeded_points(space, s, 4);
  ASSERT_EQ(seeds.size(), 4u);
  for (const Point& p : seeds) {
    EXPECT_EQ(p[0], 8.0) << "the most sensitive layer keeps its conservative end";
    EXPECT_NEAR(p[3], 0.01, 1e-12) << "unprobed: the geometric middle";
    EXPECT_EQ(p[4], 0.0);
    check_point(space, p);
  }
  EXPECT_EQ(seeds.back()[1], 2.0) << "an insensitive layer reaches its aggressive end";
  for (std::size_t i = 1; i < seeds.size(); ++i) {
    EXPECT_LE(seeds[i][1], seeds[i - 1][1]) << "bits fall with the level";
    EXPECT_GE(seeds[i][2], seeds[i - 1][2]) << "the ratio rises with the level";
  }
  EXPECT_LT(seeds.back()[2], 0.8) << "a somewhat sensitive layer stops short of the end";
}

TEST(SensitivitySeeds, RepeatedSeedsAreDroppedAndUnprobedSpacesGiveTheMiddle) {
  const SearchSpace space = bits_and_ratio_space();
  const std::vector<Point> seeds = sensitivity_seeded_points(space, std::vector<DimensionSensitivity>(5), 6);
  ASSERT_EQ(seeds.size(), 1u);
  EXPECT_EQ(seeds.front(), middle_point(space));
}

}  // namespace
}  // namespace lathe::search
