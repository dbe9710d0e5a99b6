#include "recipe/fallback.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace lathe::recipe {
namespace {

const char* kChain =
    "target: {max_size_bytes: 1000, max_accuracy_drop: 0.01}\n"
    "attempts:\n"
    "  - {name: a, recipe: [{finetune: {epochs: 1}}]}\n"
    "  - {name: b, start_from: best, recipe: [{finetune: {epochs: 2}}]}\n"
    "  - {name: c, recipe: [{finetune: {epochs: 3}}]}\n";

CandidateMetrics metrics(double accuracy, std::int64_t size) {
  CandidateMetrics m;
  m.validation_accuracy = accuracy;
  m.size_bytes = size;
  return m;
}

// A scripted evaluator: attempt i returns results[i] and records where it started.
struct Script {
  std::vector<CandidateMetrics> results;
  std::vector<std::string> started_from;
  CompressionOutcome operator()(const Recipe& /*recipe*/, const io::Checkpoint& start) {
    const std::size_t i = started_from.size();
    started_from.push_back(start.model_spec_yaml);
    CompressionOutcome outcome;
    outcome.metrics = results.at(i);
    outcome.artifact.model_spec_yaml = "attempt " + std::to_string(i);
    return outcome;
  }
};

TEST(Fallback, ParsesTargetAndAttemptsWithInlineRecipes) {
  const FallbackChain chain = parse_fallback_chain(kChain, "chain.yaml");
  EXPECT_EQ(chain.target.max_size_bytes, 1000);
  ASSERT_EQ(chain.attempts.size(), 3U);
  EXPECT_EQ(chain.attempts[1].name, "b");
  EXPECT_EQ(chain.attempts[1].start_from, "best");
  EXPECT_EQ(chain.attempts[2].recipe.steps[0].kind, "finetune");
}

TEST(Fallback, StopsAtTheFirstAttemptThatMeetsTheTarget) {
  const FallbackChain chain = parse_fallback_chain(kChain, "chain.yaml");
  io::Checkpoint base;
  base.model_spec_yaml = "base";
  Script script{{metrics(0.80, 500), metrics(0.895, 900), metrics(0.9, 100)}, {}};
  const FallbackResult result = run_fallback(chain, base, metrics(0.90, 4000), std::ref(script));
  ASSERT_EQ(result.attempts.size(), 2U);  // c never ran
  EXPECT_TRUE(result.met_target);
  EXPECT_EQ(result.chosen, 1);
  EXPECT_EQ(result.artifact.model_spec_yaml, "attempt 1");
  EXPECT_NE(result.attempts[0].unmet.find("accuracy drop 10.00 pt > 1.00 pt"), std::string::npos);
  // b started from the best attempt so far (a), as its start_from says.
  EXPECT_EQ(script.started_from[1], "attempt 0");
  EXPECT_EQ(result.attempts[1].started_from, "a");
}

TEST(Fallback, KeepsTheBestAttemptWhenNoneMeetsTheTarget) {
  const FallbackChain chain = parse_fallback_chain(kChain, "chain.yaml");
  CandidateMetrics failed;
  failed.status = CandidateStatus::diverged;
  Script script{{metrics(0.70, 5000), failed, metrics(0.85, 800)}, {}};
  const FallbackResult result = run_fallback(chain, io::Checkpoint{}, metrics(0.90, 4000), std::ref(script));
  ASSERT_EQ(result.attempts.size(), 3U);
  EXPECT_FALSE(result.met_target);
  EXPECT_EQ(result.chosen, 2);  // one condition unmet beats two
  EXPECT_EQ(result.attempts[1].unmet, "diverged");
}

TEST(Fallback, ConditionsCombineWithAnd) {
  TargetCondition target;
  target.max_macs = 100;
  target.max_latency_ms = 1.0;
  CandidateMetrics candidate = metrics(0.9, 10);
  candidate.macs = 200;
  candidate.latency_batch1_ms = 0.5;
  EXPECT_EQ(unmet_conditions(target, metrics(0.9, 10), candidate), "MACs 200 > 100");
  candidate.macs = 50;
  EXPECT_EQ(unmet_conditions(target, metrics(0.9, 10), candidate), "");
}

TEST(Fallback, BadChainsNameTheKey) {
  const auto message = [](const std::string& text) {
    try {
      (void)parse_fallback_chain(text, "chain.yaml");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message("attempts: [{recipe: [{finetune: {}}]}]\n").find("target: required"),
            std::string::npos);
  EXPECT_NE(message("target: {max_size: 3}\nattempts: [{recipe: [{finetune: {}}]}]\n")
                .find("target.max_size: unknown key"),
            std::string::npos);
  EXPECT_NE(message("target: {}\nattempts: [{recipe: [{finetune: {}}], start_from: last}]\n")
                .find("attempts[0].start_from: expected base or best"),
            std::string::npos);
  EXPECT_NE(message("target: {}\nattempts: [{name: x}]\n").find("attempts[0].recipe: required"),
            std::string::npos);
  // An inline recipe's errors point at the chain file's own line.
  const std::string inline_error =
      message("target: {}\nattempts:\n  - name: x\n    recipe:\n      - prnue: {}\n");
  EXPECT_NE(inline_error.find("chain.yaml:5: attempts[0].recipe.steps[0]: unknown step 'prnue'"),
            std::string::npos)
      << inline_error;
}

}  // namespace
}  // namespace lathe::recipe
