#include "data/synthetic.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "data_test_files.h"

namespace lathe::data {
namespace {

using test_files::contains;
using test_files::error_message;

SyntheticConfig small_config() {
  SyntheticConfig config;
  config.classes = 4;
  config.channels = 2;
  config.height = 3;
  config.width = 5;
  config.train_size = 400;
  config.test_size = 100;
  config.noise = 0.5;
  return config;
}

// Per-class mean images of `data`, flattened.
std::vector<std::vector<double>> class_means(const Dataset& data) {
  const std::int64_t pixels = data.images.shape().elements_per_item();
  std::vector<std::vector<double>> means(static_cast<std::size_t>(data.classes),
                                         std::vector<double>(static_cast<std::size_t>(pixels)));
  std::vector<int> counts(static_cast<std::size_t>(data.classes));
  for (std::int64_t i = 0; i < data.size(); ++i) {
    const auto label = static_cast<std::size_t>(data.labels[static_cast<std::size_t>(i)]);
    ++counts[label];
    for (std::int64_t p = 0; p < pixels; ++p) {
      means[label][static_cast<std::size_t>(p)] += data.images[i * pixels + p];
    }
  }
  for (std::size_t c = 0; c < means.size(); ++c) {
    for (double& m : means[c]) m /= counts[c];
  }
  return means;
}

TEST(Synthetic, HasTheConfiguredShapeAndBalancedLabels) {
  const Dataset data = make_synthetic(small_config(), 1);
  EXPECT_EQ(data.images.shape(), Shape({400, 2, 3, 5}));
  EXPECT_EQ(data.classes, 4);
  for (std::int32_t label = 0; label < 4; ++label) {
    EXPECT_EQ(std::ranges::count(data.labels, label), 100) << "class " << label;
  }
  EXPECT_FALSE(std::ranges::is_sorted(data.labels)) << "labels come in shuffled order";
  EXPECT_EQ(make_synthetic(small_config(), 1, SyntheticSplit::test).size(), 100);
}

TEST(Synthetic, SameSeedGivesIdenticalDataAndAnotherSeedDifferentData) {
  const Dataset a = make_synthetic(small_config(), 7);
  const Dataset b = make_synthetic(small_config(), 7);
  const Dataset c = make_synthetic(small_config(), 8);
  EXPECT_TRUE(std::ranges::equal(a.images.values(), b.images.values()));
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_FALSE(std::ranges::equal(a.images.values(), c.images.values()));
}

TEST(Synthetic, WithoutNoiseEverySampleIsItsClassPrototype) {
  SyntheticConfig config = small_config();
  config.noise = 0.0;
  const Dataset data = make_synthetic(config, 3);
  const std::vector<std::vector<double>> means = class_means(data);
  const std::int64_t pixels = data.images.shape().elements_per_item();
  for (std::int64_t i = 0; i < data.size(); ++i) {
    const auto& prototype = means[static_cast<std::size_t>(data.labels[static_cast<std::size_t>(i)])];
    for (std::int64_t p = 0; p < pixels; ++p) {
      ASSERT_FLOAT_EQ(data.images[i * pixels + p], static_cast<float>(prototype[static_cast<std::size_t>(p)]));
    }
  }
}

TEST(Synthetic, TrainAndTestShareThePrototypesButNotTheSamples) {
  SyntheticConfig config = small_config();
  config.noise = 0.0;
  const auto train_means = class_means(make_synthetic(config, 5, SyntheticSplit::train));
  const auto test_means = class_means(make_synthetic(config, 5, SyntheticSplit::test));
  EXPECT_EQ(train_means, test_means);

  config.noise = 0.5;
  const Dataset train = make_synthetic(config, 5, SyntheticSplit::train);
  const Dataset test = make_synthetic(config, 5, SyntheticSplit::test);
  const std::int64_t pixels = train.images.shape().elements_per_item();
  EXPECT_FALSE(std::equal(test.images.data(), test.images.data() + pixels, train.images.data()));
}

TEST(Synthetic, IsLearnableByTheNearestClassMean) {
  const SyntheticConfig config = small_config();
  const auto means = class_means(make_synthetic(config, 11, SyntheticSplit::train));
  const Dataset test = make_synthetic(config, 11, SyntheticSplit::test);
  const std::int64_t pixels = test.images.shape().elements_per_item();
  int correct = 0;
  for (std::int64_t i = 0; i < test.size(); ++i) {
    double best = std::numeric_limits<double>::infinity();
    std::size_t guess = 0;
    for (std::size_t c = 0; c < means.size(); ++c) {
      double distance = 0.0;
      for (std::int64_t p = 0; p < pixels; ++p) {
        const double d = test.images[i * pixels + p] - means[c][static_cast<std::size_t>(p)];
        distance += d * d;
      }
      if (distance < best) {
        best = distance;
        guess = c;
      }
    }
    correct += static_cast<int>(guess) == test.labels[static_cast<std::size_t>(i)] ? 1 : 0;
  }
  EXPECT_GE(correct, 90) << "of 100 test items";
}

TEST(Synthetic, InvalidConfigNamesTheValues) {
  SyntheticConfig config = small_config();
  config.classes = 1;
  EXPECT_TRUE(contains(error_message([&] { make_synthetic(config, 0); }),
                       "synthetic data: expected at least 2 classes"));
}

}  // namespace
}  // namespace lathe::data
