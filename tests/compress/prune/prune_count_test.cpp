#include "compress/prune/prune_count.h"

#include <gtest/gtest.h>

#include <vector>

namespace lathe::compress {
namespace {

TEST(KneePruneCount, PicksTheEndOfTheFlatPartOfAnElbowCurve) {
  // Four near-zero filters, then four that matter: prune the four.
  EXPECT_EQ(knee_prune_count(std::vector<double>{0.1, 0.1, 0.12, 0.11, 5, 6, 7, 8}), 4);
  // Order does not matter: the curve is the sorted scores.
  EXPECT_EQ(knee_prune_count(std::vector<double>{7, 0.1, 5, 0.12, 8, 0.11, 6, 0.1}), 4);
}

TEST(KneePruneCount, FollowsTheBendAsItMoves) {
  for (int flat = 1; flat <= 8; ++flat) {
    std::vector<double> curve;
    for (int i = 0; i < flat; ++i) curve.push_back(0.01 * i);
    for (int i = 0; i < 10 - flat; ++i) curve.push_back(10.0 + i);
    EXPECT_EQ(knee_prune_count(curve), flat) << flat;
  }
}

TEST(KneePruneCount, StraightFlatOrShortCurvesPruneOne) {
  EXPECT_EQ(knee_prune_count(std::vector<double>{1, 2, 3, 4, 5}), 1);
  EXPECT_EQ(knee_prune_count(std::vector<double>{3, 3, 3, 3}), 1);
  EXPECT_EQ(knee_prune_count(std::vector<double>{1, 9}), 1);
  // Steep first, then flat (concave): no point below the chord.
  EXPECT_EQ(knee_prune_count(std::vector<double>{0, 8, 9, 9.5, 10}), 1);
}

TEST(KneePruneCount, NeverPrunesEveryChannel) {
  // Everything but the last is flat: the knee is n-2, the count n-1 at most.
  EXPECT_EQ(knee_prune_count(std::vector<double>{0, 0, 0, 0, 1}), 4);
}

TEST(RatioPruneCount, FloorsTheShareAndPrunesAtLeastOne) {
  EXPECT_EQ(ratio_prune_count(16, 0.5), 8);
  EXPECT_EQ(ratio_prune_count(10, 0.25), 2);
  EXPECT_EQ(ratio_prune_count(10, 0.0), 1);
  EXPECT_EQ(ratio_prune_count(3, 0.3), 1);
  EXPECT_EQ(ratio_prune_count(10, 0.99), 9);
}

TEST(ThresholdPruneCount, ComparesScoresDividedByTheGroupsLargest) {
  const std::vector<double> scores{1, 2, 5, 10, 20};  // normalised: .05 .1 .25 .5 1
  EXPECT_EQ(threshold_prune_count(scores, 0.3), 3);
  EXPECT_EQ(threshold_prune_count(scores, 0.1), 1);  // strictly below
  EXPECT_EQ(threshold_prune_count(scores, 0.01), 0);
  EXPECT_EQ(threshold_prune_count(scores, 1.5), 5);
  // The same scale-free answer for scores 1000 times larger.
  EXPECT_EQ(threshold_prune_count(std::vector<double>{1e3, 2e3, 5e3, 1e4, 2e4}, 0.3), 3);
  // Negative scores (removal that lowers the loss) lie below any positive threshold.
  EXPECT_EQ(threshold_prune_count(std::vector<double>{-1, 4, 8}, 0.2), 1);
}

TEST(PruneLeastSalientChannels, ReturnsTheLowestScoresByIndex) {
  const std::vector<double> scores{0.5, 0.1, 0.9, 0.1, 0.3};
  EXPECT_EQ(least_salient_channels(scores, 2), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(least_salient_channels(scores, 3), (std::vector<std::int64_t>{1, 3, 4}));
  EXPECT_EQ(least_salient_channels(scores, 0), std::vector<std::int64_t>{});
}

}  // namespace
}  // namespace lathe::compress
