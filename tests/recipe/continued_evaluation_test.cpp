// A kept training state continued by a longer recipe (a successive-halving promotion):
// for every kind of step, continuing gives the same numbers as running the longer recipe
// from the start, and measuring a kept candidate gives what compress_and_measure gives.
#include <gtest/gtest.h>

#include <string>

#include "recipe/evaluator.h"
#include "evaluator_runs.h"

namespace lathe::recipe {
namespace {

EvaluatorOptions quick_options() { return recipe::quick_options(7); }

ResumableOutcome keep(const std::string& yaml, std::unique_ptr<PausedCandidate> from = nullptr,
                      const EvaluatorOptions& options = quick_options()) {
  return evaluate_keeping(yaml, std::move(from), options);
}

CompressionOutcome direct(const std::string& yaml) { return evaluate_direct(yaml, quick_options()); }

struct StepCase {
  const char* name;
  const char* steps;  // the recipe before its last finetune
};

void PrintTo(const StepCase& step_case, std::ostream* out) { *out << step_case.name; }

class ContinuedEvaluation : public testing::TestWithParam<StepCase> {};

const std::string kFirst = "- finetune: {epochs: 1, lr: 0.02}\n";
const std::string kMore = "- finetune: {epochs: 1, lr: 0.01}\n";

TEST_P(ContinuedEvaluation, MeasuringAKeptCandidateGivesWhatTheEvaluatorGives) {
  const std::string recipe = std::string(GetParam().steps) + kFirst;
  const ResumableOutcome kept = keep(recipe);
  ASSERT_NE(kept.paused, nullptr);
  expect_same_numbers(kept.outcome, direct(recipe));
  EXPECT_EQ(kept.outcome.metrics.continued_steps, 0);
}

TEST_P(ContinuedEvaluation, ContinuingEqualsTheLongerRecipeRunFromTheStart) {
  const std::string recipe = std::string(GetParam().steps) + kFirst;
  ResumableOutcome first = keep(recipe);
  ASSERT_NE(first.paused, nullptr) << first.outcome.metrics.message;
  const std::size_t done = first.paused->steps.size();
  ResumableOutcome second = keep(recipe + kMore, std::move(first.paused));
  EXPECT_EQ(second.outcome.metrics.continued_steps, static_cast<std::int64_t>(done));
  expect_same_numbers(second.outcome, direct(recipe + kMore));
  // And once more from the state the continuation kept.
  ASSERT_NE(second.paused, nullptr);
  const ResumableOutcome third = keep(recipe + kMore + kMore, std::move(second.paused));
  EXPECT_EQ(third.outcome.metrics.continued_steps, static_cast<std::int64_t>(done + 1));
  expect_same_numbers(third.outcome, direct(recipe + kMore + kMore));
}

INSTANTIATE_TEST_SUITE_P(
    EveryStepKind, ContinuedEvaluation,
    testing::Values(
        StepCase{"finetune_only", ""},
        StepCase{"filter_prune_qat", "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                                     "- quantize: {method: qat, weight_bits: 4}\n"},
        StepCase{"prune_per_layer_taylor", "- prune: {method: filter, saliency: taylor, select: ratio, "
                                           "ratio: {default: 0.5, conv1: 0.25}, layers: [conv1, fc1]}\n"
                                           "- quantize: {method: qat, weight_bits: {default: 8, conv1: 3}}\n"},
        StepCase{"qat_intermediate_start", "- quantize: {method: qat, weight_bits: 3, act_bits: 8, "
                                           "start_bits: intermediate}\n"},
        StepCase{"ptq", "- quantize: {method: ptq, weight_bits: 8, act_bits: 8}\n"},
        StepCase{"share", "- share: {components: 8, prior_weight: 0.005, min_members: 2}\n"},
        StepCase{"ablation_filters", "- prune: {method: ablation, groups: filters, remove: 2, batches: 2}\n"},
        StepCase{"distill_logits", "- distill: {kind: logits, temperature: 4, alpha: 0.7}\n"},
        StepCase{"distill_hint", "- distill: {kind: hint, student_layer: conv1, teacher_layer: conv1}\n"}),
    [](const testing::TestParamInfo<StepCase>& param_info) { return std::string(param_info.param.name); });

TEST(ContinuedEvaluationRules, AStateOfAnotherSeedIsNotContinuedAndTheResultIsUnchanged) {
  const std::string recipe = "- prune: {method: filter, select: ratio, ratio: 0.5}\n" + kFirst;
  EvaluatorOptions other_seed = quick_options();
  other_seed.seed = 8;
  ResumableOutcome first = keep(recipe, nullptr, other_seed);
  ASSERT_NE(first.paused, nullptr);
  const ResumableOutcome second = keep(recipe + kMore, std::move(first.paused));
  EXPECT_EQ(second.outcome.metrics.continued_steps, 0);
  expect_same_numbers(second.outcome, direct(recipe + kMore));
}

TEST(ContinuedEvaluationRules, ARecipeThatChangesAnEarlierStepIsNotContinued) {
  ResumableOutcome first = keep("- prune: {method: filter, select: ratio, ratio: 0.5}\n" + kFirst);
  ASSERT_NE(first.paused, nullptr);
  EXPECT_FALSE(continues(*first.paused, recipe_of("- prune: {method: filter, select: ratio, ratio: 0.25}\n" +
                                                    kFirst + kMore),
                         quick_options()));
  // More steps that are not all finetune steps cannot continue either.
  EXPECT_FALSE(continues(*first.paused,
                         recipe_of("- prune: {method: filter, select: ratio, ratio: 0.5}\n" + kFirst +
                                   "- quantize: {method: ptq, weight_bits: 8}\n" + kMore),
                         quick_options()));
  EXPECT_TRUE(continues(*first.paused,
                        recipe_of("- prune: {method: filter, select: ratio, ratio: 0.5}\n" + kFirst + kMore),
                        quick_options()));
}

TEST(ContinuedEvaluationRules, ARecipeNotEndingInAFinetuneKeepsNoState) {
  const ResumableOutcome kept = keep("- quantize: {method: ptq, weight_bits: 8}\n");
  EXPECT_EQ(kept.outcome.metrics.status, CandidateStatus::ok) << kept.outcome.metrics.message;
  EXPECT_EQ(kept.paused, nullptr);
}

TEST(ContinuedEvaluationRules, ACandidateThatDidNotFinishKeepsNoState) {
  EvaluatorOptions limited = quick_options();
  limited.time_limit_seconds = 1e-9;
  const ResumableOutcome kept = keep("- finetune: {epochs: 1}\n", nullptr, limited);
  EXPECT_EQ(kept.outcome.metrics.status, CandidateStatus::timeout);
  EXPECT_EQ(kept.paused, nullptr);
}

}  // namespace
}  // namespace lathe::recipe
