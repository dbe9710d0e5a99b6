// docs/methods.md M3 steps 3-5 on scripted observation sequences.
#include "compress/quantize/counted_range_update.h"

#include <gtest/gtest.h>

#include <vector>

namespace lathe::compress::quantize {
namespace {

CountedRuleConfig rule(int window) {
  CountedRuleConfig config;
  config.window = window;
  config.ratio_up = 0.5;
  config.ratio_down = 0.5;
  config.weight_old = 0.5;
  config.weight_mean = 0.5;
  return config;
}

// Feeds the sequence and returns after which observations (1-based) an update applied.
std::vector<int> updates_after(CountedBound& bound, const std::vector<float>& observations) {
  std::vector<int> applied;
  for (std::size_t i = 0; i < observations.size(); ++i) {
    if (bound.observe(observations[i])) applied.push_back(static_cast<int>(i) + 1);
  }
  return applied;
}

TEST(QuantCountedRange, RaisesPToTheWeightedMeanWhenMostIterationsOvershoot) {
  CountedBound bound(1.0F, rule(4));
  EXPECT_EQ(updates_after(bound, {2.0F, 2.0F, 3.0F, 1.0F}), std::vector<int>{4});
  // c1 = 3 of N = 4 > 0.5: P = 0.5 * 1 + 0.5 * mean(2, 2, 3, 1) = 1.5
  EXPECT_FLOAT_EQ(bound.value(), 1.5F);
}

TEST(QuantCountedRange, LowersPWhenMostIterationsUndershoot) {
  CountedBound bound(1.0F, rule(4));
  EXPECT_EQ(updates_after(bound, {0.0F, 0.5F, 0.5F, 1.0F}), std::vector<int>{4});
  EXPECT_FLOAT_EQ(bound.value(), 0.5F * 1.0F + 0.5F * 0.5F);
}

TEST(QuantCountedRange, BothConditionsHoldingAppliesNeither) {
  CountedRuleConfig config = rule(4);
  config.ratio_up = 0.3;
  config.ratio_down = 0.3;
  CountedBound bound(1.0F, config);
  EXPECT_TRUE(updates_after(bound, {2.0F, 0.0F, 2.0F, 0.0F}).empty());
  EXPECT_FLOAT_EQ(bound.value(), 1.0F);
  EXPECT_EQ(bound.iterations(), 4);  // no update, no reset
  EXPECT_EQ(bound.above(), 2);
  EXPECT_EQ(bound.below(), 2);
}

TEST(QuantCountedRange, EqualObservationsCountInNeither) {
  CountedBound bound(1.0F, rule(2));
  EXPECT_TRUE(updates_after(bound, {1.0F, 1.0F, 1.0F}).empty());
  EXPECT_EQ(bound.iterations(), 3);
  EXPECT_EQ(bound.above(), 0);
  EXPECT_EQ(bound.below(), 0);
}

TEST(QuantCountedRange, SkipsAnUpdateThatWouldMovePTheWrongWay) {
  CountedBound bound(1.0F, rule(4));
  // Three of four overshoot (raise), but one huge undershoot drags the mean below P:
  // 0.5 * 1 + 0.5 * (30 - 100) / 4 < 1, so the raise is skipped and counting goes on.
  EXPECT_TRUE(updates_after(bound, {10.0F, 10.0F, 10.0F, -100.0F}).empty());
  EXPECT_FLOAT_EQ(bound.value(), 1.0F);
  EXPECT_EQ(bound.iterations(), 4);
  EXPECT_EQ(bound.above(), 3);
}

TEST(QuantCountedRange, ResetsTheCountsAfterEveryAppliedUpdate) {
  CountedBound bound(1.0F, rule(2));
  EXPECT_EQ(updates_after(bound, {3.0F, 3.0F}), std::vector<int>{2});
  EXPECT_EQ(bound.iterations(), 0);
  EXPECT_EQ(bound.above(), 0);
  EXPECT_EQ(bound.below(), 0);
  // P = 2 now; the mean after the reset covers only the new observations.
  EXPECT_EQ(updates_after(bound, {4.0F, 4.0F}), std::vector<int>{2});
  EXPECT_FLOAT_EQ(bound.value(), 0.5F * 2.0F + 0.5F * 4.0F);
}

TEST(QuantCountedRange, WaitsForTheWindowBeforeCheckingTheRatios) {
  for (const int window : {1, 3, 5}) {
    CountedBound bound(1.0F, rule(window));
    const std::vector<int> applied = updates_after(bound, std::vector<float>(5, 2.0F));
    ASSERT_FALSE(applied.empty()) << window;
    EXPECT_EQ(applied.front(), window);
  }
}

TEST(QuantCountedRange, WindowOneChecksAfterEveryIterationAsTheClaimReads) {
  CountedBound bound(1.0F, rule(1));
  EXPECT_EQ(updates_after(bound, {3.0F, 3.0F, 0.0F}), (std::vector<int>{1, 2, 3}));
}

TEST(QuantCountedRange, CoefficientRuleScalesAPositiveBound) {
  CountedRuleConfig config = rule(1);
  config.update_rule = "coefficient";
  config.coefficient = 0.1;
  CountedBound up(2.0F, config);
  up.observe(5.0F);
  EXPECT_FLOAT_EQ(up.value(), 2.0F * 1.1F);
  CountedBound down(2.0F, config);
  down.observe(0.0F);
  EXPECT_FLOAT_EQ(down.value(), 2.0F * 0.9F);
}

TEST(QuantCountedRange, CoefficientRuleMovesANegativeMinBoundTheWayTheCountsAsk) {
  CountedRuleConfig config = rule(1);
  config.update_rule = "coefficient";
  config.coefficient = 0.1;
  CountedBound lower(-2.0F, config);
  EXPECT_TRUE(lower.observe(-3.0F));     // undershoot: decrease (P * (1 - c) would raise it)
  EXPECT_FLOAT_EQ(lower.value(), -2.2F);
  CountedBound higher(-2.0F, config);
  EXPECT_TRUE(higher.observe(-1.0F));    // overshoot: increase towards 0
  EXPECT_FLOAT_EQ(higher.value(), -1.8F);
}

TEST(QuantCountedRange, ARangeCountsItsTwoBoundsIndependently) {
  RangeRuleConfig config;
  config.counted = rule(2);
  const auto range = make_range_rule(config, -1.0F, 1.0F);
  range->observe(-1.0F, 3.0F);  // min bound: equal; max bound: above
  range->observe(-1.0F, 3.0F);
  EXPECT_FLOAT_EQ(range->min(), -1.0F);
  EXPECT_FLOAT_EQ(range->max(), 2.0F);
}

TEST(QuantCountedRange, EmaAndNoneAreTheOtherRangeRules) {
  RangeRuleConfig ema;
  ema.kind = "ema";
  ema.momentum = 0.75;
  const auto moving = make_range_rule(ema, 0.0F, 1.0F);
  moving->observe(-4.0F, 5.0F);
  EXPECT_FLOAT_EQ(moving->min(), -1.0F);
  EXPECT_FLOAT_EQ(moving->max(), 2.0F);
  RangeRuleConfig none;
  none.kind = "none";
  const auto fixed = make_range_rule(none, 0.0F, 1.0F);
  fixed->observe(-4.0F, 5.0F);
  EXPECT_FLOAT_EQ(fixed->min(), 0.0F);
  EXPECT_FLOAT_EQ(fixed->max(), 1.0F);
}

}  // namespace
}  // namespace lathe::compress::quantize
