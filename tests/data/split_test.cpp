#include "data/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "data_test_files.h"

namespace lathe::data {
namespace {

using test_files::contains;
using test_files::error_message;
using test_files::numbered_set;

// The item numbers a split holds, checking that pixels and label still agree.
std::vector<std::int32_t> items_of(const Dataset& part) {
  for (std::int64_t i = 0; i < part.size(); ++i) {
    const auto label = static_cast<float>(part.labels[static_cast<std::size_t>(i)]);
    EXPECT_EQ(part.images[2 * i], label);
    EXPECT_EQ(part.images[2 * i + 1], -label);
  }
  return part.labels;
}

TEST(Split, CarvesTheFractionWithoutLosingOrRepeatingItems) {
  const auto [train, validation] = split_validation(numbered_set(100), 0.25, 42);
  EXPECT_EQ(validation.size(), 25);
  EXPECT_EQ(train.size(), 75);
  EXPECT_EQ(train.images.shape(), Shape({75, 1, 1, 2}));
  std::set<std::int32_t> all;
  for (const Dataset* part : {&train, &validation}) {
    for (std::int32_t item : items_of(*part)) all.insert(item);
    EXPECT_EQ(part->classes, 1000);
  }
  EXPECT_EQ(all.size(), 100U);
  EXPECT_EQ(validation.source, "numbered (validation split)");
}

TEST(Split, EachPartKeepsTheOriginalOrder) {
  const auto [train, validation] = split_validation(numbered_set(50), 0.3, 1);
  EXPECT_TRUE(std::ranges::is_sorted(train.labels));
  EXPECT_TRUE(std::ranges::is_sorted(validation.labels));
}

TEST(Split, IsAPureFunctionOfTheSeed) {
  const auto first = split_validation(numbered_set(100), 0.2, 9);
  const auto again = split_validation(numbered_set(100), 0.2, 9);
  const auto other = split_validation(numbered_set(100), 0.2, 10);
  EXPECT_EQ(first.second.labels, again.second.labels);
  EXPECT_NE(first.second.labels, other.second.labels);
}

TEST(Split, ZeroFractionGivesAnEmptyValidationSetOfTheSameImageShape) {
  const auto [train, validation] = split_validation(numbered_set(10), 0.0, 3);
  EXPECT_EQ(train.size(), 10);
  EXPECT_EQ(items_of(train), numbered_set(10).labels);
  EXPECT_EQ(validation.size(), 0);
  EXPECT_EQ(validation.images.shape(), Shape({0, 1, 1, 2}));
}

TEST(Split, FractionOutsideZeroToOneIsAnError) {
  EXPECT_TRUE(contains(error_message([] { split_validation(numbered_set(10), 1.0, 0); }),
                       "numbered: validation fraction must lie in [0, 1), got 1"));
  EXPECT_TRUE(contains(error_message([] { split_validation(numbered_set(10), -0.1, 0); }),
                       "got -0.1"));
}

TEST(Split, FractionThatLeavesNoTrainingItemsIsAnError) {
  EXPECT_TRUE(contains(error_message([] { split_validation(numbered_set(1), 0.6, 0); }),
                       "numbered: a validation fraction of 0.6 of 1 items leaves no training items"));
}

TEST(TakeItems, PicksTheGivenItemsInOrder) {
  const std::vector<std::int64_t> picks = {4, 0, 4};
  const Dataset picked = take_items(numbered_set(5), picks, "picked");
  EXPECT_EQ(items_of(picked), (std::vector<std::int32_t>{4, 0, 4}));
  EXPECT_EQ(picked.source, "picked");
  EXPECT_EQ(picked.classes, 1000);
}

TEST(TakeItems, IndexOutOfRangeIsAnError) {
  const std::vector<std::int64_t> picks = {5};
  EXPECT_TRUE(contains(error_message([&] { take_items(numbered_set(5), picks, "picked"); }),
                       "numbered: item index 5 is outside [0, 5)"));
}

}  // namespace
}  // namespace lathe::data
