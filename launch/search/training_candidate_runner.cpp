#include "search/training_candidate_runner.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "backend/backend_factory.h"
#include "common/train_run.h"
#include "config/yaml_document.h"
#include "config/yaml_reader.h"
#include "io/checkpoint_file.h"
#include "io/path_checks.h"
#include "nn/data_fit.h"
#include "nn/layer_spec.h"
#include "nn/model_checkpoint.h"
#include "recipe/evaluator.h"

namespace lathe::search {

TrainingCandidateRunner::TrainingCandidateRunner(const RunnerSettings& settings)
    : settings_(settings), backend_(make_backend(settings.device, settings.threads, /*deterministic=*/true, nullptr, settings.gpu_slot)) {}

TaskResult TrainingCandidateRunner::run(const Task& task) {
  TaskResult result;
  result.id = task.id;
  const auto start = std::chrono::steady_clock::now();
  try {
    std::string config_text = task.recipe_yaml;
    if (task.id == kBaseTaskId) {
      config_text = io::read_text_file(settings_.base_path, "a training config YAML file");
    }
    const std::string source = task.id == kBaseTaskId ? settings_.base_path : "candidate " + std::to_string(task.id);
    std::string data_yaml;
    nn::TrainConfig config = nn::parse_train_config(config::parse_yaml_document(config_text, source), source, &data_yaml);
    // The data split keeps the config's own seed, so every candidate is measured on the
    // same validation images; initialisation and shuffling take the candidate's seed.
    const data::DataSplits data = data::load_data(config.data, static_cast<std::uint64_t>(config.seed), source);
    if (task.id != kBaseTaskId) config.seed = static_cast<std::int64_t>(task.seed % 9000000000000000ULL);
    nn::Model model(nn::load_model_spec(config.model), static_cast<std::uint64_t>(config.seed));
    nn::check_model_fits_data(model, data.train, nn::ClassFit::exact);
    std::optional<std::chrono::steady_clock::time_point> deadline;
    if (task.time_limit_seconds > 0) {
      deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(task.time_limit_seconds));
    }
    const launch::TrainRun run =
        launch::run_training(config, model, data, config_text, data_yaml, *backend_, {}, deadline);
    const auto trained = std::chrono::steady_clock::now();
    if (run.training.diverged) {
      result.metrics.status = recipe::CandidateStatus::diverged;
      result.metrics.message = source + ": the loss became NaN or infinite";
    } else if (run.training.timed_out) {
      result.metrics.status = recipe::CandidateStatus::timeout;
      result.metrics.message = "over its time limit of " + std::to_string(task.time_limit_seconds) +
                               " s: cancelled in training, after " + std::to_string(run.training.steps) + " steps";
    } else {
      recipe::EvaluatorOptions options;
      options.batch_size = config.batch_size;
      options.measure_latency = settings_.measure_latency;
      result.metrics = recipe::measure_model(model, run.checkpoint, data, *backend_, options);
      if (!task.artifact_path.empty()) {
        const std::filesystem::path path = std::filesystem::path(settings_.output_dir) / task.artifact_path;
        std::filesystem::create_directories(path.parent_path());
        io::write_checkpoint(path.string(), run.checkpoint);
        result.artifact_path = task.artifact_path;
      }
    }
    result.metrics.finetune_seconds = std::chrono::duration<double>(trained - start).count();
    result.metrics.measure_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - trained).count();
  } catch (const std::exception& e) {
    result.metrics.status = recipe::CandidateStatus::failed;
    result.metrics.message = e.what();
  }
  result.metrics.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.metrics.seed = task.seed;
  return result;
}

}  // namespace lathe::search
