// The candidate evaluator: the one code path that `lathe compress`, `lathe fallback` and
// the search's workers use. It loads the base, checks every step against the model it
// will meet (before any training), applies the steps in order, runs each `finetune`
// with the hooks of every earlier step active, finalises (compact, snap), packs the
// artifact, and measures the artifact as stored.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "compress/compression_step.h"
#include "data/data_config.h"
#include "io/checkpoint.h"
#include "nn/model.h"
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
struct PausedCandidate {
  nn::Model model;
  PreparedSteps steps;                  // null for finetune steps
  std::vector<std::string> step_texts;  // each step's canonical text: what a longer recipe repeats
  std::uint64_t seed = 0;
  int batch_size = 0;
};

struct ResumableOutcome {
  CompressionOutcome outcome;
  std::unique_ptr<PausedCandidate> paused;  // null unless ok and the recipe ends in finetune
};

// Whether `paused` holds the state after this recipe's first steps, with only finetune
// steps left to run, at the same seed and batch size: then it can be continued.
bool continues(const PausedCandidate& paused, const Recipe& recipe, const EvaluatorOptions& options);

// compress_and_measure that keeps the state at the end (see PausedCandidate) and, given
// `from` that continues(), runs only the recipe's remaining finetune steps on it; a
// `from` that does not fit is ignored and the recipe runs from the start. The artifact
// is finalised and measured on a copy of the model, so the metrics equal those of
// compress_and_measure on the same recipe, number for number, continued or not; the
// metrics' continued_steps says how many steps were taken over from `from`.
ResumableOutcome compress_measure_and_keep(const io::Checkpoint& base, const std::string& base_path,
                                           const Recipe& recipe, const data::DataSplits& data,
                                           Backend& backend, const EvaluatorOptions& options,
                                           std::unique_ptr<PausedCandidate> from);

}  // namespace lathe::recipe
