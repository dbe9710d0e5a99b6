// A candidate stopped by a stop request (a preemption) at each kind of step boundary, saved
// to a file, read back as another process would and continued: the same numbers and the
// same artifact as the evaluation never stopped. States that cannot be saved, and files
// that are damaged, missing or of another candidate, are refused with a message.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"
#include "recipe/evaluator.h"
#include "recipe/paused_state_file.h"
#include "evaluator_runs.h"
#include "support/temp_dir.h"

namespace lathe::recipe {
namespace {

using test_support::trained;

EvaluatorOptions quick_options() { return recipe::quick_options(11); }

CompressionOutcome uninterrupted(const std::string& yaml) { return evaluate_direct(yaml, quick_options()); }

// Runs `yaml` and raises the stop flag when a progress line containing `signal_at` is
// logged (a step being applied, an epoch's report): as a signal arriving then would.
ResumableOutcome stopped_at(const std::string& yaml, const std::string& signal_at) {
  std::atomic<bool> stop{false};
  EvaluatorOptions options = quick_options();
  options.stop = &stop;
  options.log = [&](const std::string& line) {
    if (line.find(signal_at) != std::string::npos) stop = true;
  };
  return evaluate_keeping(yaml, nullptr, options);
}

ResumableOutcome continue_from(const std::string& yaml, std::unique_ptr<PausedCandidate> paused) {
  return evaluate_keeping(yaml, std::move(paused), quick_options());
}

std::unique_ptr<PausedCandidate> read_back(const std::string& path, const std::string& yaml,
                                           const EvaluatorOptions& options = quick_options()) {
  const auto backend = make_cpu_backend(1);
  return read_paused_state(path, trained().base, "base.h5", recipe_of(yaml), trained().data, *backend, options);
}

struct PauseCase {
  const char* name;
  const char* recipe;
  const char* signal_at;        // the progress line during which the signal arrives
  std::size_t next_step;        // where it must pause
  int epochs_done;              // inside that finetune step (0: before the step)
};

void PrintTo(const PauseCase& pause_case, std::ostream* out) { *out << pause_case.name; }

class PausedEvaluation : public testing::TestWithParam<PauseCase> {
 protected:
  lathe::test_support::TempDir dir_;
};

const char* kPruneQat =
    "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
    "- quantize: {method: qat, weight_bits: 4, act_bits: 8}\n";

TEST_P(PausedEvaluation, PausesAtTheNextBoundaryAndContinuesFromItsFileToTheSameNumbers) {
  const PauseCase& c = GetParam();
  ResumableOutcome stopped = stopped_at(c.recipe, c.signal_at);
  ASSERT_TRUE(stopped.stopped) << stopped.outcome.metrics.message;
  ASSERT_NE(stopped.paused, nullptr) << stopped.outcome.metrics.message;
  EXPECT_EQ(stopped.paused->next_step, c.next_step);
  EXPECT_EQ(stopped.paused->in_finetune.has_value(), c.epochs_done > 0);
  if (c.epochs_done > 0) {
    EXPECT_EQ(stopped.paused->in_finetune->epochs_done, c.epochs_done);
  }
  EXPECT_NE(stopped.outcome.metrics.message.find("paused"), std::string::npos) << stopped.outcome.metrics.message;

  const std::string path = dir_.file("paused.h5");
  write_paused_state(path, *stopped.paused, recipe_of(c.recipe));
  std::unique_ptr<PausedCandidate> loaded = read_back(path, c.recipe);
  ASSERT_TRUE(continues(*loaded, recipe_of(c.recipe), quick_options()));
  const ResumableOutcome continued = continue_from(c.recipe, std::move(loaded));
  EXPECT_FALSE(continued.stopped);
  EXPECT_EQ(continued.outcome.metrics.continued_steps, static_cast<std::int64_t>(c.next_step));
  expect_same_numbers(continued.outcome, uninterrupted(c.recipe));
}

TEST_P(PausedEvaluation, ContinuingThePausedStateInTheSameProcessGivesTheSameNumbers) {
  const PauseCase& c = GetParam();
  ResumableOutcome stopped = stopped_at(c.recipe, c.signal_at);
  ASSERT_NE(stopped.paused, nullptr) << stopped.outcome.metrics.message;
  expect_same_numbers(continue_from(c.recipe, std::move(stopped.paused)).outcome, uninterrupted(c.recipe));
}

INSTANTIATE_TEST_SUITE_P(
    EveryBoundaryKind, PausedEvaluation,
    testing::Values(
        // Between two recipe steps: the prune applied, the quantize not yet.
        PauseCase{"before_a_compression_step",
                  "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                  "- quantize: {method: qat, weight_bits: 4, act_bits: 8}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n",
                  "steps[0].prune: applying", 1, 0},
        // Between fine-tune epochs, with QAT's masters and counted ranges mid-way.
        PauseCase{"between_finetune_epochs_with_qat",
                  "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                  "- quantize: {method: qat, weight_bits: 4, act_bits: 8}\n"
                  "- finetune: {epochs: 3, lr: 0.02}\n",
                  "steps[2].finetune epoch 1:", 2, 1},
        // Adam's two moments and its step count.
        PauseCase{"between_finetune_epochs_with_adam",
                  "- quantize: {method: qat, weight_bits: 3, act_bits: 8, start_bits: intermediate}\n"
                  "- finetune: {epochs: 3, lr: 0.002, optimizer: adam}\n",
                  "steps[1].finetune epoch 2:", 1, 2},
        // Between two finetune steps (the first one's last epoch done).
        PauseCase{"between_finetune_steps",
                  "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                  "- finetune: {epochs: 1, lr: 0.02}\n"
                  "- finetune: {epochs: 2, lr: 0.01}\n",
                  "steps[1].finetune epoch 1:", 2, 0},
        PauseCase{"distill_logits_between_epochs",
                  "- distill: {kind: logits, temperature: 4, alpha: 0.7}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n",
                  "steps[1].finetune epoch 1:", 1, 1}),
    [](const testing::TestParamInfo<PauseCase>& param_info) { return std::string(param_info.param.name); });

TEST(PausedEvaluationRules, AStepWhoseTrainingStateIsNotSavedStopsWithoutAStateAndSaysWhy) {
  const ResumableOutcome stopped = stopped_at(
      "- share: {components: 8, prior_weight: 0.005, min_members: 2}\n- finetune: {epochs: 3, lr: 0.02}\n",
      "steps[1].finetune epoch 1:");
  EXPECT_TRUE(stopped.stopped);
  EXPECT_EQ(stopped.paused, nullptr);
  EXPECT_NE(stopped.outcome.metrics.message.find("cannot be saved"), std::string::npos)
      << stopped.outcome.metrics.message;
  EXPECT_NE(stopped.outcome.metrics.message.find("steps[0].share"), std::string::npos)
      << stopped.outcome.metrics.message;
}

TEST(PausedEvaluationRules, AStopInTheLastEpochFinishesTheCandidate) {
  const std::string recipe = std::string(kPruneQat) + "- finetune: {epochs: 2, lr: 0.02}\n";
  const ResumableOutcome finished = stopped_at(recipe, "steps[2].finetune epoch 2:");
  EXPECT_FALSE(finished.stopped);
  expect_same_numbers(finished.outcome, uninterrupted(recipe));
}

class PausedStateFile : public testing::Test {
 protected:
  void SetUp() override {
    ResumableOutcome stopped = stopped_at(recipe_, "steps[2].finetune epoch 1:");
    ASSERT_NE(stopped.paused, nullptr) << stopped.outcome.metrics.message;
    write_paused_state(path_, *stopped.paused, recipe_of(recipe_));
  }
  std::string refusal(const std::string& path, const std::string& yaml,
                      const EvaluatorOptions& options = quick_options()) const {
    try {
      (void)read_back(path, yaml, options);
    } catch (const Error& e) {
      return e.what();
    }
    return "not refused";
  }

