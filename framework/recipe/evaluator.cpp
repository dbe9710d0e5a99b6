#include "recipe/evaluator.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <utility>

#include "config/canonical_yaml.h"
#include "config/yaml_reader.h"
#include "core/error.h"
#include "io/stored_size.h"
#include "nn/evaluation.h"
#include "nn/model_checkpoint.h"
#include "nn/trainer.h"
#include "recipe/finetune_step.h"
#include "recipe/latency.h"
#include "recipe/peak_memory.h"
#include "recipe/step_factory.h"

namespace lathe::recipe {
namespace {

void say(const EvaluatorOptions& options, const std::string& line) {
  if (options.log) options.log(line);
}

FinetuneParams read_finetune(const RecipeStepSpec& step) {
  FinetuneParams params;
  config::YamlReader::read(step.params, params, step.source.where, step.source.label + ".");
  return params;
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Adds the time from its construction to its end (a throw included) to one phase total.
class PhaseTimer {
 public:
  explicit PhaseTimer(double& total) : total_(total), start_(Clock::now()) {}
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;
  ~PhaseTimer() { total_ += seconds_since(start_); }

 private:
  double& total_;
  Clock::time_point start_;
};

// A candidate's time limit, counted from the start of its evaluation.
class TimeLimit {
 public:
  TimeLimit(double seconds, Clock::time_point start) : seconds_(seconds) {
    // 0 (or anything not positive) is no limit; past a century the clock would overflow.
    if (seconds > 0.0 && seconds < 3.0e9) {
      deadline_ = start + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(seconds));
    }
  }
  [[nodiscard]] const std::optional<Clock::time_point>& deadline() const { return deadline_; }
  [[nodiscard]] bool passed() const { return deadline_ && Clock::now() >= *deadline_; }
  // "over its time limit of 30 s: cancelled <where>"
  [[nodiscard]] std::string cancelled(const std::string& where) const {
    char limit[64];
    std::snprintf(limit, sizeof limit, "%g", seconds_);
    return std::string("over its time limit of ") + limit + " s: cancelled " + where;
  }

 private:
  double seconds_;
  std::optional<Clock::time_point> deadline_;
};

std::string step_position(std::size_t index) {
  return "(step " + std::to_string(index + 1) + " of the recipe)";
}

void stop_as_timeout(CandidateMetrics& metrics, const TimeLimit& limit, const std::string& where,
                     const EvaluatorOptions& options) {
  metrics.status = CandidateStatus::timeout;
  metrics.message = limit.cancelled(where);
  say(options, metrics.message);
}

// One finetune step, with the hooks of every step applied before it active.
nn::TrainingResult finetune(nn::Model& model, const RecipeStepSpec& spec,
                            const nn::TrainingOptions& training,
                            const std::vector<compress::CompressionStep*>& applied,
                            const data::DataSplits& data, Backend& backend,
                            const EvaluatorOptions& options) {
  std::vector<nn::TrainingHook*> hooks;
  for (compress::CompressionStep* step : applied) {
    if (nn::TrainingHook* hook = step->hook()) hooks.push_back(hook);
  }
  return nn::train_model(model, backend, data.train, data.validation, training, hooks,
                         [&](const nn::EpochReport& r) {
                           char line[200];
                           std::snprintf(line, sizeof line,
                                         "%s epoch %d: train loss %.4f, validation loss %.4f "
                                         "accuracy %.2f%%",
                                         spec.source.label.c_str(), r.epoch, r.train_loss,
                                         r.validation_loss, 100.0 * r.validation_accuracy);
                           say(options, line);
                         });
}

// Where the time went, kept apart from the metrics that measuring replaces.
struct PhaseSeconds {
  double compress = 0.0;
  double finetune = 0.0;
  double measure = 0.0;
};

// The model an evaluation works on, and from which step of the recipe it starts: the
// base at step 0, or a paused candidate's model after its steps.
struct Progress {
  nn::Model& model;
  std::size_t first_step = 0;
  // Finalise and measure a copy, leaving `model` and the steps as trained (to keep them).
  bool measure_copy = false;
};

CompressionOutcome evaluate(const io::Checkpoint& base, const std::string& base_path,
                            const Recipe& recipe, const PreparedSteps& steps,
                            const data::DataSplits& data, Backend& backend,
                            const EvaluatorOptions& options, Clock::time_point start,
                            const Progress& progress) {
  LATHE_CHECK(steps.size() == recipe.steps.size(), recipe.source,
              ": the prepared steps are not this recipe's (use prepare_steps)");
  const TimeLimit limit(options.time_limit_seconds, start);
  CompressionOutcome outcome;
  PhaseSeconds phases;
  compress::CompressionContext context{backend, data, base, options.seed, options.batch_size};
  try {
    nn::Model& model = progress.model;
    std::vector<compress::CompressionStep*> applied;
    for (std::size_t i = 0; i < progress.first_step; ++i) {
      if (steps[i] != nullptr) applied.push_back(steps[i].get());
    }
    for (std::size_t i = progress.first_step; i < steps.size(); ++i) {
      const RecipeStepSpec& spec = recipe.steps[i];
      if (limit.passed()) {
        stop_as_timeout(outcome.metrics, limit, "before " + spec.kind + " " + step_position(i),
                        options);
        break;
      }
      if (steps[i] == nullptr) {
        nn::TrainingOptions training =
            training_options(read_finetune(spec), options.batch_size, options.seed + i);
        training.deadline = limit.deadline();
        nn::TrainingResult trained;
        {
          const PhaseTimer timer(phases.finetune);
          trained = finetune(model, spec, training, applied, data, backend, options);
        }
        if (trained.diverged) {
          outcome.metrics.status = CandidateStatus::diverged;
          outcome.metrics.message = spec.source.label + ": the loss became NaN or infinite";
          break;
        }
        if (trained.timed_out) {
          stop_as_timeout(outcome.metrics, limit,
                          "in finetune " + step_position(i) + ", epoch " +
                              std::to_string(trained.epochs.size() + 1) + ", after " +
                              std::to_string(trained.steps) + " steps",
                          options);
          break;
        }
        const PhaseTimer timer(phases.compress);
        for (compress::CompressionStep* step : applied) step->after_finetune(model, context);
        continue;
      }
      say(options, spec.source.label + ": applying");
      const PhaseTimer timer(phases.compress);
      steps[i]->apply(model, context);
      applied.push_back(steps[i].get());
    }
    if (outcome.metrics.status == CandidateStatus::ok) {
      io::Checkpoint artifact;
      {
        const PhaseTimer timer(phases.compress);
        // Finalising compacts and snaps the model it is given: a copy when the trained
        // state is kept for a continuation.
        std::optional<nn::Model> copy;
        if (progress.measure_copy) copy.emplace(nn::model_from_checkpoint(nn::make_checkpoint(model), base_path));
        nn::Model& final_model = copy ? *copy : model;
        for (compress::CompressionStep* step : applied) step->finalize(final_model, context);
        artifact = nn::make_checkpoint(final_model);
        for (compress::CompressionStep* step : applied) step->pack(final_model, artifact);
        artifact.normalization_mean = base.normalization_mean;
        artifact.normalization_std = base.normalization_std;
      }
      if (limit.passed()) {
        stop_as_timeout(outcome.metrics, limit, "before measuring the artifact", options);
      } else {
        const PhaseTimer timer(phases.measure);
        // Measured on the model as it loads from the artifact: decoded packed weights.
        nn::Model stored = nn::model_from_checkpoint(artifact, base_path + " (compressed)");
        outcome.metrics = measure_model(stored, artifact, data, backend, options);
        outcome.artifact = std::move(artifact);
      }
    }
  } catch (const std::exception& e) {
    outcome.metrics.status = CandidateStatus::failed;
    outcome.metrics.message = e.what();
  }
  CandidateMetrics& metrics = outcome.metrics;
  metrics.compress_seconds = phases.compress;
  metrics.finetune_seconds = phases.finetune;
  metrics.measure_seconds = phases.measure;
  metrics.peak_memory_bytes = peak_memory_bytes();
  metrics.seed = options.seed;
  metrics.recipe_hash = recipe_hash(recipe);
  metrics.continued_steps = static_cast<std::int64_t>(progress.first_step);
  metrics.wall_seconds = seconds_since(start);
  return outcome;
}

std::vector<std::string> step_texts(const Recipe& recipe) {
  std::vector<std::string> texts;
  for (const RecipeStepSpec& spec : recipe.steps) {
    texts.push_back(spec.kind + ": " + config::canonical_yaml_text(spec.params));
  }
  return texts;
}

}  // namespace

PreparedSteps prepare_steps(const Recipe& recipe, const io::Checkpoint& base,
                            const std::string& base_path) {
  nn::Model shape_model = nn::model_from_checkpoint(base, base_path);
  PreparedSteps steps;
  for (const RecipeStepSpec& spec : recipe.steps) {
    if (spec.kind == "finetune") {
      (void)read_finetune(spec);
      steps.push_back(nullptr);
      continue;
    }
    std::unique_ptr<compress::CompressionStep> step = make_compression_step(spec);
    step->validate(shape_model);
    // Later steps are checked against the model this one puts in place (a student).
    if (auto replacement = step->replacement_spec()) shape_model = nn::Model(std::move(*replacement), 0);
    steps.push_back(std::move(step));
  }
  return steps;
}

CandidateMetrics measure_model(nn::Model& model, const io::Checkpoint& stored,
                               const data::DataSplits& data, Backend& backend,
                               const EvaluatorOptions& options) {
  CandidateMetrics metrics;
  if (data.validation.size() > 0) {
    const nn::EvaluationResult v = nn::evaluate(model, backend, data.validation, options.batch_size);
    metrics.validation_loss = v.loss;
    metrics.validation_accuracy = v.accuracy;
  }
  if (data.test.size() > 0) {
    metrics.test_accuracy = nn::evaluate(model, backend, data.test, options.batch_size).accuracy;
  }
  metrics.size_bytes = io::payload_bytes(stored);
  metrics.parameter_count = model.trainable_parameter_count();
  metrics.macs = model.macs_per_item();
  if (options.measure_latency) {
    const data::Dataset& images = data.test.size() > 0 ? data.test : data.validation;
    metrics.latency_batch1_ms = median_latency_ms(model, backend, images, 1);
    metrics.latency_batch128_ms = median_latency_ms(model, backend, images, 128);
  }
  return metrics;
}

CompressionOutcome compress_and_measure(const io::Checkpoint& base, const std::string& base_path,
                                        const Recipe& recipe, const data::DataSplits& data,
                                        Backend& backend, const EvaluatorOptions& options) {
  const Clock::time_point start = Clock::now();
  PreparedSteps steps = prepare_steps(recipe, base, base_path);
  nn::Model model = nn::model_from_checkpoint(base, base_path);
  return evaluate(base, base_path, recipe, steps, data, backend, options, start, {model});
}

CompressionOutcome compress_and_measure(const io::Checkpoint& base, const std::string& base_path,
                                        const Recipe& recipe, PreparedSteps steps,
                                        const data::DataSplits& data, Backend& backend,
                                        const EvaluatorOptions& options) {
  const Clock::time_point start = Clock::now();
  nn::Model model = nn::model_from_checkpoint(base, base_path);
  return evaluate(base, base_path, recipe, steps, data, backend, options, start, {model});
}

bool continues(const PausedCandidate& paused, const Recipe& recipe, const EvaluatorOptions& options) {
  if (paused.seed != options.seed || paused.batch_size != options.batch_size) return false;
  const std::vector<std::string> texts = step_texts(recipe);
  if (texts.size() <= paused.step_texts.size()) return false;
  for (std::size_t i = 0; i < paused.step_texts.size(); ++i) {
    if (texts[i] != paused.step_texts[i]) return false;
  }
  for (std::size_t i = paused.step_texts.size(); i < recipe.steps.size(); ++i) {
    if (recipe.steps[i].kind != "finetune") return false;
  }
  return true;
}

ResumableOutcome compress_measure_and_keep(const io::Checkpoint& base, const std::string& base_path,
                                           const Recipe& recipe, const data::DataSplits& data,
                                           Backend& backend, const EvaluatorOptions& options,
                                           std::unique_ptr<PausedCandidate> from) {
  const Clock::time_point start = Clock::now();
  const bool ends_in_finetune = !recipe.steps.empty() && recipe.steps.back().kind == "finetune";
  std::unique_ptr<PausedCandidate> state;
  std::size_t first_step = 0;
  if (from && continues(*from, recipe, options)) {
    first_step = from->steps.size();
    state = std::move(from);
    for (std::size_t i = first_step; i < recipe.steps.size(); ++i) {
      (void)read_finetune(recipe.steps[i]);  // bad keys throw, as prepare_steps would
      state->steps.push_back(nullptr);
    }
  } else {
    PreparedSteps steps = prepare_steps(recipe, base, base_path);
    state = std::make_unique<PausedCandidate>(
        PausedCandidate{nn::model_from_checkpoint(base, base_path), std::move(steps), {}, 0, 0});
  }
  ResumableOutcome result;
  result.outcome = evaluate(base, base_path, recipe, state->steps, data, backend, options, start,
                            {state->model, first_step, ends_in_finetune});
  if (result.outcome.metrics.status == CandidateStatus::ok && ends_in_finetune) {
    state->step_texts = step_texts(recipe);
    state->seed = options.seed;
    state->batch_size = options.batch_size;
    result.paused = std::move(state);
  }
  return result;
}

}  // namespace lathe::recipe
