#include "strategies/hypervolume.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"
#include "strategies/pareto.h"
#include "zdt.h"

namespace lathe::search {
namespace {

using Points = std::vector<std::vector<double>>;

// `count` points (f1, front(f1)) with f1 evenly spaced over [0, 1].
template <class Front>
Points sampled_front(Front front, int count) {
  Points points;
  for (int i = 0; i < count; ++i) {
    const double f1 = static_cast<double>(i) / (count - 1);
    points.push_back({f1, front(f1)});
  }
  return points;
}

// Independent of the code under test: the union of the boxes by inclusion-exclusion over
// every non-empty subset (their intersection is the box from the coordinate-wise maximum).
double inclusion_exclusion(const Points& points, const std::vector<double>& reference) {
  const std::size_t n = points.size();
  double volume = 0.0;
  for (std::uint32_t subset = 1; subset < (1U << n); ++subset) {
    std::vector<double> corner(reference.size(), -1e300);
    int members = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if ((subset >> i) & 1U) {
        ++members;
        for (std::size_t k = 0; k < corner.size(); ++k)
          corner[k] = std::max(corner[k], points[i][k]);
      }
    }
    double box = 1.0;
    for (std::size_t k = 0; k < corner.size(); ++k) box *= std::max(0.0, reference[k] - corner[k]);
    volume += (members % 2 == 1 ? 1.0 : -1.0) * box;
  }
  return volume;
}

Points random_points(Rng& rng, std::size_t count, std::size_t dimensions) {
  Points points(count, std::vector<double>(dimensions));
  for (auto& p : points) {
    for (double& v : p) v = rng.uniform(0.0, 1.2);  // some fall outside the reference
  }
  return points;
}

TEST(Hypervolume, DenseZdt1FrontGivesTwoThirds) {
  EXPECT_NEAR(hypervolume(sampled_front(zdt::zdt1_front, 10000), {1.0, 1.0}), 2.0 / 3.0, 1e-3);
}

TEST(Hypervolume, DenseZdt2FrontGivesOneThird) {
  EXPECT_NEAR(hypervolume(sampled_front(zdt::zdt2_front, 10000), {1.0, 1.0}), 1.0 / 3.0, 1e-3);
}

TEST(Hypervolume, DenseZdt3FrontGivesTheIntegralOverItsDisconnectedSegments) {
  // The region the ZDT3 curve dominates below (1, 1) is, at each f1, everything above the
  // lowest f2 the curve reaches at or left of f1: integrate 1 - that running minimum
  // (midpoint rule). It comes to about 1.04443, not the 1.0414 sometimes quoted.
  const int steps = 1000000;
  double lowest = 1.0;
  double expected = 0.0;
  for (int i = 0; i < steps; ++i) {
    lowest = std::min(lowest, zdt::zdt3_curve((i + 0.5) / steps));
    expected += (1.0 - lowest) / steps;
  }
  EXPECT_NEAR(expected, 1.04443, 1e-4);
  // The true front: the non-dominated part of a dense sample of the g = 1 curve.
  const Points curve = sampled_front(zdt::zdt3_curve, 10000);
  std::vector<Evaluation> evaluations;
  for (const auto& p : curve) evaluations.push_back({-1, {}, 0, true, p, 0.0});
  Points front;
  for (const std::size_t i : pareto_front(evaluations)) front.push_back(curve[i]);
  EXPECT_LT(front.size(), curve.size() / 2);  // five short segments, not the whole curve
  EXPECT_NEAR(hypervolume(front, {1.0, 1.0}), expected, 1e-3);
}

TEST(Hypervolume, TwoDimensionsMatchInclusionExclusion) {
  Rng rng(4);
  for (int trial = 0; trial < 20; ++trial) {
    const Points points = random_points(rng, 9, 2);
    EXPECT_NEAR(hypervolume(points, {1.0, 1.0}), inclusion_exclusion(points, {1.0, 1.0}), 1e-12);
  }
}

TEST(Hypervolume, ThreeDimensionsMatchInclusionExclusion) {
  Rng rng(8);
  for (int trial = 0; trial < 40; ++trial) {
    const Points points = random_points(rng, 1 + trial % 11, 3);
    const std::vector<double> reference = {1.0, 1.1, 0.9};
    EXPECT_NEAR(hypervolume(points, reference), inclusion_exclusion(points, reference), 1e-12)
        << "trial " << trial;
  }
}

TEST(Hypervolume, ThreeDimensionsHandleTiedCoordinates) {
  // Points on a coarse lattice share x, y and z values, the sweep's awkward cases.
  Rng rng(21);
  for (int trial = 0; trial < 30; ++trial) {
    Points points(10, std::vector<double>(3));
    for (auto& p : points) {
      for (double& v : p) v = static_cast<double>(rng.uniform_int(0, 4)) / 4.0;
    }
    const std::vector<double> reference = {1.0, 1.0, 1.0};
    EXPECT_NEAR(hypervolume(points, reference), inclusion_exclusion(points, reference), 1e-12)
        << "trial " << trial;
  }
}

TEST(Hypervolume, ThreeDimensionsMatchAGridCountOnALargerSet) {
  // 60 points on a 1/20 lattice: every box is a union of whole cells, so counting the
  // dominated cells' centres is exact.
  Rng rng(30);
  Points points(60, std::vector<double>(3));
  for (auto& p : points) {
    for (double& v : p) v = static_cast<double>(rng.uniform_int(0, 20)) / 20.0;
  }
  int dominated_cells = 0;
  for (int a = 0; a < 20; ++a) {
    for (int b = 0; b < 20; ++b) {
      for (int c = 0; c < 20; ++c) {
        const std::vector<double> centre = {(a + 0.5) / 20, (b + 0.5) / 20, (c + 0.5) / 20};
        dominated_cells +=
            std::any_of(points.begin(), points.end(),
                        [&](const auto& p) {
                          return p[0] <= centre[0] && p[1] <= centre[1] && p[2] <= centre[2];
                        })
                ? 1
                : 0;
      }
    }
  }
  EXPECT_NEAR(hypervolume(points, {1.0, 1.0, 1.0}), dominated_cells / 8000.0, 1e-12);
}

TEST(Hypervolume, DoesNotDependOnOrderOrRepeats) {
  Rng rng(12);
  for (const std::size_t dimensions : {std::size_t{2}, std::size_t{3}}) {
    Points points = random_points(rng, 30, dimensions);
    const std::vector<double> reference(dimensions, 1.0);
    const double volume = hypervolume(points, reference);
    Points shuffled = points;
    std::reverse(shuffled.begin(), shuffled.end());
    std::rotate(shuffled.begin(), shuffled.begin() + 7, shuffled.end());
    EXPECT_EQ(hypervolume(shuffled, reference), volume);
    Points repeated = points;
    repeated.insert(repeated.end(), points.begin(), points.begin() + 10);
    EXPECT_EQ(hypervolume(repeated, reference), volume);
  }
}

TEST(Hypervolume, IgnoresPointsNotStrictlyBetterThanTheReference) {
  EXPECT_DOUBLE_EQ(hypervolume({{0.5, 0.5}}, {1.0, 1.0}), 0.25);
  EXPECT_DOUBLE_EQ(hypervolume({{0.5, 0.5}, {1.0, 0.0}, {0.0, 1.0}, {2.0, -1.0}}, {1.0, 1.0}),
                   0.25);
  EXPECT_DOUBLE_EQ(hypervolume({{0.5, 0.5, 1.0}, {0.5, 0.5, 0.5}}, {1.0, 1.0, 1.0}), 0.125);
  EXPECT_EQ(hypervolume({}, {1.0, 1.0}), 0.0);
}

TEST(Hypervolume, RefusesOtherNumbersOfObjectives) {
  try {
    hypervolume({{0.1, 0.2, 0.3, 0.4}}, {1.0, 1.0, 1.0, 1.0});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "hypervolume: 4 objectives: only 2 and 3 are supported (exact sweeps)");
  }
  EXPECT_THROW(hypervolume({{0.1}}, {1.0}), Error);
  EXPECT_THROW(hypervolume({{0.1, 0.2, 0.3}}, {1.0, 1.0}), Error);
}

TEST(FrontHypervolume, CountsOnlyFeasibleCompletedEvaluations) {
  std::vector<Evaluation> evaluations = {
      {0, {}, 0, true, {0.5, 0.5}, 0.0},
      {1, {}, 0, true, {0.0, 0.0}, 0.3},  // infeasible: would dominate everything
      {2, {}, 0, false, {}, 0.0},         // failed
      {3, {}, 0, true, {0.75, 0.25}, 0.0},
  };
  EXPECT_DOUBLE_EQ(front_hypervolume(evaluations, {1.0, 1.0}), 0.25 + 0.25 * 0.25);
}

}  // namespace
}  // namespace lathe::search
