// The candidate evaluator: the one code path that `lathe compress`, `lathe fallback` and
// the search's workers use. It loads the base, checks every step against the model it
// will meet (before any training), applies the steps in order, runs each `finetune`
// with the hooks of every earlier step active, finalises (compact, snap), packs the
// artifact, and measures the artifact as stored.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "compress/compression_step.h"
#include "data/data_config.h"
#include "io/checkpoint.h"
#include "nn/model.h"
#include "nn/trainer.h"
#include "recipe/metrics.h"
#include "recipe/recipe.h"

namespace lathe::recipe {

struct EvaluatorOptions {
  int batch_size = 128;
  std::uint64_t seed = 1;       // the candidate's own seed (fine-tuning order, samples)
  bool measure_latency = true;
  // 0: no limit. Past it the candidate is cancelled inside training (the deadline is
  // checked every step) and comes back with status timeout.
  double time_limit_seconds = 0.0;
  std::function<void(const std::string&)> log;  // progress lines, may be empty
  // A stop request (SLURM's warning, a preemption): compress_measure_and_keep reads it
  // before every recipe step and after every fine-tune optimiser step, as it checks the
  // deadline, and once it is true pauses the candidate there (ResumableOutcome::stopped).
  // Null: never stops.
  const std::atomic<bool>* stop = nullptr;
  // Called after every fine-tune optimiser step with the steps its finetune step has taken
  // (nn::TrainingOptions::after_step): progress, or a test raising `stop` at a chosen step.
  std::function<void(std::int64_t)> after_training_step;
};

struct CompressionOutcome {
  io::Checkpoint artifact;  // empty tensors when the status is not ok
  CandidateMetrics metrics;
};

// The steps of `recipe` in order (null for `finetune`), built and validated against the
// base model (and, after a step that replaces the model, against its replacement):
// throws lathe::Error for bad input, naming the recipe file, the step and the key.
using PreparedSteps = std::vector<std::unique_ptr<compress::CompressionStep>>;
PreparedSteps prepare_steps(const Recipe& recipe, const io::Checkpoint& base,
                            const std::string& base_path);

// Bad input throws (as prepare_steps); anything that goes wrong while compressing
// (divergence, a failing step) comes back as a status with a message.
CompressionOutcome compress_and_measure(const io::Checkpoint& base, const std::string& base_path,
                                        const Recipe& recipe, const data::DataSplits& data,
                                        Backend& backend, const EvaluatorOptions& options);
// The same with steps already prepared for this recipe and base (they hold state: one
// run each), for callers that check the recipe before loading data.
CompressionOutcome compress_and_measure(const io::Checkpoint& base, const std::string& base_path,
                                        const Recipe& recipe, PreparedSteps steps,
                                        const data::DataSplits& data, Backend& backend,
                                        const EvaluatorOptions& options);

// Validation and test quality, stored size, parameters, MACs and latency of a model
// whose stored form is `stored`.
CandidateMetrics measure_model(nn::Model& model, const io::Checkpoint& stored,
                               const data::DataSplits& data, Backend& backend,
                               const EvaluatorOptions& options);

// The training state of a candidate whose recipe ended with a finetune step, kept so that
// a longer recipe (the same steps, then more finetune steps: a multi-fidelity promotion)
// continues from it instead of starting over: the model as trained, before finalising,
// and the recipe's prepared steps with their hooks' state (masks, float masters, the
// mixture, the teacher).
//
// The same state is what a stopped evaluation pauses with, part-way through its recipe:
// then `next_step` is the step it stopped before (or inside: a finetune step with
// `in_finetune` set, after that many of its optimiser steps, mid-epoch or between epochs)
// and `hook_states` holds each applied
// step's hook state at the pause (TrainingHook::save_state), which the continuation puts
// back. recipe/paused_state_file.h saves it to a file and reads it back in another process.
struct PausedCandidate {
  nn::Model model;
  PreparedSteps steps;                  // null for finetune steps
  std::vector<std::string> step_texts;  // each step's canonical text: what a longer recipe repeats
  std::uint64_t seed = 0;
  int batch_size = 0;
  std::size_t next_step = 0;  // steps [0, next_step) are done
  std::optional<nn::TrainingOptions::Continuation> in_finetune;
  std::vector<std::optional<nn::HookState>> hook_states;  // by step index; empty when kept at the end
};

struct ResumableOutcome {
  CompressionOutcome outcome;
  // Null unless ok and the recipe ends in finetune, or stopped with a state that can be saved.
  std::unique_ptr<PausedCandidate> paused;
  // The stop request paused the evaluation: `outcome` holds no result (its message says
  // where it stopped), and `paused` the state to continue from, or null when the state
  // cannot be saved (why is in the message): then the candidate must run again.
  bool stopped = false;
};

// Whether `paused` holds the state after this recipe's first steps (the same recipe, or a
// longer one whose further steps are finetune steps), with something left to run, at the
// same seed and batch size: then it can be continued.
bool continues(const PausedCandidate& paused, const Recipe& recipe, const EvaluatorOptions& options);

// Why a candidate paused before step `next_step` of `steps` could not be continued in
// another process ("" when it can): every step applied before the pause must come before
// the recipe's first finetune (a continuation applies them again to the base: the same
// seed gives the same masks, quantisers and teacher), and each one's hook must say
// pausable() (the state it trains is saved).
std::string why_not_restorable(const Recipe& recipe, const PreparedSteps& steps, std::size_t next_step);

// compress_and_measure that keeps the state at the end (see PausedCandidate) and, given
// `from` that continues(), runs only the recipe's remaining finetune steps on it; a
// `from` that does not fit is ignored and the recipe runs from the start. The artifact
// is finalised and measured on a copy of the model, so the metrics equal those of
// compress_and_measure on the same recipe, number for number, continued or not; the
// metrics' continued_steps says how many steps were taken over from `from`. With
// options.stop set during the run it pauses instead (ResumableOutcome::stopped), and
// continuing the state it paused with gives the uninterrupted run's numbers too.
ResumableOutcome compress_measure_and_keep(const io::Checkpoint& base, const std::string& base_path,
                                           const Recipe& recipe, const data::DataSplits& data,
                                           Backend& backend, const EvaluatorOptions& options,
                                           std::unique_ptr<PausedCandidate> from);

// Applies steps [0, paused.next_step) of the paused candidate's recipe to `base` again, in
// order, so that the prepared steps hold what their apply() built (masks, quantisers, the
// teacher); the model becomes the one they build. paused_state_file.h's reader calls it
// before it loads the saved weights and hook states.
void reapply_steps(PausedCandidate& paused, const io::Checkpoint& base, const std::string& base_path,
                   const Recipe& recipe, const data::DataSplits& data, Backend& backend);

}  // namespace lathe::recipe
