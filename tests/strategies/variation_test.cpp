#include "strategies/variation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace lathe::search {
namespace {

TEST(SimulatedBinaryCrossover, KeepsChildrenInRangeAndCentredOnTheParents) {
  Rng rng(1);
  double mean = 0.0;
  const int n = 5000;
  for (int i = 0; i < n; ++i) {
    const auto [a, b] = simulated_binary_crossover(0.2, 0.6, 0.0, 1.0, 15.0, rng);
    ASSERT_GE(a, 0.0);
    ASSERT_LE(a, 1.0);
    ASSERT_GE(b, 0.0);
    ASSERT_LE(b, 1.0);
    mean += (a + b) / (2.0 * n);
  }
  // SBX preserves the parents' mean, up to the bounded form's slight pull from the ends.
  EXPECT_NEAR(mean, 0.4, 0.01);
}

TEST(SimulatedBinaryCrossover, LeavesEqualParentsAlone) {
  Rng rng(1);
  EXPECT_EQ(simulated_binary_crossover(0.3, 0.3, 0.0, 1.0, 15.0, rng), std::make_pair(0.3, 0.3));
}

TEST(PolynomialMutation, StaysInRangeAndMostlyNearTheValue) {
  Rng rng(2);
  int near = 0;
  const int n = 5000;
  for (const double value : {0.0, 0.5, 1.0}) {
    for (int i = 0; i < n; ++i) {
      const double mutated = polynomial_mutation(value, 0.0, 1.0, 20.0, rng);
      ASSERT_GE(mutated, 0.0);
      ASSERT_LE(mutated, 1.0);
      if (value == 0.5) near += std::fabs(mutated - 0.5) < 0.1 ? 1 : 0;
    }
  }
  EXPECT_GT(near, n * 8 / 10);  // eta 20 keeps most mutations small
}

SearchSpace mixed_space() {
  SearchSpace space;
  space.dimensions.push_back({"ratio", Dimension::Kind::real, {}, 0.0, 0.9});
  space.dimensions.push_back({"bits", Dimension::Kind::categorical, {"4", "8", "16"}, 0, 0});
  space.dimensions.push_back({"epochs", Dimension::Kind::integer, {}, 1, 9});
  space.dimensions.push_back({"lr", Dimension::Kind::log_real, {}, 1e-5, 1e-1});
  return space;
}

TEST(MakeChildren, AlwaysGivesValidPointsOfTheSpace) {
  const SearchSpace space = mixed_space();
  VariationSettings settings;
  settings.mutation_probability = 0.5;
  Rng rng(3);
  std::set<double> epochs;
  for (int i = 0; i < 2000; ++i) {
    const Point a = sample_point(space, rng);
    const Point b = sample_point(space, rng);
    const auto [first, second] = make_children(space, a, b, settings, rng);
    ASSERT_NO_THROW(check_point(space, first));
    ASSERT_NO_THROW(check_point(space, second));
    epochs.insert(first[2]);
  }
  EXPECT_EQ(epochs.size(), 9U);  // rounding still reaches every integer, ends included
}

TEST(MakeChildren, WithoutCrossoverOrMutationCopiesTheParents) {
  const SearchSpace space = mixed_space();
  VariationSettings settings;
  settings.crossover_probability = 0.0;
  settings.mutation_probability = 0.0;
  Rng rng(4);
  const Point a = {0.1, 0, 3, 1e-4};
  const Point b = {0.8, 2, 7, 1e-2};
  const auto [first, second] = make_children(space, a, b, settings, rng);
  EXPECT_EQ(first, a);
  EXPECT_EQ(second, b);
}

TEST(MakeChildren, CrossesLogRealDimensionsInLogSpace) {
  // SBX keeps the mean of its parents where it works. In log space the children of 1e-5
  // and 1e-1 keep their geometric mean, 1e-3; crossed linearly, the child near 1e-5 would
  // spread over thousandths and pull the mean of the logarithms far above it.
  SearchSpace space;
  space.dimensions.push_back({"lr", Dimension::Kind::log_real, {}, 1e-6, 1.0});
  VariationSettings settings;
  settings.crossover_probability = 1.0;
  settings.mutation_probability = 0.0;
  Rng rng(5);
  double log_mean = 0.0;
  int crossed = 0;
  for (int i = 0; i < 4000; ++i) {
    const auto [first, second] = make_children(space, {1e-5}, {1e-1}, settings, rng);
    if (first[0] == 1e-5 || first[0] == 1e-1) continue;  // this dimension did not cross
    ++crossed;
    log_mean += (std::log(first[0]) + std::log(second[0])) / 2.0;
  }
  ASSERT_GT(crossed, 1500);
  EXPECT_NEAR(log_mean / crossed, std::log(1e-3), 0.1);
}

}  // namespace
}  // namespace lathe::search
