#include "recipe/evaluator.h"

#include <chrono>
#include <cstdio>
#include <exception>

#include "config/yaml_reader.h"
#include "core/error.h"
#include "io/stored_size.h"
#include "nn/evaluation.h"
#include "nn/model_checkpoint.h"
#include "nn/trainer.h"
#include "recipe/finetune_step.h"
#include "recipe/latency.h"
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
  return compress_and_measure(base, base_path, recipe, prepare_steps(recipe, base, base_path), data,
                              backend, options);
}

CompressionOutcome compress_and_measure(const io::Checkpoint& base, const std::string& base_path,
                                        const Recipe& recipe, PreparedSteps steps,
                                        const data::DataSplits& data, Backend& backend,
                                        const EvaluatorOptions& options) {
  LATHE_CHECK(steps.size() == recipe.steps.size(), recipe.source,
              ": the prepared steps are not this recipe's (use prepare_steps)");
  const auto start = std::chrono::steady_clock::now();
  CompressionOutcome outcome;
  compress::CompressionContext context{backend, data, base, options.seed, options.batch_size};
  try {
    nn::Model model = nn::model_from_checkpoint(base, base_path);
    std::vector<compress::CompressionStep*> applied;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const RecipeStepSpec& spec = recipe.steps[i];
      if (steps[i] == nullptr) {
        const nn::TrainingOptions training =
            training_options(read_finetune(spec), options.batch_size, options.seed + i);
        std::vector<nn::TrainingHook*> hooks;
        for (compress::CompressionStep* step : applied) {
          if (nn::TrainingHook* hook = step->hook()) hooks.push_back(hook);
        }
        const nn::TrainingResult trained = nn::train_model(
            model, backend, data.train, data.validation, training, hooks,
            [&](const nn::EpochReport& r) {
              char line[200];
              std::snprintf(line, sizeof line,
                            "%s epoch %d: train loss %.4f, validation loss %.4f accuracy %.2f%%",
                            spec.source.label.c_str(), r.epoch, r.train_loss, r.validation_loss,
                            100.0 * r.validation_accuracy);
              say(options, line);
            });
        if (trained.diverged) {
          outcome.metrics.status = CandidateStatus::diverged;
          outcome.metrics.message = spec.source.label + ": the loss became NaN or infinite";
          break;
        }
        for (compress::CompressionStep* step : applied) step->after_finetune(model, context);
        continue;
      }
      say(options, spec.source.label + ": applying");
      steps[i]->apply(model, context);
      applied.push_back(steps[i].get());
    }
    if (outcome.metrics.status == CandidateStatus::ok) {
      for (compress::CompressionStep* step : applied) step->finalize(model, context);
      io::Checkpoint artifact = nn::make_checkpoint(model);
      for (compress::CompressionStep* step : applied) step->pack(model, artifact);
      artifact.normalization_mean = base.normalization_mean;
      artifact.normalization_std = base.normalization_std;
      // Measured on the model as it loads from the artifact: decoded packed weights.
      nn::Model stored = nn::model_from_checkpoint(artifact, base_path + " (compressed)");
      outcome.metrics = measure_model(stored, artifact, data, backend, options);
      outcome.artifact = std::move(artifact);
    }
  } catch (const std::exception& e) {
    outcome.metrics.status = CandidateStatus::failed;
    outcome.metrics.message = e.what();
  }
  outcome.metrics.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace lathe::recipe
