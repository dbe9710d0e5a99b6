// The fallback chain (M5) as a strategy: attempts from the base run side by side, one
// from the best waits for every earlier result and names the best as its start, and the
// chain ends at the first attempt in order that meets the target.
#include "strategies/fallback_strategy.h"

#include <gtest/gtest.h>

#include "one_real_space.h"

#include "core/error.h"

namespace lathe::search {
namespace {

using test_support::one_real;

StrategySettings chain_of(std::vector<ChainAttempt> attempts) {
  StrategySettings settings;
  settings.chain = std::move(attempts);
  return settings;
}

// Objective: x (smaller is better); feasible when `meets`.
Evaluation result_of(const Candidate& candidate, bool meets) {
  Evaluation e;
  e.id = candidate.id;
  e.point = candidate.point;
  e.completed = true;
  e.objectives = {candidate.point[0]};
  e.constraint_violation = meets ? 0.0 : 1.0 - candidate.point[0];
  return e;
}

TEST(FallbackStrategy, AttemptsFromTheBaseRunTogetherAndOneFromTheBestWaitsForThem) {
  FallbackStrategy chain(one_real(), 1,
                         chain_of({{{0.2}, false}, {{0.6}, false}, {{0.9}, true}, {{0.1}, false}}));
  const std::vector<Candidate> first = chain.ask(10);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].start_from, -1);
  EXPECT_EQ(first[1].start_from, -1);
  chain.tell(result_of(first[1], false));
  EXPECT_TRUE(chain.ask(10).empty()) << "attempt 2 starts from the best: attempt 0 is not told yet";
  chain.tell(result_of(first[0], false));
  const std::vector<Candidate> third = chain.ask(10);
  ASSERT_EQ(third.size(), 2u) << "attempt 2, then attempt 3 from the base";
  EXPECT_EQ(third[0].id, 2);
  // The best so far: the smaller violation (attempt 1 at 0.6 violates by 0.4, attempt 0 by 0.8).
  EXPECT_EQ(third[0].start_from, 1);
  EXPECT_EQ(third[1].start_from, -1);
  EXPECT_FALSE(chain.exhausted());
}

TEST(FallbackStrategy, StopsAtTheFirstAttemptInOrderThatMeetsTheTarget) {
  FallbackStrategy chain(one_real(), 1, chain_of({{{0.2}, false}, {{0.5}, false}, {{0.7}, false}}));
  const std::vector<Candidate> all = chain.ask(10);
  ASSERT_EQ(all.size(), 3u);
  chain.tell(result_of(all[2], true));  // a later attempt meets it first...
  EXPECT_EQ(chain.met_by(), -1) << "...but an earlier one still may";
  EXPECT_FALSE(chain.exhausted());
  chain.tell(result_of(all[0], false));
  chain.tell(result_of(all[1], true));
  EXPECT_EQ(chain.met_by(), 1);
  EXPECT_TRUE(chain.exhausted());
}

TEST(FallbackStrategy, AChainThatNeverMeetsTheTargetEndsAfterItsLastAttempt) {
  FallbackStrategy chain(one_real(), 1, chain_of({{{0.2}, false}, {{0.3}, true}}));
  const Candidate first = chain.ask(5).at(0);
  chain.tell(result_of(first, false));
  const std::vector<Candidate> second = chain.ask(5);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].start_from, first.id);
  chain.tell(result_of(second[0], false));
  EXPECT_TRUE(chain.ask(5).empty());
  EXPECT_TRUE(chain.exhausted());
  EXPECT_EQ(chain.met_by(), -1);
}

TEST(FallbackStrategy, AnAttemptFromTheBestAfterOnlyFailuresStartsFromTheBase) {
  FallbackStrategy chain(one_real(), 1, chain_of({{{0.2}, false}, {{0.3}, true}}));
  Evaluation failed;
  failed.id = chain.ask(1).at(0).id;
  chain.tell(failed);  // not completed
  EXPECT_EQ(chain.ask(1).at(0).start_from, -1);
}

TEST(FallbackStrategy, RefusesAnEmptyChainAndAFirstAttemptFromTheBest) {
  EXPECT_THROW(FallbackStrategy(one_real(), 1, chain_of({})), Error);
  EXPECT_THROW(FallbackStrategy(one_real(), 1, chain_of({{{0.2}, true}})), Error);
  EXPECT_THROW(FallbackStrategy(one_real(), 1, chain_of({{{1.5}, false}})), Error);
}

}  // namespace
}  // namespace lathe::search
