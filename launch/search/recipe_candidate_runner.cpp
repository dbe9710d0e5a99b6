#include "search/recipe_candidate_runner.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "backend/backend_factory.h"
#include "common/checkpoint_data.h"
#include "common/provenance.h"
#include "io/checkpoint_file.h"
#include "nn/model_checkpoint.h"
#include "recipe/evaluator.h"
#include "recipe/paused_state_file.h"
#include "recipe/recipe.h"

namespace lathe::search {

RecipeCandidateRunner::RecipeCandidateRunner(const RunnerSettings& settings)
    : settings_(settings),
      base_(io::read_checkpoint(settings.base_path)),
      data_(launch::load_checkpoint_data(
          base_, settings.base_path,
          settings.data_path.empty() ? std::nullopt : std::optional<std::string>(settings.data_path))),
      // The thread count belongs to this backend (one worker, one share of the node).
      backend_(make_backend(settings.device, settings.threads, /*deterministic=*/true, nullptr, settings.gpu_slot)),
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

namespace {

std::string paused_state_name(std::int64_t id) {
  char name[64];
  std::snprintf(name, sizeof name, "paused/candidate-%06lld.h5", static_cast<long long>(id));
  return name;
}

}  // namespace

std::unique_ptr<recipe::PausedCandidate> RecipeCandidateRunner::saved_state(
    const Task& task, const recipe::Recipe& recipe, const io::Checkpoint& start, const std::string& start_path,
    const recipe::EvaluatorOptions& options) {
  if (task.paused_state.empty()) return nullptr;
  const std::string path = (std::filesystem::path(settings_.output_dir) / task.paused_state).string();
  try {
    std::unique_ptr<recipe::PausedCandidate> paused =
        recipe::read_paused_state(path, start, start_path, recipe, data_, *backend_, options);
    std::string where;
    if (paused->in_finetune) {
      where = ", after epoch " + std::to_string(paused->in_finetune->epochs_done);
      if (const auto& partial = paused->in_finetune->partial_epoch) {
        where += " and step " + std::to_string(partial->steps) + " of epoch " +
                 std::to_string(paused->in_finetune->epochs_done + 1);
      }
    }
    std::fprintf(stderr, "lathe: candidate %lld continues from its saved state %s (step %zu of %zu%s)\n",
                 static_cast<long long>(task.id), task.paused_state.c_str(), paused->next_step + 1,
                 recipe.steps.size(), where.c_str());
    return paused;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lathe: candidate %lld: its saved state cannot be used (%s): running it from the start\n",
                 static_cast<long long>(task.id), e.what());
    return nullptr;
  }
}

std::string RecipeCandidateRunner::save_state(const Task& task, recipe::PausedCandidate& paused,
                                              const recipe::Recipe& recipe) {
  const std::string name = paused_state_name(task.id);
  const std::filesystem::path path = std::filesystem::path(settings_.output_dir) / name;
  try {
    std::filesystem::create_directories(path.parent_path());
    recipe::write_paused_state(path.string(), paused, recipe);  // atomic: temp file and rename
    return name;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lathe: candidate %lld: cannot save its state (%s): it will run again from the start\n",
                 static_cast<long long>(task.id), e.what());
    return "";
  }
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
  options.stop = settings_.stop;
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
    std::unique_ptr<recipe::PausedCandidate> saved = saved_state(task, recipe, start, start_path, options);
    if (task.keep_state || task.continues >= 0 || options.stop != nullptr || saved) {
      // A multi-fidelity candidate: continue the parent's kept state when this worker has
      // it (else the whole recipe runs), and keep this one's for its own promotion. A
      // candidate a stop paused continues its saved state instead.
      std::unique_ptr<recipe::PausedCandidate> parent =
          saved ? std::move(saved) : task.continues >= 0 ? kept_.take(task.continues) : nullptr;
      if (options.log && task.continues >= 0 && task.paused_state.empty()) {
        options.log(parent ? "continuing the kept state of candidate " + std::to_string(task.continues)
                           : "no kept state of candidate " + std::to_string(task.continues) +
                                 " here: running the whole recipe");
      }
      recipe::ResumableOutcome resumable = recipe::compress_measure_and_keep(
          start, start_path, recipe, data_, *backend_, options, std::move(parent));
      outcome = std::move(resumable.outcome);
      if (resumable.stopped) {
        result.paused = true;
        if (resumable.paused) result.paused_state = save_state(task, *resumable.paused, recipe);
        result.metrics.message = outcome.metrics.message;
        result.metrics.seed = task.seed;
        return result;
      }
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
