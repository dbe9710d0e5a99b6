#include "campaign/task_state.h"

#include <algorithm>
#include <filesystem>

#include "search/search_output.h"
#include "strategies/grid_strategy.h"

namespace lathe::campaign {
namespace {

// Candidates the search will ask before it ends: the budget's evaluations, or fewer when
// a grid (after its sensitivity seeds) ends first; 0 when only wall time bounds it.
std::int64_t planned_evaluations(const search::Experiment& experiment) {
  const search::ExperimentFile& file = experiment.file;
  std::int64_t planned = file.budget.evaluations;
  if (file.strategy.name == "grid") {
    const search::GridStrategy grid(experiment.space.space(), search::strategy_settings(experiment));
    const std::int64_t grid_end = grid.grid_size() + file.strategy.sensitivity_seeds;
    planned = planned > 0 ? std::min(planned, grid_end) : grid_end;
  }
  return planned;
}

}  // namespace

const char* task_state_name(TaskState state) {
  switch (state) {
    case TaskState::not_started:
      return "not started";
    case TaskState::started:
      return "started";
    case TaskState::finished:
      return "finished";
  }
  return "?";
}

TaskProgress task_progress(const search::Experiment& experiment, const search::SearchHistory& history) {
  TaskProgress progress;
  progress.state = TaskState::started;
  progress.results = static_cast<std::int64_t>(history.results.size());
  progress.planned = planned_evaluations(experiment);
  const bool none_in_flight = std::all_of(history.asked.begin(), history.asked.end(),
                                          [&](const auto& asked) { return history.results.contains(asked.first); });
  const double wall_minutes = experiment.file.budget.wall_minutes;
  const bool spent = (progress.planned > 0 && progress.results >= progress.planned) ||
                     (wall_minutes > 0.0 && history.elapsed_seconds >= 60.0 * wall_minutes);
  if (history.base && none_in_flight && spent) progress.state = TaskState::finished;
  return progress;
}

TaskProgress read_task_progress(const search::Experiment& experiment) {
  const search::SearchPaths paths = search::search_paths(experiment.file.output);
  if (!std::filesystem::exists(paths.journal)) return {};
  return task_progress(experiment, search::read_search_history(paths.journal));
}

}  // namespace lathe::campaign
