// Successive halving and ASHA on a one-dimensional space whose objective is the point
// itself (smaller is better): which candidates each promotes, to which rung, continuing
// which parent, and that both are deterministic for a seed.
#include <gtest/gtest.h>

#include "one_real_space.h"

#include <algorithm>
#include <map>

#include "core/error.h"
#include "strategies/asha_strategy.h"
#include "strategies/promotion_ranking.h"
#include "strategies/rung_schedule.h"
#include "strategies/successive_halving_strategy.h"

namespace lathe::search {
namespace {

using test_support::one_real;

StrategySettings settings_with(int population, int eta, int min_resource, int max_resource) {
  StrategySettings settings;
  settings.population = population;
  settings.seed = 11;
  settings.rungs = {eta, min_resource, max_resource};
  return settings;
}

// The objective improves with the rung (more training), so the rung-r result of a point
// differs from its rung-0 one, as real fine-tuning does.
Evaluation result_of(const Candidate& candidate, bool completed = true) {
  Evaluation evaluation;
  evaluation.id = candidate.id;
  evaluation.point = candidate.point;
  evaluation.rung = candidate.rung;
  evaluation.completed = completed;
  if (completed) evaluation.objectives = {candidate.point[0] / (1.0 + candidate.rung)};
  return evaluation;
}

TEST(RungSchedule, RungsGrowByEtaUpToTheTopBudget) {
  const RungSchedule nine{3, 1, 9};
  EXPECT_EQ(nine.rungs(), 3);
  EXPECT_EQ(nine.resource(0), 1);
  EXPECT_EQ(nine.resource(1), 3);
  EXPECT_EQ(nine.resource(2), 9);
  const RungSchedule five{2, 1, 5};
  EXPECT_EQ(five.rungs(), 4);
  EXPECT_EQ(five.resource(3), 5);
  const RungSchedule flat{3, 4, 4};
  EXPECT_EQ(flat.rungs(), 1);
  EXPECT_THROW((RungSchedule{1, 1, 9}.check("asha")), Error);
  EXPECT_THROW((RungSchedule{3, 5, 2}.check("asha")), Error);
}

TEST(PromotionRanking, FeasibleFrontFirstAndFailuresNeverPromoted) {
  std::vector<Evaluation> rung(4);
  for (int i = 0; i < 4; ++i) {
    rung[static_cast<std::size_t>(i)].id = i;
    rung[static_cast<std::size_t>(i)].completed = true;
  }
  rung[0].objectives = {3.0, 3.0};
  rung[1].objectives = {1.0, 1.0};  // dominates every other
  rung[2].objectives = {0.5, 0.5};
  rung[2].constraint_violation = 1.0;  // but infeasible
  rung[3].completed = false;
  EXPECT_EQ(best_first(rung), (std::vector<std::size_t>{1, 0, 2, 3}));
  EXPECT_EQ(promoted(rung, 3), (std::vector<std::size_t>{1}));
  EXPECT_EQ(promoted(rung, 2), (std::vector<std::size_t>{1, 0}));
}

TEST(SuccessiveHalving, EachRungPromotesTheBestThirdToContinueAtTheNextRung) {
  SuccessiveHalvingStrategy strategy(one_real(), 1, settings_with(9, 3, 1, 9));
  const std::vector<Candidate> rung0 = strategy.ask(20);
  ASSERT_EQ(rung0.size(), 9U);
  EXPECT_TRUE(strategy.ask(1).empty()) << "the rung must be told first";
  // Told in reverse order: the promotions depend on the results, not their order.
  for (auto c = rung0.rbegin(); c != rung0.rend(); ++c) strategy.tell(result_of(*c));
  std::vector<Candidate> sorted = rung0;
  std::sort(sorted.begin(), sorted.end(), [](const Candidate& a, const Candidate& b) { return a.point[0] < b.point[0]; });

  const std::vector<Candidate> rung1 = strategy.ask(20);
  ASSERT_EQ(rung1.size(), 3U);
  std::vector<std::int64_t> parents;
  for (const Candidate& c : rung1) {
    EXPECT_EQ(c.rung, 1);
    parents.push_back(c.parent);
    const auto parent = std::find_if(rung0.begin(), rung0.end(), [&](const Candidate& p) { return p.id == c.parent; });
    ASSERT_NE(parent, rung0.end());
    EXPECT_EQ(parent->point, c.point);
  }
  std::vector<std::int64_t> best_three = {sorted[0].id, sorted[1].id, sorted[2].id};
  std::sort(best_three.begin(), best_three.end());
  EXPECT_EQ(parents, best_three);  // in id order
  for (const Candidate& c : rung1) strategy.tell(result_of(c));

  const std::vector<Candidate> rung2 = strategy.ask(20);
  ASSERT_EQ(rung2.size(), 1U);
  EXPECT_EQ(rung2[0].rung, 2);
  EXPECT_EQ(rung2[0].point, sorted[0].point);
  strategy.tell(result_of(rung2[0]));

  // The top rung ends the bracket: a new one of fresh candidates.
  const std::vector<Candidate> next = strategy.ask(20);
  ASSERT_EQ(next.size(), 9U);
  EXPECT_EQ(strategy.brackets_started(), 2);
  for (const Candidate& c : next) {
    EXPECT_EQ(c.rung, 0);
    EXPECT_EQ(c.parent, -1);
  }
}

TEST(SuccessiveHalving, SettlesEveryCandidateItWillNotContinueOnceItsRungIsDecided) {
  SuccessiveHalvingStrategy strategy(one_real(), 1, settings_with(9, 3, 1, 9));
  const std::vector<Candidate> rung0 = strategy.ask(20);
  for (std::size_t i = 0; i + 1 < rung0.size(); ++i) strategy.tell(result_of(rung0[i]));
  EXPECT_TRUE(strategy.take_settled().empty()) << "the rung is not decided yet";
  strategy.tell(result_of(rung0.back()));
  std::vector<std::int64_t> settled = strategy.take_settled();
  const std::vector<Candidate> rung1 = strategy.ask(20);
  ASSERT_EQ(settled.size(), 6U) << "9 told, 3 promoted";
  for (const Candidate& promotion : rung1) {
    EXPECT_EQ(std::count(settled.begin(), settled.end(), promotion.parent), 0) << promotion.parent;
  }
  EXPECT_TRUE(strategy.take_settled().empty()) << "each once";
  for (const Candidate& c : rung1) strategy.tell(result_of(c));
  EXPECT_EQ(strategy.take_settled().size(), 2U);
  const std::vector<Candidate> rung2 = strategy.ask(20);
  strategy.tell(result_of(rung2.at(0)));
  EXPECT_EQ(strategy.take_settled(), (std::vector<std::int64_t>{rung2[0].id})) << "the top rung continues nothing";
}

TEST(SuccessiveHalving, FailedCandidatesAreNeverPromotedAndAnAllFailedRungStartsANewBracket) {
  SuccessiveHalvingStrategy strategy(one_real(), 1, settings_with(3, 3, 1, 9));
  std::vector<Candidate> rung0 = strategy.ask(3);
  ASSERT_EQ(rung0.size(), 3U);
  for (const Candidate& c : rung0) strategy.tell(result_of(c, c.id != rung0[1].id));
  const std::vector<Candidate> rung1 = strategy.ask(3);
  ASSERT_EQ(rung1.size(), 1U);
  EXPECT_NE(rung1[0].parent, rung0[1].id);
  strategy.tell(result_of(rung1[0], false));
  const std::vector<Candidate> fresh = strategy.ask(3);
  ASSERT_EQ(fresh.size(), 3U);
  EXPECT_EQ(fresh[0].rung, 0);
}

TEST(SuccessiveHalving, InitialPointsOpenTheFirstBracket) {
  StrategySettings settings = settings_with(4, 2, 1, 2);
  settings.initial_points = {{0.25}, {0.75}};
  SuccessiveHalvingStrategy strategy(one_real(), 1, settings);
  const std::vector<Candidate> rung0 = strategy.ask(4);
  ASSERT_EQ(rung0.size(), 4U);
  EXPECT_EQ(rung0[0].point, (Point{0.25}));
  EXPECT_EQ(rung0[1].point, (Point{0.75}));
}

// A whole asynchronous run: `workers` candidates in flight, the oldest told first.
std::vector<Candidate> asha_run(int asks, int workers) {
  AshaStrategy strategy(one_real(), 1, settings_with(1, 3, 1, 9));
  std::vector<Candidate> asked;
  std::vector<Candidate> flying;
  while (static_cast<int>(asked.size()) < asks) {
    while (static_cast<int>(flying.size()) < workers) {
      const Candidate c = strategy.ask(1).at(0);
      asked.push_back(c);
      flying.push_back(c);
    }
    strategy.tell(result_of(flying.front()));
    flying.erase(flying.begin());
  }
  return asked;
}

TEST(Asha, PromotesTheBestOfEachEtaToldWithoutWaitingForTheRung) {
  AshaStrategy strategy(one_real(), 1, settings_with(1, 3, 1, 9));
  std::vector<Candidate> first = strategy.ask(3);
  for (const Candidate& c : first) EXPECT_EQ(c.rung, 0);
  strategy.tell(result_of(first[0]));
  strategy.tell(result_of(first[1]));
  EXPECT_EQ(strategy.ask(1).at(0).rung, 0) << "two told: floor(2 / 3) = 0 promotions";
  strategy.tell(result_of(first[2]));
  const Candidate promotion = strategy.ask(1).at(0);
  EXPECT_EQ(promotion.rung, 1);
  const auto best = std::min_element(first.begin(), first.end(), [](const Candidate& a, const Candidate& b) {
    return a.point[0] < b.point[0];
  });
  EXPECT_EQ(promotion.parent, best->id);
  EXPECT_EQ(promotion.point, best->point);
  EXPECT_EQ(strategy.ask(1).at(0).rung, 0) << "each candidate is promoted once";
}

TEST(Asha, ReachesTheTopRungAndNeverBeyondItNorPromotesTwice) {
  const std::vector<Candidate> asked = asha_run(120, 4);
  std::map<int, int> per_rung;
  std::map<std::int64_t, int> children;
  for (const Candidate& c : asked) {
    ++per_rung[c.rung];
    if (c.parent >= 0) ++children[c.parent];
  }
  EXPECT_GT(per_rung[2], 0);
  EXPECT_EQ(per_rung.count(3), 0U);
  EXPECT_GT(per_rung[0], per_rung[1]);
  EXPECT_GT(per_rung[1], per_rung[2]);
  for (const auto& [parent, count] : children) EXPECT_EQ(count, 1) << "candidate " << parent;
}

TEST(Asha, TheSameAsksAndTellsGiveTheSameCandidates) {
  const std::vector<Candidate> a = asha_run(60, 3);
  const std::vector<Candidate> b = asha_run(60, 3);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].point, b[i].point);
    EXPECT_EQ(a[i].parent, b[i].parent);
  }
}

TEST(Asha, FailedCandidatesAreNeverPromoted) {
  AshaStrategy strategy(one_real(), 1, settings_with(1, 3, 1, 9));
  const std::vector<Candidate> first = strategy.ask(3);
  for (const Candidate& c : first) strategy.tell(result_of(c, false));
  EXPECT_EQ(strategy.ask(1).at(0).rung, 0);
}

}  // namespace
}  // namespace lathe::search
