#include "strategies/grid_strategy.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"

namespace lathe::search {
namespace {

TEST(GridValues, TakesEveryChoiceAndEveryIntegerOfASmallRange) {
  EXPECT_EQ(grid_values({"b", Dimension::Kind::categorical, {"4", "8", "16", "32"}, 0, 0}, 2),
            (std::vector<double>{0, 1, 2, 3}));
  EXPECT_EQ(grid_values({"e", Dimension::Kind::integer, {}, 2, 4}, 3),
            (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(grid_values({"e", Dimension::Kind::integer, {}, 2, 3}, 5), (std::vector<double>{2, 3}));
}

TEST(GridValues, SpacesLargeIntegerRangesEvenlyRoundedWithoutRepeats) {
  EXPECT_EQ(grid_values({"e", Dimension::Kind::integer, {}, 0, 10}, 3),
            (std::vector<double>{0, 5, 10}));
  EXPECT_EQ(grid_values({"e", Dimension::Kind::integer, {}, 1, 8}, 4),
            (std::vector<double>{1, 3, 6, 8}));
  // 0, 1.5, 3, 4.5, 6 round to 0, 2, 3, 5, 6 (half away from zero).
  EXPECT_EQ(grid_values({"e", Dimension::Kind::integer, {}, 0, 6}, 5),
            (std::vector<double>{0, 2, 3, 5, 6}));
}

TEST(GridValues, SpacesRealsLinearlyAndLogRealsLogarithmicallyWithBothEnds) {
  EXPECT_EQ(grid_values({"r", Dimension::Kind::real, {}, 0.0, 1.0}, 5),
            (std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
  const std::vector<double> lr = grid_values({"lr", Dimension::Kind::log_real, {}, 1e-4, 1e-1}, 4);
  ASSERT_EQ(lr.size(), 4U);
  EXPECT_EQ(lr.front(), 1e-4);
  EXPECT_NEAR(lr[1], 1e-3, 1e-15);
  EXPECT_NEAR(lr[2], 1e-2, 1e-14);
  EXPECT_EQ(lr.back(), 1e-1);
  EXPECT_EQ(grid_values({"r", Dimension::Kind::real, {}, 0.5, 0.5}, 3), std::vector<double>{0.5});
  EXPECT_THROW(grid_values({"r", Dimension::Kind::real, {}, 0.0, 1.0}, 1), Error);
}

TEST(GridStrategy, EnumeratesExactlyTheProductLastDimensionFastestThenIsExhausted) {
  SearchSpace space;
  space.dimensions.push_back({"bits", Dimension::Kind::categorical, {"4", "8"}, 0, 0});
  space.dimensions.push_back({"ratio", Dimension::Kind::real, {}, 0.0, 1.0});
  space.dimensions.push_back({"epochs", Dimension::Kind::integer, {}, 1, 2});
  StrategySettings settings;
  settings.grid_points = 3;
  GridStrategy strategy(space, settings);
  EXPECT_EQ(strategy.grid_size(), 2 * 3 * 2);

  std::vector<Candidate> candidates = strategy.ask(5);
  for (const Candidate& c : strategy.ask(100)) candidates.push_back(c);
  ASSERT_EQ(candidates.size(), 12U);
  EXPECT_TRUE(strategy.exhausted());
  EXPECT_TRUE(strategy.ask(1).empty());

  std::vector<Point> expected;
  for (const double bits : {0.0, 1.0}) {
    for (const double ratio : {0.0, 0.5, 1.0}) {
      for (const double epochs : {1.0, 2.0}) expected.push_back({bits, ratio, epochs});
    }
  }
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    EXPECT_EQ(candidates[i].id, static_cast<std::int64_t>(i));
    EXPECT_EQ(candidates[i].point, expected[i]) << "candidate " << i;
  }
}

TEST(GridStrategy, AsksTheInitialPointsBeforeTheProduct) {
  SearchSpace space;
  space.dimensions.push_back({"ratio", Dimension::Kind::real, {}, 0.0, 1.0});
  StrategySettings settings;
  settings.grid_points = 2;
  settings.initial_points = {{0.3}};
  GridStrategy strategy(space, settings);
  const std::vector<Candidate> candidates = strategy.ask(10);
  ASSERT_EQ(candidates.size(), 3U);
  EXPECT_EQ(candidates[0].point, Point{0.3});
  EXPECT_EQ(candidates[1].point, Point{0.0});
  EXPECT_EQ(candidates[2].point, Point{1.0});
  EXPECT_TRUE(strategy.exhausted());
}

TEST(GridStrategy, RefusesAProductTooLargeToCount) {
  SearchSpace space;
  for (int i = 0; i < 70; ++i) {
    space.dimensions.push_back({"d" + std::to_string(i), Dimension::Kind::real, {}, 0.0, 1.0});
  }
  StrategySettings settings;
  settings.grid_points = 2;
  EXPECT_THROW(GridStrategy(space, settings), Error);
}

}  // namespace
}  // namespace lathe::search
