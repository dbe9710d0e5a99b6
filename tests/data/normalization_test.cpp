#include "data/normalization.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "data_test_files.h"

namespace lathe::data {
namespace {

using test_files::contains;
using test_files::error_message;

// Two items of two 1 x 2 channels: channel 0 holds 1, 3, 5, 7 and channel 1 holds 10 x 4.
Dataset two_channel_set() {
  Dataset data;
  data.source = "two-channel set";
  data.images = Tensor({2, 2, 1, 2});
  const std::vector<float> values = {1, 3, 10, 10, 5, 7, 10, 10};
  std::ranges::copy(values, data.images.data());
  data.labels = {0, 1};
  data.classes = 2;
  return data;
}

TEST(Normalization, ComputesMeanAndPopulationStdPerChannel) {
  const Normalization n = compute_normalization(two_channel_set());
  ASSERT_EQ(n.mean.size(), 2U);
  EXPECT_FLOAT_EQ(n.mean[0], 4.0F);
  EXPECT_FLOAT_EQ(n.std[0], std::sqrt(5.0F));
  EXPECT_FLOAT_EQ(n.mean[1], 10.0F);
}

TEST(Normalization, ConstantChannelGetsTheFlooredStdAndStaysFinite) {
  Dataset data = two_channel_set();
  const Normalization n = compute_normalization(data);
  EXPECT_EQ(n.std[1], kMinNormalizationStd);
  apply_normalization(n, data);
  for (const float v : data.images.values()) EXPECT_TRUE(std::isfinite(v));
  EXPECT_EQ(data.images[2], 0.0F);
}

TEST(Normalization, AppliedToItsOwnDataGivesZeroMeanAndUnitStd) {
  Dataset data = two_channel_set();
  apply_normalization(compute_normalization(data), data);
  const Normalization after = compute_normalization(data);
  EXPECT_NEAR(after.mean[0], 0.0F, 1e-6F);
  EXPECT_NEAR(after.std[0], 1.0F, 1e-6F);
  EXPECT_FLOAT_EQ(data.images[0], -3.0F / std::sqrt(5.0F));
}

TEST(Normalization, AppliesTheGivenStatisticsToOtherData) {
  Dataset data = two_channel_set();
  apply_normalization({{1.0F, 2.0F}, {2.0F, 4.0F}}, data);
  EXPECT_FLOAT_EQ(data.images[1], 1.0F);  // (3 - 1) / 2
  EXPECT_FLOAT_EQ(data.images[3], 2.0F);  // (10 - 2) / 4
}

TEST(Normalization, ChannelCountMismatchNamesTheDataSet) {
  Dataset data = two_channel_set();
  EXPECT_TRUE(contains(error_message([&] { apply_normalization(identity_normalization(3), data); }),
                       "two-channel set: the normalisation has 3 means and 3 standard deviations, "
                       "expected one per channel (2)"));
}

TEST(Normalization, EmptyDataSetCannotBeTheSource) {
  Dataset empty;
  empty.source = "empty set";
  empty.images = Tensor({0, 1, 2, 2});
  EXPECT_TRUE(contains(error_message([&] { compute_normalization(empty); }),
                       "empty set: cannot compute the normalisation of an empty data set"));
  EXPECT_EQ(error_message([&] { apply_normalization(identity_normalization(1), empty); }), "");
}

TEST(Normalization, IdentityIsMeanZeroStdOne) {
  const Normalization n = identity_normalization(3);
  EXPECT_EQ(n.mean, std::vector<float>(3, 0.0F));
  EXPECT_EQ(n.std, std::vector<float>(3, 1.0F));
}

}  // namespace
}  // namespace lathe::data
