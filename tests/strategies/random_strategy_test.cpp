#include "strategies/random_strategy.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace lathe::search {
namespace {

SearchSpace small_space() {
  SearchSpace space;
  space.dimensions.push_back({"ratio", Dimension::Kind::real, {}, 0.1, 0.9});
  space.dimensions.push_back({"bits", Dimension::Kind::categorical, {"4", "8"}, 0, 0});
  space.dimensions.push_back({"epochs", Dimension::Kind::integer, {}, 1, 3});
  return space;
}

std::vector<Point> points_of(const std::vector<Candidate>& candidates) {
  std::vector<Point> points;
  for (const Candidate& c : candidates) points.push_back(c.point);
  return points;
}

TEST(RandomStrategy, AsksTheInitialPointsFirstThenSamples) {
  StrategySettings settings;
  settings.initial_points = {{0.5, 1, 2}, {0.1, 0, 3}};
  RandomStrategy strategy(small_space(), settings);
  const std::vector<Candidate> candidates = strategy.ask(5);
  ASSERT_EQ(candidates.size(), 5U);
  for (std::size_t i = 0; i < candidates.size(); ++i)
    EXPECT_EQ(candidates[i].id, static_cast<std::int64_t>(i));
  EXPECT_EQ(candidates[0].point, settings.initial_points[0]);
  EXPECT_EQ(candidates[1].point, settings.initial_points[1]);
  for (const Candidate& c : candidates) EXPECT_NO_THROW(check_point(small_space(), c.point));
  EXPECT_FALSE(strategy.exhausted());
}

TEST(RandomStrategy, IsTheSameForASeedHoweverItIsAsked) {
  StrategySettings settings;
  settings.seed = 99;
  RandomStrategy in_one(small_space(), settings);
  RandomStrategy in_pieces(small_space(), settings);
  std::vector<Candidate> pieces = in_pieces.ask(3);
  for (const Candidate& c : in_pieces.ask(4)) pieces.push_back(c);
  EXPECT_EQ(points_of(in_one.ask(7)), points_of(pieces));
  RandomStrategy same_seed(small_space(), settings);
  settings.seed = 100;
  RandomStrategy other_seed(small_space(), settings);
  EXPECT_NE(points_of(other_seed.ask(7)), points_of(same_seed.ask(7)));
}

TEST(RandomStrategy, RefusesBadInitialPointsAndUnknownResults) {
  StrategySettings settings;
  settings.initial_points = {{0.5, 1, 2}, {0.5, 2, 2}};
  try {
    RandomStrategy strategy(small_space(), settings);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "random: initial point 1: point: dimension 'bits' (index 1): expected a choice index "
        "in [0, 1], found 2");
  }
  RandomStrategy strategy(small_space(), StrategySettings{});
  strategy.ask(2);
  EXPECT_NO_THROW(strategy.tell({1, {}, 0, false, {}, 0.0}));
  EXPECT_THROW(strategy.tell({2, {}, 0, false, {}, 0.0}), Error);
}

}  // namespace
}  // namespace lathe::search
