#include "strategies/nsga2_strategy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "core/error.h"
#include "strategies/hypervolume.h"
#include "strategies/pareto.h"
#include "strategies/random_strategy.h"
#include "zdt.h"

namespace lathe::search {
namespace {

using Objectives = std::function<std::vector<double>(const Point&)>;
// The constraint violation of a result from its objectives (0: feasible).
using Violation = std::function<double(const std::vector<double>&)>;

const Violation unconstrained = [](const std::vector<double>&) { return 0.0; };

Evaluation evaluate(const Candidate& candidate, const Objectives& objectives,
                    const Violation& violation) {
  Evaluation evaluation;
  evaluation.id = candidate.id;
  evaluation.point = candidate.point;
  evaluation.completed = true;
  evaluation.objectives = objectives(candidate.point);
  evaluation.constraint_violation = violation(evaluation.objectives);
  return evaluation;
}

template <class T>
void shuffle(std::vector<T>& items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[rng.below(i)]);
}

// A synchronous search: each generation asked in full, evaluated and told in a shuffled
// order. Every evaluation, in id order.
std::vector<Evaluation> run_generations(Strategy& strategy, int population, int generations,
                                        const Objectives& objectives, const Violation& violation,
                                        std::uint64_t shuffle_seed = 5) {
  Rng order(shuffle_seed);
  std::vector<Evaluation> all;
  for (int g = 0; g < generations; ++g) {
    const std::vector<Candidate> candidates = strategy.ask(population);
    EXPECT_EQ(candidates.size(), static_cast<std::size_t>(population)) << "generation " << g;
    std::vector<Evaluation> results;
    for (const Candidate& c : candidates) results.push_back(evaluate(c, objectives, violation));
    all.insert(all.end(), results.begin(), results.end());
    shuffle(results, order);
    for (const Evaluation& e : results) strategy.tell(e);
  }
  return all;
}

std::vector<Point> points_of(const std::vector<Evaluation>& evaluations) {
  std::vector<Point> points;
  for (const Evaluation& e : evaluations) points.push_back(e.point);
  return points;
}

StrategySettings nsga2_settings(int population, std::uint64_t seed = 1) {
  StrategySettings settings;
  settings.population = population;
  settings.seed = seed;
  return settings;
}

TEST(Nsga2Strategy, BeatsRandomSearchOnZdt1AtTheSameBudget) {
  // 2,400 evaluations: far from converged on 30 dimensions (reference NSGA-II runs take
  // 10,000 to 25,000), but far ahead of random search, which stays near g = 5.5.
  const SearchSpace space = zdt::unit_cube(30);
  Nsga2Strategy nsga2(space, 2, nsga2_settings(40));
  const double nsga2_volume =
      front_hypervolume(run_generations(nsga2, 40, 60, zdt::zdt1, unconstrained), {1.0, 1.0});
  RandomStrategy random(space, nsga2_settings(40));
  const double random_volume =
      front_hypervolume(run_generations(random, 40, 60, zdt::zdt1, unconstrained), {1.0, 1.0});
  EXPECT_GE(nsga2_volume, 0.2);
  EXPECT_GT(nsga2_volume, random_volume + 0.2);
}

TEST(Nsga2Strategy, ReachesTheZdt1Front) {
  // 250 generations of 40 (10,000 evaluations): the true front's hypervolume is 2/3.
  Nsga2Strategy strategy(zdt::unit_cube(30), 2, nsga2_settings(40));
  const std::vector<Evaluation> searched =
      run_generations(strategy, 40, 250, zdt::zdt1, unconstrained);
  EXPECT_GE(front_hypervolume(searched, {1.0, 1.0}), 0.64);
}

TEST(Nsga2Strategy, ConvergesToTheFeasiblePartOfAConstrainedFront) {
  // ZDT1 with f1 >= 0.3: the front's low-f1 end, which dominates much of the rest, is
  // infeasible. True hypervolume of the feasible front: 2/3 (1 - 0.3^1.5) = 0.5571.
  const Violation f1_at_least = [](const std::vector<double>& f) {
    return std::max(0.0, 0.3 - f[0]);
  };
  const SearchSpace space = zdt::unit_cube(30);
  Nsga2Strategy strategy(space, 2, nsga2_settings(40, 3));
  const std::vector<Evaluation> searched =
      run_generations(strategy, 40, 250, zdt::zdt1, f1_at_least);

  const std::vector<std::size_t> front = pareto_front(searched);
  ASSERT_FALSE(front.empty());
  double smallest_f1 = 1.0;
  for (const std::size_t i : front) {
    EXPECT_EQ(searched[i].constraint_violation, 0.0) << "candidate " << searched[i].id;
    smallest_f1 = std::min(smallest_f1, searched[i].objectives[0]);
  }
  EXPECT_LT(smallest_f1, 0.32);  // it found the constraint's edge
  EXPECT_GE(front_hypervolume(searched, {1.0, 1.0}), 0.53);
  // The search met infeasible points a plain Pareto front would have kept.
  const bool infeasible_not_dominated =
      std::any_of(searched.begin(), searched.end(), [&](const Evaluation& e) {
        return e.constraint_violation > 0.0 &&
               std::none_of(front.begin(), front.end(), [&](std::size_t i) {
                 return dominates(searched[i].objectives, e.objectives);
               });
      });
  EXPECT_TRUE(infeasible_not_dominated);
  for (const Evaluation& parent : strategy.parents()) EXPECT_TRUE(is_feasible(parent));
}

TEST(Nsga2Strategy, GivesTheSameCandidatesForTheSameSeedAndOthersForAnother) {
  const SearchSpace space = zdt::unit_cube(5);
  Nsga2Strategy a(space, 2, nsga2_settings(8, 11));
  Nsga2Strategy b(space, 2, nsga2_settings(8, 11));
  Nsga2Strategy c(space, 2, nsga2_settings(8, 12));
  const auto run_a = run_generations(a, 8, 6, zdt::zdt2, unconstrained);
  const auto run_b = run_generations(b, 8, 6, zdt::zdt2, unconstrained);
  const auto run_c = run_generations(c, 8, 6, zdt::zdt2, unconstrained);
  EXPECT_EQ(points_of(run_a), points_of(run_b));
  EXPECT_NE(points_of(run_a), points_of(run_c));
  for (std::size_t i = 0; i < run_a.size(); ++i)
    EXPECT_EQ(run_a[i].id, static_cast<std::int64_t>(i));
}

TEST(Nsga2Strategy, SelectionDoesNotDependOnTellOrderOrAskSizes) {
  const SearchSpace space = zdt::unit_cube(5);
  Nsga2Strategy shuffled(space, 2, nsga2_settings(10, 4));
  const auto run_shuffled = run_generations(shuffled, 10, 5, zdt::zdt3, unconstrained, 77);

  // The same search asked one candidate at a time and told in id order.
  Nsga2Strategy in_order(space, 2, nsga2_settings(10, 4));
  std::vector<Point> points;
  for (int g = 0; g < 5; ++g) {
    std::vector<Candidate> generation;
    for (int i = 0; i < 10; ++i) generation.push_back(in_order.ask(1).at(0));
    for (const Candidate& c : generation) {
      points.push_back(c.point);
      in_order.tell(evaluate(c, zdt::zdt3, unconstrained));
    }
  }
  EXPECT_EQ(points, points_of(run_shuffled));
}

TEST(Nsga2Strategy, StartsWithTheInitialPointsThenSamples) {
  const SearchSpace space = zdt::unit_cube(3);
  StrategySettings settings = nsga2_settings(4);
  settings.initial_points = {{0.1, 0.2, 0.3}, {0.9, 0.8, 0.7}};
  Nsga2Strategy strategy(space, 2, settings);
  const std::vector<Candidate> first = strategy.ask(4);
  ASSERT_EQ(first.size(), 4U);
  EXPECT_EQ(first[0].point, settings.initial_points[0]);
  EXPECT_EQ(first[1].point, settings.initial_points[1]);
  EXPECT_NE(first[2].point, first[3].point);
}

TEST(Nsga2Strategy, WaitsForAGenerationBeforeBreedingTheNext) {
  const SearchSpace space = zdt::unit_cube(4);
  Nsga2Strategy strategy(space, 2, nsga2_settings(6));
  std::vector<Candidate> generation = strategy.ask(4);
  EXPECT_EQ(generation.size(), 4U);
  for (const Candidate& c : strategy.ask(10)) generation.push_back(c);
  ASSERT_EQ(generation.size(), 6U);  // only the rest of the generation
  EXPECT_TRUE(strategy.ask(1).empty());
  for (std::size_t i = 0; i + 1 < generation.size(); ++i) {
    strategy.tell(evaluate(generation[i], zdt::zdt1, unconstrained));
  }
  EXPECT_TRUE(strategy.ask(1).empty());
  EXPECT_EQ(strategy.generations_selected(), 0);
  strategy.tell(evaluate(generation.back(), zdt::zdt1, unconstrained));
  EXPECT_EQ(strategy.generations_selected(), 1);
  EXPECT_EQ(strategy.parents().size(), 6U);
  const std::vector<Candidate> next = strategy.ask(10);
  ASSERT_EQ(next.size(), 6U);
  EXPECT_EQ(next.front().id, 6);
  EXPECT_FALSE(strategy.exhausted());
}

TEST(Nsga2Strategy, AsynchronousModeKeepsProducingCandidates) {
  // Eight workers finishing in a random order: every ask for a free worker gets a
  // candidate, and the steady-state search still converges.
  const SearchSpace space = zdt::unit_cube(30);
  StrategySettings settings = nsga2_settings(40, 2);
  settings.asynchronous = true;
  Nsga2Strategy strategy(space, 2, settings);
  Rng finishing(9);
  std::vector<Candidate> running = strategy.ask(8);
  ASSERT_EQ(running.size(), 8U);
  std::vector<Evaluation> all;
  while (all.size() < 10000) {
    const std::size_t done = finishing.below(running.size());
    all.push_back(evaluate(running[done], zdt::zdt1, unconstrained));
    strategy.tell(all.back());
    running.erase(running.begin() + static_cast<std::ptrdiff_t>(done));
    const std::vector<Candidate> more = strategy.ask(1);
    ASSERT_EQ(more.size(), 1U) << "after " << all.size() << " results";
    EXPECT_NO_THROW(check_point(space, more[0].point));
    running.push_back(more[0]);
  }
  EXPECT_GT(strategy.generations_selected(), 100);
  EXPECT_GE(front_hypervolume(all, {1.0, 1.0}), 0.62);
}

TEST(Nsga2Strategy, AsynchronousExtrasJoinTheNextSelection) {
  const SearchSpace space = zdt::unit_cube(3);
  StrategySettings settings = nsga2_settings(4);
  settings.asynchronous = true;
  Nsga2Strategy strategy(space, 2, settings);
  const std::vector<Candidate> generation = strategy.ask(4);
  const std::vector<Candidate> extras = strategy.ask(2);  // sampled: no parents yet
  ASSERT_EQ(extras.size(), 2U);
  EXPECT_EQ(extras[0].id, 4);
  // One extra, told first, is far better than the whole generation: it must survive.
  strategy.tell({extras[0].id, {}, 0, true, {-1.0, -1.0}, 0.0});
  for (const Candidate& c : generation) strategy.tell(evaluate(c, zdt::zdt1, unconstrained));
  ASSERT_EQ(strategy.generations_selected(), 1);
  const std::vector<Evaluation> parents = strategy.parents();
  EXPECT_TRUE(
      std::any_of(parents.begin(), parents.end(), [](const Evaluation& e) { return e.id == 4; }));
  // The other extra, told after the selection, is kept for the next one.
  strategy.tell({extras[1].id, {}, 0, true, {-2.0, -2.0}, 0.0});
  for (const Candidate& c : strategy.ask(4)) strategy.tell(evaluate(c, zdt::zdt1, unconstrained));
  ASSERT_EQ(strategy.generations_selected(), 2);
  const std::vector<Evaluation> next_parents = strategy.parents();
  EXPECT_TRUE(std::any_of(next_parents.begin(), next_parents.end(),
                          [](const Evaluation& e) { return e.id == 5; }));
}

TEST(Nsga2Strategy, AsynchronousModeIsNotHeldBackByASlowCandidate) {
  const SearchSpace space = zdt::unit_cube(3);
  StrategySettings settings = nsga2_settings(4);
  settings.asynchronous = true;
  Nsga2Strategy strategy(space, 2, settings);
  const std::vector<Candidate> generation = strategy.ask(4);
  const Candidate slow = generation[0];
  std::vector<Candidate> running(generation.begin() + 1, generation.end());
  for (int i = 0; i < 40; ++i) {  // three workers go on while the fourth is busy
    strategy.tell(evaluate(running.front(), zdt::zdt1, unconstrained));
    running.erase(running.begin());
    running.push_back(strategy.ask(1).at(0));
  }
  EXPECT_GE(strategy.generations_selected(), 9);            // one selection per 4 results
  strategy.tell(evaluate(slow, zdt::zdt1, unconstrained));  // late, and still welcome
  EXPECT_EQ(strategy.ask(1).size(), 1U);
}

TEST(Nsga2Strategy, SynchronousModeWaitsForTheSlowestCandidate) {
  Nsga2Strategy strategy(zdt::unit_cube(3), 2, nsga2_settings(4));
  const std::vector<Candidate> generation = strategy.ask(4);
  for (std::size_t i = 1; i < generation.size(); ++i) {
    strategy.tell(evaluate(generation[i], zdt::zdt1, unconstrained));
  }
  EXPECT_TRUE(strategy.ask(4).empty());
  EXPECT_EQ(strategy.generations_selected(), 0);
  strategy.tell(evaluate(generation[0], zdt::zdt1, unconstrained));
  EXPECT_EQ(strategy.ask(4).size(), 4U);
}

TEST(Nsga2Strategy, TreatsFailedCandidatesAsWorseThanAnyResult) {
  const SearchSpace space = zdt::unit_cube(5);
  Nsga2Strategy strategy(space, 2, nsga2_settings(8));
  for (int g = 0; g < 10; ++g) {
    for (const Candidate& c : strategy.ask(8)) {
      Evaluation e = evaluate(c, zdt::zdt1, unconstrained);
      if (c.id % 3 == 0) e = {c.id, c.point, 0, false, {}, 0.0};  // failed or timed out
      strategy.tell(e);
    }
  }
  for (const Evaluation& parent : strategy.parents()) EXPECT_TRUE(parent.completed) << parent.id;
}

TEST(Nsga2Strategy, KeepsMixedPointsInsideTheirDimensions) {
  SearchSpace space;
  space.dimensions.push_back({"ratio", Dimension::Kind::real, {}, 0.0, 0.9});
  space.dimensions.push_back({"bits", Dimension::Kind::categorical, {"2", "4", "8"}, 0, 0});
  space.dimensions.push_back({"epochs", Dimension::Kind::integer, {}, 1, 6});
  space.dimensions.push_back({"lr", Dimension::Kind::log_real, {}, 1e-5, 1e-1});
  const Objectives objectives = [](const Point& p) {
    return std::vector<double>{p[0] + p[1] * 0.1,
                               (0.9 - p[0]) + std::fabs(std::log10(p[3]) + 3) + p[2] * 0.05};
  };
  StrategySettings settings = nsga2_settings(12);
  settings.mutation_probability = 0.5;
  Nsga2Strategy strategy(space, 2, settings);
  const std::vector<Evaluation> all = run_generations(strategy, 12, 15, objectives, unconstrained);
  std::set<double> epochs;
  for (const Evaluation& e : all) {
    ASSERT_NO_THROW(check_point(space, e.point));  // in range, integral, valid indices
    epochs.insert(e.point[2]);
  }
  EXPECT_GT(epochs.size(), 3U);
}

TEST(Nsga2Strategy, RefusesResultsItCannotPlace) {
  const SearchSpace space = zdt::unit_cube(3);
  Nsga2Strategy strategy(space, 2, nsga2_settings(4));
  const std::vector<Candidate> candidates = strategy.ask(2);
  EXPECT_THROW(strategy.tell({7, {}, 0, false, {}, 0.0}), Error);  // never asked
  try {
    strategy.tell({1, {}, 0, true, {0.5}, 0.0});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "nsga2: candidate 1: expected 2 objectives, found 1");
  }
  strategy.tell(evaluate(candidates[0], zdt::zdt1, unconstrained));
  EXPECT_THROW(strategy.tell(evaluate(candidates[0], zdt::zdt1, unconstrained)), Error);  // twice
  EXPECT_THROW(Nsga2Strategy(space, 2, nsga2_settings(1)), Error);
  EXPECT_THROW(Nsga2Strategy(space, 0, nsga2_settings(4)), Error);
}

}  // namespace
}  // namespace lathe::search
