// Ablation-greedy (M1) as a strategy: each round's scoring candidates are asked together,
// the removal waits for all of them and starts from the round's model, and the rounds
// end at the first feasible removal, a failed round, or the round limit.
#include "strategies/ablation_greedy_strategy.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "one_real_space.h"

namespace lathe::search {
namespace {

using test_support::one_real;

StrategySettings rounds_of(int shards, int rounds) {
  StrategySettings settings;
  settings.name = "ablation_greedy";
  settings.point = {0.5};
  settings.shards = shards;
  settings.rounds = rounds;
  return settings;
}

Evaluation result_of(const Candidate& candidate, bool feasible, bool completed = true) {
  Evaluation e;
  e.id = candidate.id;
  e.point = candidate.point;
  e.completed = completed;
  if (completed) e.objectives = {candidate.point[0]};
  e.constraint_violation = feasible ? 0.0 : 0.5;
  return e;
}

// Tells every candidate of `batch` (scoring ones completed, the removal as `feasible`).
void tell_all(AblationGreedyStrategy& strategy, const std::vector<Candidate>& batch, bool feasible) {
  for (const Candidate& c : batch) strategy.tell(result_of(c, c.shard >= 0 ? false : feasible));
}

TEST(AblationGreedyStrategy, ScoresEveryShardThenRemovesFromTheRoundModel) {
  AblationGreedyStrategy strategy(one_real(), 1, rounds_of(3, 5));
  const std::vector<Candidate> scoring = strategy.ask(10);
  ASSERT_EQ(scoring.size(), 3u) << "the removal waits for the scores";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(scoring[i].id, i);
    EXPECT_EQ(scoring[i].round, 0);
    EXPECT_EQ(scoring[i].shard, i);
    EXPECT_EQ(scoring[i].shards, 3);
    EXPECT_EQ(scoring[i].start_from, -1) << "round 0 scores the base";
  }
  strategy.tell(result_of(scoring[2], false));
  strategy.tell(result_of(scoring[0], false));
  EXPECT_TRUE(strategy.ask(10).empty()) << "shard 1 is not told yet";
  strategy.tell(result_of(scoring[1], false));
  const std::vector<Candidate> removal = strategy.ask(10);
  ASSERT_EQ(removal.size(), 1u);
  EXPECT_EQ(removal[0].shard, -1);
  EXPECT_EQ(removal[0].round, 0);
  EXPECT_EQ(removal[0].start_from, -1);
  EXPECT_TRUE(strategy.ask(10).empty()) << "round 1 needs the removal's model";

  strategy.tell(result_of(removal[0], false));
  const std::vector<Candidate> next = strategy.ask(2);
  ASSERT_EQ(next.size(), 2u) << "asked two at a time";
  EXPECT_EQ(next[0].round, 1);
  EXPECT_EQ(next[0].start_from, removal[0].id) << "round 1 scores the model round 0 left";
  const std::vector<Candidate> rest = strategy.ask(2);
  ASSERT_EQ(rest.size(), 1u) << "the third shard, and the removal still waits";
  EXPECT_EQ(rest[0].shard, 2);
  EXPECT_FALSE(strategy.exhausted());
}

TEST(AblationGreedyStrategy, StopsAtTheFirstRoundWhoseModelMeetsTheConstraints) {
  AblationGreedyStrategy strategy(one_real(), 1, rounds_of(2, 10));
  tell_all(strategy, strategy.ask(10), false);
  tell_all(strategy, strategy.ask(10), false);  // round 0's removal misses the size limit
  EXPECT_EQ(strategy.round(), 1);
  tell_all(strategy, strategy.ask(10), false);
  const std::vector<Candidate> removal = strategy.ask(10);
  ASSERT_EQ(removal.size(), 1u);
  EXPECT_EQ(strategy.round_start(), 2) << "round 1 starts from round 0's removal, candidate 2";
  tell_all(strategy, removal, true);
  EXPECT_TRUE(strategy.exhausted());
  EXPECT_TRUE(strategy.ask(10).empty());
}

TEST(AblationGreedyStrategy, EndsAfterItsLastRound) {
  AblationGreedyStrategy strategy(one_real(), 1, rounds_of(1, 2));
  for (int round = 0; round < 2; ++round) {
    ASSERT_FALSE(strategy.exhausted()) << round;
    tell_all(strategy, strategy.ask(10), false);
    tell_all(strategy, strategy.ask(10), false);
  }
  EXPECT_TRUE(strategy.exhausted());
}

TEST(AblationGreedyStrategy, AFailedScoreOrRemovalEndsTheSearch) {
  AblationGreedyStrategy scoring_fails(one_real(), 1, rounds_of(2, 10));
  const std::vector<Candidate> scoring = scoring_fails.ask(10);
  scoring_fails.tell(result_of(scoring[0], false, /*completed=*/false));
  EXPECT_FALSE(scoring_fails.exhausted()) << "shard 1 is still running";
  scoring_fails.tell(result_of(scoring[1], false));
  EXPECT_TRUE(scoring_fails.exhausted()) << "without every score the round cannot choose";
  EXPECT_TRUE(scoring_fails.ask(10).empty());

  AblationGreedyStrategy removal_fails(one_real(), 1, rounds_of(1, 10));
  tell_all(removal_fails, removal_fails.ask(10), false);
  removal_fails.tell(result_of(removal_fails.ask(10).at(0), false, /*completed=*/false));
  EXPECT_TRUE(removal_fails.exhausted());
}

TEST(AblationGreedyStrategy, TheSameTellsGiveTheSameCandidates) {
  const auto run = [] {
    AblationGreedyStrategy strategy(one_real(), 1, rounds_of(2, 3));
    std::vector<std::tuple<std::int64_t, int, int, std::int64_t>> asked;
    while (!strategy.exhausted()) {
      const std::vector<Candidate> batch = strategy.ask(3);
      for (const Candidate& c : batch) asked.emplace_back(c.id, c.round, c.shard, c.start_from);
      tell_all(strategy, batch, false);
    }
    return asked;
  };
  EXPECT_EQ(run(), run());
  EXPECT_EQ(run().size(), 9u) << "3 rounds of 2 scoring candidates and 1 removal";
}

TEST(AblationGreedyStrategy, RejectsTellsOfCandidatesItDidNotAsk) {
  AblationGreedyStrategy strategy(one_real(), 1, rounds_of(2, 3));
  const std::vector<Candidate> scoring = strategy.ask(10);
  Candidate other = scoring[0];
  other.id = 7;
  EXPECT_THROW(strategy.tell(result_of(other, false)), Error);
  strategy.tell(result_of(scoring[0], false));
  EXPECT_THROW(strategy.tell(result_of(scoring[0], false)), Error) << "told twice";
}

TEST(AblationGreedyStrategy, ASpaceWithoutDimensionsRunsTheRecipeAsWritten) {
  StrategySettings settings = rounds_of(2, 1);
  settings.point.clear();
  AblationGreedyStrategy strategy(SearchSpace{}, 2, settings);
  const std::vector<Candidate> scoring = strategy.ask(10);
  ASSERT_EQ(scoring.size(), 2u);
  EXPECT_TRUE(scoring[0].point.empty());
}

}  // namespace
}  // namespace lathe::search
