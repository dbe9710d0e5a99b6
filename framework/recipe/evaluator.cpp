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

// Where a stop request paused an evaluation.
struct PausePoint {
  std::size_t next_step = 0;
  std::optional<nn::TrainingOptions::Continuation> in_finetune;
};

// The model an evaluation works on, and from which step of the recipe it starts: the
// base at step 0, or a paused candidate's model after its steps.
struct Progress {
  nn::Model& model;
  std::size_t first_step = 0;
  // Finalise and measure a copy, leaving `model` and the steps as trained (to keep them).
  bool measure_copy = false;
  // A candidate paused inside finetune step first_step continues from there (after whole
  // epochs, or mid-epoch).
  std::optional<nn::TrainingOptions::Continuation> in_finetune;
  // The hooks' states at the pause, by step index (empty: the hooks hold theirs).
  const std::vector<std::optional<nn::HookState>>* hook_states = nullptr;
  const std::atomic<bool>* stop = nullptr;
  std::optional<PausePoint>* paused = nullptr;  // set when the stop request paused it
};

bool stop_requested(const Progress& progress) {
  return progress.stop != nullptr && progress.paused != nullptr && progress.stop->load();
}

// Puts the saved states back into the hooks of steps [0, applied_steps).
void load_hook_states(const PreparedSteps& steps, std::size_t applied_steps, const Progress& progress) {
  if (progress.hook_states == nullptr) return;
  for (std::size_t j = 0; j < applied_steps && j < progress.hook_states->size(); ++j) {
    const std::optional<nn::HookState>& state = (*progress.hook_states)[j];
    if (steps[j] == nullptr || !state) continue;
    if (nn::TrainingHook* hook = steps[j]->hook()) hook->load_state(*state, progress.model);
  }
}

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
    if (!progress.in_finetune) load_hook_states(steps, progress.first_step, progress);
    for (std::size_t i = progress.first_step; i < steps.size(); ++i) {
      const RecipeStepSpec& spec = recipe.steps[i];
      if (limit.passed()) {
        stop_as_timeout(outcome.metrics, limit, "before " + spec.kind + " " + step_position(i),
                        options);
        break;
      }
      const bool continuing_here = i == progress.first_step && progress.in_finetune;
      if (!continuing_here && stop_requested(progress)) {
        *progress.paused = PausePoint{i, std::nullopt};
        break;
      }
      if (steps[i] == nullptr) {
        nn::TrainingOptions training =
            training_options(read_finetune(spec), options.batch_size, options.seed + i);
        training.deadline = limit.deadline();
        if (progress.paused != nullptr) training.stop = progress.stop;
        training.after_step = options.after_training_step;
        if (continuing_here) {
          training.continuation = progress.in_finetune;
          // on_train_start began a run afresh: the hooks go on from where they paused.
          training.after_train_start = [&] { load_hook_states(steps, i, progress); };
        }
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
                              std::to_string(trained.epochs.size() + 1 +
                                             (continuing_here ? progress.in_finetune->epochs_done : 0)) +
                              ", after " +
                              std::to_string(trained.steps) + " steps",
                          options);
          break;
        }
        if (trained.paused) {
          *progress.paused = PausePoint{i, std::move(trained.paused)};
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
    if (progress.paused != nullptr && progress.paused->has_value()) {
      outcome.metrics.status = CandidateStatus::failed;  // no result: compress_measure_and_keep says why
    } else if (outcome.metrics.status == CandidateStatus::ok) {
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

// The state a stop paused with, its hooks' states taken now; null (and `message` says
// why) when it cannot be continued elsewhere, or nothing was done yet.
std::unique_ptr<PausedCandidate> paused_state(std::unique_ptr<PausedCandidate> state, const Recipe& recipe,
                                              const PausePoint& pause, std::string& message) {
  const RecipeStepSpec& spec = recipe.steps[pause.next_step];
  std::string where = pause.in_finetune ? "in " + spec.source.label + " " + step_position(pause.next_step) +
                                              " after epoch " + std::to_string(pause.in_finetune->epochs_done)
                                        : "before " + spec.source.label + " " + step_position(pause.next_step);
  if (pause.in_finetune && pause.in_finetune->partial_epoch) {
    where += " and step " + std::to_string(pause.in_finetune->partial_epoch->steps) + " of epoch " +
             std::to_string(pause.in_finetune->epochs_done + 1);
  }
  if (pause.next_step == 0 && !pause.in_finetune) {
    message = "stopped before its first step: nothing to save";
    return nullptr;
  }
  const std::string why = why_not_restorable(recipe, state->steps, pause.next_step);
  if (!why.empty()) {
    message = "stopped " + where + "; its state cannot be saved (" + why + "): it will run again from the start";
    return nullptr;
  }
  message = "paused " + where;
  state->next_step = pause.next_step;
  state->in_finetune = pause.in_finetune;
  state->hook_states.assign(state->steps.size(), std::nullopt);
  for (std::size_t j = 0; j < pause.next_step; ++j) {
    nn::TrainingHook* hook = state->steps[j] != nullptr ? state->steps[j]->hook() : nullptr;
    if (hook == nullptr) continue;
    nn::HookState saved;
    hook->save_state(saved);
    state->hook_states[j] = std::move(saved);
  }
  return state;
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
    const nn::EvaluationResult v = nn::evaluate(model, backend, data.validation, options.batch_size, &stored);
    metrics.validation_loss = v.loss;
    metrics.validation_accuracy = v.accuracy;
  }
  if (data.test.size() > 0) {
    metrics.test_accuracy = nn::evaluate(model, backend, data.test, options.batch_size, &stored).accuracy;
  }
  metrics.size_bytes = io::payload_bytes(stored);
  metrics.parameter_count = model.trainable_parameter_count();
  metrics.macs = model.macs_per_item();
  if (options.measure_latency) {
    const data::Dataset& images = data.test.size() > 0 ? data.test : data.validation;
    metrics.latency_batch1_ms = median_latency_ms(model, backend, images, 1, &stored);
    metrics.latency_batch128_ms = median_latency_ms(model, backend, images, 128, &stored);
  }
  return metrics;
}

CompressionOutcome compress_and_measure(const io::Checkpoint& base, const std::string& base_path,
                                        const Recipe& recipe, const data::DataSplits& data,
                                        Backend& backend, const EvaluatorOptions& options) {
  const Clock::time_point start = Clock::now();
  PreparedSteps steps = prepare_steps(recipe, base, base_path);
  nn::Model model = nn::model_from_checkpoint(base, base_path);
  return evaluate(base, base_path, recipe, steps, data, backend, options, start,
                  {model, 0, false, std::nullopt, nullptr, nullptr, nullptr});
}

CompressionOutcome compress_and_measure(const io::Checkpoint& base, const std::string& base_path,
                                        const Recipe& recipe, PreparedSteps steps,
                                        const data::DataSplits& data, Backend& backend,
                                        const EvaluatorOptions& options) {
  const Clock::time_point start = Clock::now();
  nn::Model model = nn::model_from_checkpoint(base, base_path);
  return evaluate(base, base_path, recipe, steps, data, backend, options, start,
                  {model, 0, false, std::nullopt, nullptr, nullptr, nullptr});
}

bool continues(const PausedCandidate& paused, const Recipe& recipe, const EvaluatorOptions& options) {
  if (paused.seed != options.seed || paused.batch_size != options.batch_size) return false;
  const std::vector<std::string> texts = step_texts(recipe);
  if (texts.size() < paused.step_texts.size() || texts.size() <= paused.next_step) return false;
  if (paused.steps.size() > texts.size() || paused.next_step > paused.steps.size()) return false;
  for (std::size_t i = 0; i < paused.step_texts.size(); ++i) {
    if (texts[i] != paused.step_texts[i]) return false;
  }
  for (std::size_t i = paused.step_texts.size(); i < recipe.steps.size(); ++i) {
    if (recipe.steps[i].kind != "finetune") return false;
  }
  return true;
}

std::string why_not_restorable(const Recipe& recipe, const PreparedSteps& steps, std::size_t next_step) {
  std::size_t first_finetune = recipe.steps.size();
  for (std::size_t j = 0; j < recipe.steps.size(); ++j) {
    if (recipe.steps[j].kind == "finetune") {
      first_finetune = j;
      break;
    }
  }
  for (std::size_t j = 0; j < next_step && j < steps.size(); ++j) {
    if (steps[j] == nullptr) continue;
    const std::string& label = recipe.steps[j].source.label;
    if (j > first_finetune) return label + " comes after a finetune step (it would have to be applied to a trained model)";
    const nn::TrainingHook* hook = steps[j]->hook();
    if (hook != nullptr && !hook->pausable()) {
      return label + ": the " + recipe.steps[j].kind + " step's training state is not saved";
    }
  }
  return "";
}

void reapply_steps(PausedCandidate& paused, const io::Checkpoint& base, const std::string& base_path,
                   const Recipe& recipe, const data::DataSplits& data, Backend& backend) {
  compress::CompressionContext context{backend, data, base, paused.seed, paused.batch_size};
  nn::Model model = nn::model_from_checkpoint(base, base_path);
  for (std::size_t j = 0; j < paused.next_step && j < paused.steps.size(); ++j) {
    if (paused.steps[j] == nullptr) continue;
    LATHE_CHECK(why_not_restorable(recipe, paused.steps, j + 1).empty(), recipe.source, ": ",
                why_not_restorable(recipe, paused.steps, j + 1));
    paused.steps[j]->apply(model, context);
  }
  paused.model = std::move(model);
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
    first_step = from->next_step;
    state = std::move(from);
    for (std::size_t i = state->steps.size(); i < recipe.steps.size(); ++i) {
      (void)read_finetune(recipe.steps[i]);  // bad keys throw, as prepare_steps would
      state->steps.push_back(nullptr);
    }
  } else {
    PreparedSteps steps = prepare_steps(recipe, base, base_path);
    state = std::make_unique<PausedCandidate>(
        PausedCandidate{nn::model_from_checkpoint(base, base_path), std::move(steps), {}, 0, 0, 0, std::nullopt, {}});
  }
  ResumableOutcome result;
  std::optional<PausePoint> pause;
  result.outcome = evaluate(base, base_path, recipe, state->steps, data, backend, options, start,
                            {state->model, first_step, ends_in_finetune, state->in_finetune,
                             &state->hook_states, options.stop, &pause});
  state->step_texts = step_texts(recipe);
  state->seed = options.seed;
  state->batch_size = options.batch_size;
  if (pause) {
    result.stopped = true;
    result.paused = paused_state(std::move(state), recipe, *pause, result.outcome.metrics.message);
    say(options, result.outcome.metrics.message);
    return result;
  }
  if (result.outcome.metrics.status == CandidateStatus::ok && ends_in_finetune) {
    state->next_step = state->steps.size();
    state->in_finetune.reset();
    state->hook_states.clear();
    result.paused = std::move(state);
  }
  return result;
}

}  // namespace lathe::recipe
