#include "strategies/pareto.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "zdt.h"

namespace lathe::search {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

Evaluation feasible(std::vector<double> objectives, std::int64_t id = -1) {
  return {id, {}, 0, true, std::move(objectives), 0.0};
}
Evaluation infeasible(std::vector<double> objectives, double violation, std::int64_t id = -1) {
  return {id, {}, 0, true, std::move(objectives), violation};
}
Evaluation failed(std::int64_t id = -1) { return {id, {}, 0, false, {}, 0.0}; }

TEST(Dominates, NeedsNoWorseEverywhereAndBetterSomewhere) {
  EXPECT_TRUE(dominates({1, 2}, {1, 3}));
  EXPECT_TRUE(dominates({0, 0, 0}, {1, 1, 1}));
  EXPECT_FALSE(dominates({1, 2}, {1, 2}));  // equal
  EXPECT_FALSE(dominates({1, 3}, {2, 2}));  // a trade-off
  EXPECT_FALSE(dominates({1, 3}, {1, 2}));
  EXPECT_THROW(dominates({1, 2}, {1, 2, 3}), Error);
}

TEST(ConstraintDominates, FeasibleBeatsInfeasibleWhateverTheObjectives) {
  EXPECT_TRUE(constraint_dominates(feasible({9, 9}), infeasible({0, 0}, 0.1)));
  EXPECT_FALSE(constraint_dominates(infeasible({0, 0}, 0.1), feasible({9, 9})));
}

TEST(ConstraintDominates, TheSmallerViolationWinsBetweenInfeasibleOnes) {
  EXPECT_TRUE(constraint_dominates(infeasible({9, 9}, 0.1), infeasible({0, 0}, 0.2)));
  EXPECT_FALSE(constraint_dominates(infeasible({0, 0}, 0.2), infeasible({9, 9}, 0.1)));
  EXPECT_FALSE(constraint_dominates(infeasible({0, 0}, 0.2), infeasible({9, 9}, 0.2)));
}

TEST(ConstraintDominates, FeasibleOnesCompareByParetoDominance) {
  EXPECT_TRUE(constraint_dominates(feasible({1, 1}), feasible({1, 2})));
  EXPECT_FALSE(constraint_dominates(feasible({1, 3}), feasible({2, 1})));
}

TEST(ConstraintDominates, NotCompletedRanksBelowEveryCompletedOne) {
  EXPECT_EQ(effective_violation(failed()), infinity);
  EXPECT_TRUE(constraint_dominates(infeasible({9, 9}, 1e12), failed()));
  EXPECT_FALSE(constraint_dominates(failed(), failed()));
  // A completed evaluation with a NaN objective cannot be compared: treated as failed.
  EXPECT_EQ(effective_violation(feasible({0.5, NAN})), infinity);
  EXPECT_FALSE(is_feasible(feasible({0.5, NAN})));
}

TEST(NonDominatedFronts, SortsIntoNestedFronts) {
  const std::vector<Evaluation> evaluations = {
      feasible({2, 2}),         // 0: front 1 (dominated by 1)
      feasible({1, 1}),         // 1: front 0
      feasible({0, 3}),         // 2: front 0
      feasible({3, 3}),         // 3: front 2
      infeasible({0, 0}, 0.5),  // 4: front 4 (after every feasible one and 5)
      infeasible({5, 5}, 0.1),  // 5: front 3
      failed(),                 // 6: front 5
      feasible({3, 0.5}),       // 7: front 0
  };
  const std::vector<std::vector<std::size_t>> expected = {{1, 2, 7}, {0}, {3}, {5}, {4}, {6}};
  EXPECT_EQ(non_dominated_fronts(evaluations), expected);
}

TEST(NonDominatedFronts, PutsEveryIndexInExactlyOneFront) {
  Rng rng(6);
  std::vector<Evaluation> evaluations;
  for (int i = 0; i < 60; ++i) {
    evaluations.push_back(
        i % 7 == 0 ? failed()
                   : infeasible({rng.uniform(), rng.uniform()}, i % 3 == 0 ? rng.uniform() : 0.0));
  }
  const auto fronts = non_dominated_fronts(evaluations);
  std::vector<int> seen(evaluations.size(), 0);
  for (std::size_t f = 0; f < fronts.size(); ++f) {
    for (const std::size_t i : fronts[f]) {
      ++seen[i];
      // Nothing in the same or a later front dominates a member.
      for (std::size_t g = f; g < fronts.size(); ++g) {
        for (const std::size_t j : fronts[g]) {
          EXPECT_FALSE(constraint_dominates(evaluations[j], evaluations[i]));
        }
      }
    }
  }
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int count) { return count == 1; }));
}