  lathe::test_support::TempDir dir_;
  std::string path_ = dir_.file("paused.h5");
  std::string recipe_ = std::string(kPruneQat) + "- finetune: {epochs: 3, lr: 0.02}\n";
};

TEST_F(PausedStateFile, AFlippedByteIsFoundByTheChecksum) {
  std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(0, std::ios::end);
  const std::streamoff size = file.tellg();
  // Somewhere in the data, past the superblock and the object headers: where tensors lie.
  bool refused = false;
  for (std::streamoff at = size / 2; at < size && !refused; at += 97) {
    file.seekg(at);
    char byte = 0;
    file.read(&byte, 1);
    file.seekp(at);
    const char flipped = static_cast<char>(byte ^ 0x10);
    file.write(&flipped, 1);
    file.flush();
    const std::string message = refusal(path_, recipe_);
    refused = message != "not refused";
    if (refused) {
      EXPECT_NE(message.find(path_), std::string::npos) << message;
    }
    file.seekp(at);
    file.write(&byte, 1);
    file.flush();
  }
  EXPECT_TRUE(refused);
}

TEST_F(PausedStateFile, ATruncatedFileIsRefusedNamingIt) {
  std::filesystem::resize_file(path_, std::filesystem::file_size(path_) / 2);
  const std::string message = refusal(path_, recipe_);
  EXPECT_NE(message.find(path_), std::string::npos) << message;
}

TEST_F(PausedStateFile, AMissingFileIsRefusedNamingIt) {
  const std::string missing = dir_.file("none.h5");
  const std::string message = refusal(missing, recipe_);
  EXPECT_NE(message.find(missing), std::string::npos) << message;
}

TEST_F(PausedStateFile, AStateOfAnotherRecipeOrSeedIsRefused) {
  EXPECT_NE(refusal(path_, std::string(kPruneQat) + "- finetune: {epochs: 3, lr: 0.03}\n").find("recipe"),
            std::string::npos);
  EvaluatorOptions other_seed = quick_options();
  other_seed.seed = 12;
  EXPECT_NE(refusal(path_, recipe_, other_seed).find("seed"), std::string::npos);
}

}  // namespace
}  // namespace lathe::recipe
