#include "compress/share/weight_snapping.h"

#include <gtest/gtest.h>

#include <vector>

namespace lathe::compress::share {
namespace {

const std::vector<double> kMeans = {-1.0, 0.0, 1.0};

TEST(ShareSnapping, TargetsAreComponentsWithStrictlyMoreThanMinMembers) {
  for (int min_members = 0; min_members < 6; ++min_members) {
    // min_members weights near -1 (not enough), min_members + 1 near +1 (enough).
    std::vector<float> weights;
    for (int i = 0; i < min_members; ++i) weights.push_back(-0.9F);
    for (int i = 0; i < min_members + 1; ++i) weights.push_back(0.9F);
    const LayerSnap snap = snap_to_target_means(weights, kMeans, min_members);
    EXPECT_EQ(snap.member_counts, (std::vector<std::int64_t>{min_members, 0, min_members + 1}));
    EXPECT_EQ(snap.target_components, (std::vector<std::size_t>{2})) << "min_members " << min_members;
    EXPECT_EQ(snap.codebook, (std::vector<float>{1.0F}));
  }
}

TEST(ShareSnapping, EachWeightJoinsItsNearestMeanAndTakesItsValue) {
  std::vector<float> weights = {-1.3F, -0.7F, -0.6F, 0.2F, -0.1F, 0.45F, 0.8F, 1.2F, 0.55F};
  const LayerSnap snap = snap_to_target_means(weights, kMeans, 2);
  EXPECT_EQ(snap.member_counts, (std::vector<std::int64_t>{3, 3, 3}));
  EXPECT_EQ(snap.codebook, (std::vector<float>{-1.0F, 0.0F, 1.0F}));
  EXPECT_EQ(weights, (std::vector<float>{-1, -1, -1, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(snap.codes, (std::vector<std::uint8_t>{0, 0, 0, 1, 1, 1, 2, 2, 2}));
}

TEST(ShareSnapping, MembersOfDroppedComponentsGoToTheNearestTargetMean) {
  // The zero component has 2 members (not more than 2): they go to -1 or +1, whichever
  // is nearer to the weight itself.
  std::vector<float> weights = {-1.1F, -0.9F, -1.0F, -0.2F, 0.3F, 0.9F, 1.0F, 1.1F};
  const LayerSnap snap = snap_to_target_means(weights, kMeans, 2);
  EXPECT_EQ(snap.member_counts, (std::vector<std::int64_t>{3, 2, 3}));
  EXPECT_EQ(snap.target_components, (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(weights, (std::vector<float>{-1, -1, -1, -1, 1, 1, 1, 1}));
  EXPECT_EQ(snap.codes, (std::vector<std::uint8_t>{0, 0, 0, 0, 1, 1, 1, 1}));
}

TEST(ShareSnapping, TakesTheMostPopulatedComponentWhenNoneHasEnoughMembers) {
  std::vector<float> weights = {-0.9F, 0.1F, 0.05F};
  const LayerSnap snap = snap_to_target_means(weights, kMeans, 4);
  EXPECT_EQ(snap.target_components, (std::vector<std::size_t>{1}));
  EXPECT_EQ(weights, (std::vector<float>{0, 0, 0}));
}

TEST(ShareSnapping, SnapsToTheTrainedMeansNotToTheirRoundedGrid) {
  const std::vector<double> trained = {-0.37, 0.0, 0.41};
  std::vector<float> weights = {-0.5F, -0.35F, -0.3F, 0.01F, 0.02F, -0.01F, 0.4F, 0.45F, 0.5F};
  snap_to_target_means(weights, trained, 2);
  EXPECT_EQ(weights, (std::vector<float>{-0.37F, -0.37F, -0.37F, 0, 0, 0, 0.41F, 0.41F, 0.41F}));
}

}  // namespace
}  // namespace lathe::compress::share