TEST(CrowdingDistances, GivesTheEndsInfinityAndTheInteriorNormalisedGaps) {
  const std::vector<Evaluation> evaluations = {feasible({0, 4}), feasible({1, 3}), feasible({3, 1}),
                                               feasible({4, 0}), failed()};
  const std::vector<double> distance = crowding_distances(evaluations, {2, 0, 3, 1});
  EXPECT_EQ(distance[1], infinity);                        // index 0: an end
  EXPECT_EQ(distance[2], infinity);                        // index 3: the other end
  EXPECT_DOUBLE_EQ(distance[0], (4.0 - 1.0) / 4.0 * 2.0);  // index 2: neighbours 1 and 3
  EXPECT_DOUBLE_EQ(distance[3], (3.0 - 0.0) / 4.0 * 2.0);  // index 1: neighbours 0 and 2
  EXPECT_EQ(crowding_distances(evaluations, {4}), std::vector<double>{0.0});
}

TEST(ParetoFront, KeepsOnlyFeasibleNonDominatedInInputOrder) {
  const std::vector<Evaluation> evaluations = {
      feasible({3, 1}),         // 0: on the front
      infeasible({0, 0}, 0.2),  // 1: dominates all, but infeasible
      feasible({2, 2}),         // 2: on the front
      failed(),                 // 3
      feasible({3, 3}),         // 4: dominated
      feasible({1, 3}),         // 5: on the front
      feasible({2, 2}),         // 6: a repeat of 2: only the first is kept
  };
  EXPECT_EQ(pareto_front(evaluations), (std::vector<std::size_t>{0, 2, 5}));
  EXPECT_TRUE(pareto_front({failed(), infeasible({0, 0}, 1)}).empty());
}

TEST(ParetoFront, MatchesBruteForceForThreeObjectives) {
  Rng rng(13);
  std::vector<Evaluation> evaluations;
  for (int i = 0; i < 200; ++i) {
    // Coarse values, so that ties and exact repeats happen.
    std::vector<double> f = {static_cast<double>(rng.uniform_int(0, 5)),
                             static_cast<double>(rng.uniform_int(0, 5)),
                             static_cast<double>(rng.uniform_int(0, 5))};
    evaluations.push_back(i % 10 == 0 ? infeasible(f, 0.5) : feasible(f));
  }
  std::vector<std::size_t> expected;
  for (std::size_t i = 0; i < evaluations.size(); ++i) {
    if (!is_feasible(evaluations[i])) continue;
    bool kept = true;
    for (std::size_t j = 0; j < evaluations.size() && kept; ++j) {
      if (!is_feasible(evaluations[j])) continue;
      if (dominates(evaluations[j].objectives, evaluations[i].objectives)) kept = false;
      if (j < i && evaluations[j].objectives == evaluations[i].objectives) kept = false;
    }
    if (kept) expected.push_back(i);
  }
  EXPECT_EQ(pareto_front(evaluations), expected);
}

TEST(ParetoFront, MatchesBruteForceForTwoObjectives) {
  Rng rng(14);
  std::vector<Evaluation> evaluations;
  for (int i = 0; i < 300; ++i) {
    evaluations.push_back(feasible({static_cast<double>(rng.uniform_int(0, 20)),
                                    static_cast<double>(rng.uniform_int(0, 20))}));
  }
  std::vector<std::size_t> expected;
  for (std::size_t i = 0; i < evaluations.size(); ++i) {
    bool kept = true;
    for (std::size_t j = 0; j < evaluations.size() && kept; ++j) {
      if (dominates(evaluations[j].objectives, evaluations[i].objectives)) kept = false;
      if (j < i && evaluations[j].objectives == evaluations[i].objectives) kept = false;
    }
    if (kept) expected.push_back(i);
  }
  EXPECT_EQ(pareto_front(evaluations), expected);
}

TEST(ParetoFront, FindsTheFiveSegmentsOfTheZdt3Front) {
  // ZDT3's true front: the parts of its g = 1 curve that nothing else on it dominates.
  const std::vector<std::pair<double, double>> segments = {
      {0.0, 0.0830}, {0.1822, 0.2578}, {0.4093, 0.4539}, {0.6184, 0.6525}, {0.8233, 0.8518}};
  std::vector<Evaluation> evaluations;
  const int count = 5000;
  for (int i = 0; i < count; ++i) {
    const double f1 = static_cast<double>(i) / (count - 1);
    evaluations.push_back(feasible({f1, zdt::zdt3_curve(f1)}));
  }
  for (const std::size_t i : pareto_front(evaluations)) {
    const double f1 = evaluations[i].objectives[0];
    EXPECT_TRUE(
        std::any_of(segments.begin(), segments.end(),
                    [&](const auto& s) { return f1 >= s.first - 1e-3 && f1 <= s.second + 1e-3; }))
        << "f1 = " << f1;
  }
}

}  // namespace
}  // namespace lathe::search
