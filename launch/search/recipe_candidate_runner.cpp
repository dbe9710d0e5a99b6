#include "search/recipe_candidate_runner.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "backend/backend_factory.h"
#include "common/checkpoint_data.h"
#include "common/provenance.h"
#include "io/checkpoint_file.h"
#include "nn/model_checkpoint.h"
#include "recipe/evaluator.h"
#include "recipe/recipe.h"

namespace lathe::search {

RecipeCandidateRunner::RecipeCandidateRunner(const RunnerSettings& settings)
    : settings_(settings),
      base_(io::read_checkpoint(settings.base_path)),
      data_(launch::load_checkpoint_data(
          base_, settings.base_path,
          settings.data_path.empty() ? std::nullopt : std::optional<std::string>(settings.data_path))),
      // The thread count belongs to this backend (one worker, one share of the node).
      backend_(make_backend(settings.device, settings.threads, /*deterministic=*/true)),
      kept_(static_cast<std::size_t>(std::max(settings.kept_states, 0))) {}

const io::Checkpoint& RecipeCandidateRunner::start_of(const Task& task, std::string& path) {
  if (task.start_artifact.empty()) {
    path = settings_.base_path;
    return base_;
  }
  path = (std::filesystem::path(settings_.output_dir) / task.start_artifact).string();
  if (path != start_path_) {
    start_ = io::read_checkpoint(path);
    start_path_ = path;
  }
  return start_;
}

TaskResult RecipeCandidateRunner::run(const Task& task) {
  TaskResult result;
  result.id = task.id;
  for (const std::int64_t id : task.release) kept_.release(id);
  recipe::EvaluatorOptions options;
  options.batch_size = settings_.batch_size;
  options.seed = task.seed;
  options.measure_latency = settings_.measure_latency;
  options.time_limit_seconds = task.time_limit_seconds;
  if (settings_.verbose) {
    options.log = [id = task.id](const std::string& line) {
      std::fprintf(stderr, "  [candidate %lld] %s\n", static_cast<long long>(id), line.c_str());
    };
  }
  try {
    if (task.id == kBaseTaskId) {
      nn::Model model = nn::model_from_checkpoint(base_, settings_.base_path);
      result.metrics = recipe::measure_model(model, base_, data_, *backend_, options);
      result.metrics.seed = task.seed;
      return result;
    }
    const recipe::Recipe recipe =
        recipe::parse_recipe(task.recipe_yaml, "candidate " + std::to_string(task.id));
    std::string start_path;
    const io::Checkpoint& start = start_of(task, start_path);
    recipe::CompressionOutcome outcome;
    if (task.keep_state || task.continues >= 0) {
      // A multi-fidelity candidate: continue the parent's kept state when this worker has
      // it (else the whole recipe runs), and keep this one's for its own promotion.
      std::unique_ptr<recipe::PausedCandidate> parent = task.continues >= 0 ? kept_.take(task.continues) : nullptr;
      if (options.log && task.continues >= 0) {
        options.log(parent ? "continuing the kept state of candidate " + std::to_string(task.continues)
                           : "no kept state of candidate " + std::to_string(task.continues) +
                                 " here: running the whole recipe");
      }
      recipe::ResumableOutcome resumable = recipe::compress_measure_and_keep(
          start, start_path, recipe, data_, *backend_, options, std::move(parent));
      outcome = std::move(resumable.outcome);
      if (task.keep_state) result.state_kept = kept_.keep(task.id, std::move(resumable.paused));
      if (options.log && task.keep_state) {
        options.log(result.state_kept ? "state kept (" + std::to_string(kept_.size()) + " kept here)"
                                      : "no state kept");
      }
    } else {
      outcome = recipe::compress_and_measure(start, start_path, recipe, data_, *backend_, options);
    }
    result.metrics = outcome.metrics;
    if (outcome.metrics.status == recipe::CandidateStatus::ok && !task.artifact_path.empty()) {
      launch::record_provenance(outcome.artifact, base_, settings_.base_path, recipe, outcome.metrics);
      outcome.artifact.number_metadata["search_candidate_id"] = static_cast<double>(task.id);
      if (!task.start_artifact.empty()) outcome.artifact.text_metadata["search_started_from"] = task.start_artifact;
      const std::filesystem::path path = std::filesystem::path(settings_.output_dir) / task.artifact_path;
      std::filesystem::create_directories(path.parent_path());
      io::write_checkpoint(path.string(), outcome.artifact);  // atomic: temp file and rename
      result.artifact_path = task.artifact_path;
    }
  } catch (const std::exception& e) {
    // A recipe the experiment's checks let through but the evaluator refuses.
    result.metrics.status = recipe::CandidateStatus::failed;
    result.metrics.message = e.what();
  }
  result.metrics.seed = task.seed;
  return result;
}

}  // namespace lathe::search
