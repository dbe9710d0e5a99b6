// A candidate stopped by a stop request (a preemption) at each kind of boundary (between
// recipe steps, between fine-tune epochs, after any optimiser step inside an epoch), with
// each step kind's training state (QAT, Adam, the share step's mixture and tied codebooks,
// logits and hint distillation), saved to a file, read back as another process would and
// continued: the same numbers and the same artifact as the evaluation never stopped.
// States that cannot be saved, and files that are damaged, missing or of another
// candidate, are refused with a message.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "core/error.h"
#include "io/checkpoint_file.h"
#include "recipe/evaluator.h"
#include "recipe/paused_state_file.h"
#include "evaluator_runs.h"
#include "support/temp_dir.h"

namespace lathe::recipe {
namespace {

using test_support::trained;

EvaluatorOptions quick_options() { return recipe::quick_options(11); }

CompressionOutcome uninterrupted(const std::string& yaml) { return evaluate_direct(yaml, quick_options()); }

// Where the stop request comes: when a progress line containing `signal_at` is logged (a
// step being applied, an epoch's report), or else after fine-tune optimiser step
// `after_steps` (counted over all the recipe's finetune steps): as a signal arriving then.
struct StopAt {
  const char* signal_at = nullptr;
  std::int64_t after_steps = 0;
};

ResumableOutcome stopped_at(const std::string& yaml, const StopAt& at) {
  std::atomic<bool> stop{false};
  std::int64_t steps = 0;
  EvaluatorOptions options = quick_options();
  options.stop = &stop;
  options.log = [&](const std::string& line) {
    if (at.signal_at != nullptr && line.find(at.signal_at) != std::string::npos) stop = true;
  };
  options.after_training_step = [&](std::int64_t) {
    if (++steps == at.after_steps) stop = true;
  };
  return evaluate_keeping(yaml, nullptr, options);
}

ResumableOutcome stopped_at(const std::string& yaml, const char* signal_at) { return stopped_at(yaml, StopAt{signal_at, 0}); }

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
  StopAt stop;
  std::size_t next_step;        // where it must pause
  bool in_finetune;             // inside that finetune step (else before the step)
  int epochs_done;              // of that finetune step
  std::int64_t epoch_steps;     // steps into the next epoch (0: between epochs)
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
  ResumableOutcome stopped = stopped_at(c.recipe, c.stop);
  ASSERT_TRUE(stopped.stopped) << stopped.outcome.metrics.message;
  ASSERT_NE(stopped.paused, nullptr) << stopped.outcome.metrics.message;
  EXPECT_EQ(stopped.paused->next_step, c.next_step);
  ASSERT_EQ(stopped.paused->in_finetune.has_value(), c.in_finetune);
  if (c.in_finetune) {
    EXPECT_EQ(stopped.paused->in_finetune->epochs_done, c.epochs_done);
    const auto& partial = stopped.paused->in_finetune->partial_epoch;
    ASSERT_EQ(partial.has_value(), c.epoch_steps > 0);
    if (partial) {
      EXPECT_EQ(partial->steps, c.epoch_steps);
      EXPECT_NE(stopped.outcome.metrics.message.find("and step " + std::to_string(c.epoch_steps) + " of epoch " +
                                                     std::to_string(c.epochs_done + 1)),
                std::string::npos)
          << stopped.outcome.metrics.message;
    }
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
  ResumableOutcome stopped = stopped_at(c.recipe, c.stop);
  ASSERT_NE(stopped.paused, nullptr) << stopped.outcome.metrics.message;
  expect_same_numbers(continue_from(c.recipe, std::move(stopped.paused)).outcome, uninterrupted(c.recipe));
}

// The small base trains on 480 images in batches of 16: 30 steps an epoch.
#define LATHE_HINT_STUDENT "student: " LATHE_SOURCE_DIR "/configs/tests/tiny_cnn.yaml"

INSTANTIATE_TEST_SUITE_P(
    EveryBoundaryKind, PausedEvaluation,
    testing::Values(
        // Between two recipe steps: the prune applied, the quantize not yet.
        PauseCase{"before_a_compression_step",
                  "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                  "- quantize: {method: qat, weight_bits: 4, act_bits: 8}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n",
                  {"steps[0].prune: applying"}, 1, false, 0, 0},
        // Between fine-tune epochs, with QAT's masters and counted ranges mid-way.
        PauseCase{"between_finetune_epochs_with_qat",
                  "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                  "- quantize: {method: qat, weight_bits: 4, act_bits: 8}\n"
                  "- finetune: {epochs: 3, lr: 0.02}\n",
                  {"steps[2].finetune epoch 1:"}, 2, true, 1, 0},
        // Adam's two moments and its step count.
        PauseCase{"between_finetune_epochs_with_adam",
                  "- quantize: {method: qat, weight_bits: 3, act_bits: 8, start_bits: intermediate}\n"
                  "- finetune: {epochs: 3, lr: 0.002, optimizer: adam}\n",
                  {"steps[1].finetune epoch 2:"}, 1, true, 2, 0},
        // Between two finetune steps (the first one's last epoch done).
        PauseCase{"between_finetune_steps",
                  "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                  "- finetune: {epochs: 1, lr: 0.02}\n"
                  "- finetune: {epochs: 2, lr: 0.01}\n",
                  {"steps[1].finetune epoch 1:"}, 2, false, 0, 0},
        PauseCase{"distill_logits_between_epochs",
                  "- distill: {kind: logits, temperature: 4, alpha: 0.7}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n",
                  {"steps[1].finetune epoch 1:"}, 1, true, 1, 0}),
    [](const testing::TestParamInfo<PauseCase>& param_info) { return std::string(param_info.param.name); });

// After an optimiser step inside an epoch: the epoch's position and sums, and every hook's
// state as at that step.
INSTANTIATE_TEST_SUITE_P(
    MidEpoch, PausedEvaluation,
    testing::Values(
        PauseCase{"qat_after_the_first_step",
                  "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                  "- quantize: {method: qat, weight_bits: 4, act_bits: 8}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n",
                  {nullptr, 1}, 2, true, 0, 1},
        PauseCase{"qat_in_the_middle_of_the_first_epoch",
                  "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                  "- quantize: {method: qat, weight_bits: 4, act_bits: 8}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n",
                  {nullptr, 17}, 2, true, 0, 17},
        // In the last epoch of the last finetune: it pauses too, one step before the end.
        PauseCase{"qat_one_step_before_the_end",
                  "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                  "- quantize: {method: qat, weight_bits: 4, act_bits: 8}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n",
                  {nullptr, 59}, 2, true, 1, 29},
        PauseCase{"adam_with_intermediate_bits",
                  "- quantize: {method: qat, weight_bits: 3, act_bits: 8, start_bits: intermediate}\n"
                  "- finetune: {epochs: 3, lr: 0.002, optimizer: adam}\n",
                  {nullptr, 44}, 1, true, 1, 14},
        PauseCase{"in_the_second_of_two_finetune_steps",
                  "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                  "- finetune: {epochs: 1, lr: 0.02}\n"
                  "- finetune: {epochs: 2, lr: 0.01}\n",
                  {nullptr, 30 + 8}, 2, true, 0, 8},
        PauseCase{"distill_logits",
                  "- distill: {kind: logits, temperature: 4, alpha: 0.7}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n",
                  {nullptr, 21}, 1, true, 0, 21}),
    [](const testing::TestParamInfo<PauseCase>& param_info) { return std::string(param_info.param.name); });

// The share step: its mixture and the mixture's Adam while they train (the first finetune),
// then the snapped codebooks and each weight's cluster in tied fine-tuning (the second).
// Hint distillation: its adapter's weight (8 teacher channels from the student's 4), and
// the identity adapter of equal widths.
INSTANTIATE_TEST_SUITE_P(
    ShareAndHint, PausedEvaluation,
    testing::Values(
        PauseCase{"share_training_the_mixture_mid_epoch",
                  "- share: {components: 8, prior_weight: 0.005, min_members: 2}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n"
                  "- finetune: {epochs: 2, lr: 0.01}\n",
                  {nullptr, 12}, 1, true, 0, 12},
        PauseCase{"share_between_epochs_of_the_mixture",
                  "- share: {components: 8, prior_weight: 0.005, min_members: 2}\n"
                  "- finetune: {epochs: 3, lr: 0.02}\n",
                  {"steps[1].finetune epoch 1:"}, 1, true, 1, 0},
        PauseCase{"share_after_the_snap_before_tied_finetuning",
                  "- share: {components: 8, prior_weight: 0.005, min_members: 2}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n"
                  "- finetune: {epochs: 2, lr: 0.01}\n",
                  {"steps[1].finetune epoch 2:"}, 2, false, 0, 0},
        PauseCase{"share_in_tied_finetuning_mid_epoch",
                  "- share: {components: 8, prior_weight: 0.005, min_members: 2}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n"
                  "- finetune: {epochs: 2, lr: 0.01}\n",
                  {nullptr, 60 + 35}, 2, true, 1, 5},
        PauseCase{"share_after_pruning_mid_epoch",
                  "- prune: {method: filter, select: ratio, ratio: 0.5}\n"
                  "- share: {components: 6, prior_weight: 0.005, min_members: 2, layers: [fc1, fc]}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n",
                  {nullptr, 40}, 2, true, 1, 10},
        PauseCase{"hint_adapter_mid_epoch",
                  "- distill: {kind: hint, " LATHE_HINT_STUDENT ", student_layer: conv1, teacher_layer: conv1}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n",
                  {nullptr, 13}, 1, true, 0, 13},
        PauseCase{"hint_adapter_between_epochs",
                  "- distill: {kind: hint, " LATHE_HINT_STUDENT ", student_layer: conv1, teacher_layer: conv1}\n"
                  "- finetune: {epochs: 3, lr: 0.02}\n",
                  {"steps[1].finetune epoch 1:"}, 1, true, 1, 0},
        PauseCase{"hint_adapter_between_finetune_steps",
                  "- distill: {kind: hint, " LATHE_HINT_STUDENT ", student_layer: conv1, teacher_layer: conv1}\n"
                  "- finetune: {epochs: 1, lr: 0.02}\n"
                  "- finetune: {epochs: 1, lr: 0.01}\n",
                  {"steps[1].finetune epoch 1:"}, 2, false, 0, 0},
        PauseCase{"hint_identity_adapter_mid_epoch",
                  "- distill: {kind: hint, student_layer: conv1, teacher_layer: conv1}\n"
                  "- finetune: {epochs: 2, lr: 0.02}\n",
                  {nullptr, 33}, 1, true, 1, 3}),
    [](const testing::TestParamInfo<PauseCase>& param_info) { return std::string(param_info.param.name); });

TEST(PausedEvaluationRules, ACompressionStepAfterAFinetuneStopsWithoutAStateAndSaysWhy) {
  const ResumableOutcome stopped = stopped_at(
      "- finetune: {epochs: 1, lr: 0.02}\n- prune: {method: filter, select: ratio, ratio: 0.5}\n"
      "- finetune: {epochs: 2, lr: 0.02}\n",
      StopAt{nullptr, 30 + 4});
  EXPECT_TRUE(stopped.stopped);
  EXPECT_EQ(stopped.paused, nullptr);
  EXPECT_NE(stopped.outcome.metrics.message.find("cannot be saved"), std::string::npos)
      << stopped.outcome.metrics.message;
  EXPECT_NE(stopped.outcome.metrics.message.find("steps[1].prune comes after a finetune step"), std::string::npos)
      << stopped.outcome.metrics.message;
}

TEST(PausedEvaluationRules, AStopAfterTheLastStepFinishesTheCandidate) {
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

// Rewrites metadata of the saved file as another writer would have, checksum included.
void forge(const std::string& path, const std::function<void(io::Checkpoint&)>& change) {
  io::Checkpoint file = io::read_checkpoint(path);
  change(file);
  file.text_metadata["checksum"] = paused_state_checksum(file);
  io::write_checkpoint(path, file);
}

TEST_F(PausedStateFile, AFileOfTheFirstFormatStillReadsAndContinuesToTheSameNumbers) {
  // Format 1 (before pauses inside an epoch) held exactly what a pause between epochs holds now.
  forge(path_, [](io::Checkpoint& file) { file.text_metadata["paused_candidate_format"] = "1"; });
  std::unique_ptr<PausedCandidate> loaded = read_back(path_, recipe_);
  expect_same_numbers(continue_from(recipe_, std::move(loaded)).outcome, uninterrupted(recipe_));
}

TEST_F(PausedStateFile, AFileOfAnUnknownFormatIsRefusedNamingItAndWhatToDo) {
  forge(path_, [](io::Checkpoint& file) { file.text_metadata["paused_candidate_format"] = "3"; });
  const std::string message = refusal(path_, recipe_);
  EXPECT_NE(message.find(path_ + ": the paused candidate is of format 3"), std::string::npos) << message;
  EXPECT_NE(message.find("run the candidate from its start"), std::string::npos) << message;
}

TEST_F(PausedStateFile, AMidEpochStateWhoseEpochSumsDoNotFitTheDataIsRefused) {
  ResumableOutcome stopped = stopped_at(recipe_, StopAt{nullptr, 7});
  ASSERT_NE(stopped.paused, nullptr) << stopped.outcome.metrics.message;
  write_paused_state(path_, *stopped.paused, recipe_of(recipe_));
  ASSERT_NE(read_back(path_, recipe_), nullptr);
  forge(path_, [](io::Checkpoint& file) { file.number_metadata["epoch_seen"] += 1.0; });
  const std::string message = refusal(path_, recipe_);
  EXPECT_NE(message.find(path_ + ": the paused candidate was saved for a pause inside an epoch at 7 of its steps"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("30 steps of 16 images an epoch"), std::string::npos) << message;
}

}  // namespace
}  // namespace lathe::recipe
