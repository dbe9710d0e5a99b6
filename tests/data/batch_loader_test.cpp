#include "data/batch_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "data_test_files.h"

namespace lathe::data {
namespace {

using test_files::contains;
using test_files::error_message;
using test_files::numbered_set;

// Every item of one epoch, in serving order, checking that pixels and labels agree.
std::vector<std::int32_t> epoch_items(BatchLoader& loader, int epoch) {
  loader.start_epoch(epoch);
  Tensor images;
  std::vector<std::int32_t> labels;
  std::vector<std::int32_t> items;
  while (loader.next(images, labels)) {
    for (std::size_t b = 0; b < labels.size(); ++b) {
      EXPECT_EQ(images[2 * static_cast<std::int64_t>(b)], static_cast<float>(labels[b]));
      EXPECT_EQ(images[2 * static_cast<std::int64_t>(b) + 1], -static_cast<float>(labels[b]));
    }
    items.insert(items.end(), labels.begin(), labels.end());
  }
  return items;
}

TEST(BatchLoader, ServesEveryItemOnceIncludingTheLastPartialBatch) {
  const Dataset data = numbered_set(10);
  BatchLoader loader(data, 4, true, 5);
  EXPECT_EQ(loader.batches_per_epoch(), 3);
  Tensor images;
  std::vector<std::int32_t> labels;
  std::vector<std::int64_t> sizes;
  std::vector<std::int32_t> seen;
  while (loader.next(images, labels)) {
    EXPECT_EQ(images.shape(), Shape({std::ssize(labels), 1, 1, 2}));
    sizes.push_back(std::ssize(labels));
    seen.insert(seen.end(), labels.begin(), labels.end());
  }
  EXPECT_EQ(sizes, (std::vector<std::int64_t>{4, 4, 2}));
  std::ranges::sort(seen);
  EXPECT_EQ(seen, data.labels);
  EXPECT_FALSE(loader.next(images, labels)) << "stays done until the next start_epoch";
}

TEST(BatchLoader, WithoutShufflingServesTheDataSetOrderEveryEpoch) {
  const Dataset data = numbered_set(7);
  BatchLoader loader(data, 3, false, 5);
  EXPECT_EQ(epoch_items(loader, 0), data.labels);
  EXPECT_EQ(epoch_items(loader, 4), data.labels);
}

TEST(BatchLoader, EpochOrderIsAPureFunctionOfSeedAndEpoch) {
  const Dataset data = numbered_set(50);
  BatchLoader straight(data, 8, true, 17);
  BatchLoader resumed(data, 8, true, 17);
  const std::vector<std::int32_t> epoch0 = epoch_items(straight, 0);
  const std::vector<std::int32_t> epoch1 = epoch_items(straight, 1);
  const std::vector<std::int32_t> epoch2 = epoch_items(straight, 2);
  EXPECT_EQ(epoch_items(resumed, 2), epoch2) << "jumping straight to epoch 2";
  EXPECT_EQ(epoch_items(resumed, 0), epoch0);
  EXPECT_NE(epoch0, epoch1);
  EXPECT_NE(epoch0, data.labels);
  BatchLoader other_seed(data, 8, true, 18);
  EXPECT_NE(epoch_items(other_seed, 0), epoch0);
}

TEST(BatchLoader, OrderDoesNotDependOnTheStandardLibrary) {
  // Fixed for seed 2024, epoch 3: a change here breaks the reproducibility of past runs.
  const Dataset data = numbered_set(10);
  BatchLoader loader(data, 10, true, 2024);
  EXPECT_EQ(epoch_items(loader, 3), (std::vector<std::int32_t>{7, 1, 6, 9, 4, 2, 5, 8, 3, 0}));
}

TEST(BatchLoader, ReusesTheOutputBuffers) {
  const Dataset data = numbered_set(10);
  BatchLoader loader(data, 4, true, 1);
  Tensor images;
  std::vector<std::int32_t> labels;
  ASSERT_TRUE(loader.next(images, labels));
  const float* image_buffer = images.data();
  const std::int32_t* label_buffer = labels.data();
  while (loader.next(images, labels)) {
    EXPECT_EQ(images.data(), image_buffer);
    EXPECT_EQ(labels.data(), label_buffer);
  }
}

TEST(BatchLoader, EmptyDataSetHasNoBatches) {
  Dataset empty = numbered_set(0);
  BatchLoader loader(empty, 4, true, 1);
  Tensor images;
  std::vector<std::int32_t> labels;
  EXPECT_EQ(loader.batches_per_epoch(), 0);
  EXPECT_FALSE(loader.next(images, labels));
}

TEST(BatchLoader, BatchSizeBelowOneIsAnError) {
  const Dataset data = numbered_set(3);
  EXPECT_TRUE(contains(error_message([&] { BatchLoader(data, 0, true, 1); }),
                       "numbered: batch size must be at least 1, got 0"));
}

TEST(BatchLoader, NegativeEpochIsAnError) {
  const Dataset data = numbered_set(3);
  BatchLoader loader(data, 2, true, 1);
  EXPECT_TRUE(contains(error_message([&] { loader.start_epoch(-1); }),
                       "numbered: epoch must be at least 0, got -1"));
}

}  // namespace
}  // namespace lathe::data
