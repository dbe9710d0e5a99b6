#include "campaign/campaign_summary.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <tuple>

#include "campaign/campaign_folder.h"
#include "core/error.h"
#include "search/report_selection.h"
#include "search/search_outcome.h"
#include "search/search_output.h"
#include "strategies/hypervolume.h"

namespace lathe::campaign {
namespace {

namespace fs = std::filesystem;

TaskSummary summarize_task(const Campaign& campaign, const CampaignTask& task, const std::string& folder) {
  TaskSummary summary;
  summary.task = task;
  summary.best_size_bytes.assign(campaign.file.summary.accuracy_drops.size(), 0);
  if (!fs::exists(search::search_paths(folder).journal)) return summary;
  search::StoredSearch stored = search::read_stored_search(folder);
  if (campaign.budget_given) stored.experiment.file.budget = campaign.file.budget;
  summary.progress = task_progress(stored.experiment, stored.history);
  const search::SearchOutcome outcome = search::build_outcome(stored.experiment, stored.history);
  const double own_drop = stored.experiment.file.constraints.max_accuracy_drop;
  summary.reference_drop =
      campaign.file.summary.reference_accuracy_drop >= 0.0 ? campaign.file.summary.reference_accuracy_drop : own_drop;
  LATHE_CHECK(summary.reference_drop >= 0.0, campaign.path, ": summary.reference_accuracy_drop: task ", task.name,
              " has no constraints.max_accuracy_drop, so the hypervolume's reference point needs this; expected a "
              "number in [0, 1], got none");
  summary.base_size_bytes = outcome.base.size_bytes;
  summary.base_validation_accuracy = outcome.base.validation_accuracy;
  summary.feasible = std::count_if(outcome.evaluations.begin(), outcome.evaluations.end(),
                                   [](const search::EvaluationRecord& r) { return r.feasible; });
  summary.hypervolume = size_accuracy_hypervolume(outcome, summary.reference_drop);
  for (std::size_t d = 0; d < campaign.file.summary.accuracy_drops.size(); ++d) {
    const search::EvaluationRecord* best =
        search::smallest_feasible_within_drop(outcome, campaign.file.summary.accuracy_drops[d]);
    if (best != nullptr) summary.best_size_bytes[d] = best->metrics.size_bytes;
  }
  summary.wall_seconds = outcome.elapsed_seconds;
  if (summary.wall_seconds > 0.0) {
    summary.evaluations_per_hour = 3600.0 * static_cast<double>(summary.progress.results) / summary.wall_seconds;
  }
  return summary;
}

GroupSummary summarize_group(const std::vector<const TaskSummary*>& members, std::size_t drops) {
  GroupSummary group;
  const CampaignTask& first = members.front()->task;
  group.experiment = first.experiment_label;
  group.base = first.base_label;
  group.strategy = first.strategy_label;
  group.tasks = static_cast<int>(members.size());
  std::vector<double> hypervolumes, evaluations, per_hour, seconds;
  std::vector<std::vector<double>> best(drops);
  for (const TaskSummary* task : members) {
    if (task->progress.state != TaskState::finished) continue;
    ++group.finished;
    group.reference_drop = task->reference_drop;
    hypervolumes.push_back(task->hypervolume);
    evaluations.push_back(static_cast<double>(task->progress.results));
    per_hour.push_back(task->evaluations_per_hour);
    seconds.push_back(task->wall_seconds);
    group.wall_seconds_total += task->wall_seconds;
    for (std::size_t d = 0; d < drops; ++d) {
      if (task->best_size_bytes[d] > 0) best[d].push_back(static_cast<double>(task->best_size_bytes[d]));
    }
  }
  group.hypervolume = spread_of(hypervolumes);
  group.evaluations = spread_of(evaluations);
  group.evaluations_per_hour = spread_of(per_hour);
  group.wall_seconds = spread_of(seconds);
  for (const std::vector<double>& sizes : best) group.best_size_bytes.push_back(spread_of(sizes));
  return group;
}

}  // namespace

Spread spread_of(const std::vector<double>& values) {
  Spread spread;
  spread.count = static_cast<int>(values.size());
  if (values.empty()) {
    spread.mean = spread.deviation = spread.min = spread.max = std::nan("");
    return spread;
  }
  double sum = 0.0;
  for (const double v : values) sum += v;
  spread.mean = sum / static_cast<double>(values.size());
  double squares = 0.0;
  for (const double v : values) squares += (v - spread.mean) * (v - spread.mean);
  spread.deviation = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
  spread.min = *std::min_element(values.begin(), values.end());
  spread.max = *std::max_element(values.begin(), values.end());
  return spread;
}

double size_accuracy_hypervolume(const search::SearchOutcome& outcome, double reference_drop) {
  const double base_size = static_cast<double>(outcome.base.size_bytes);
  const double base_accuracy = outcome.base.validation_accuracy;
  if (!(base_size > 0.0) || !std::isfinite(base_accuracy)) return 0.0;
  // Minimised both: relative size, and accuracy negated.
  std::vector<std::vector<double>> points;
  for (const search::EvaluationRecord& record : outcome.evaluations) {
    if (!record.feasible) continue;
    points.push_back({static_cast<double>(record.metrics.size_bytes) / base_size, -record.metrics.validation_accuracy});
  }
  return search::hypervolume(points, {1.0, -(base_accuracy - reference_drop)});
}

CampaignSummary summarize_campaign(const std::string& folder) {
  const CampaignPaths paths = campaign_paths(folder);
  LATHE_CHECK(fs::exists(paths.campaign), folder, ": no campaign.yaml here (expected a campaign's folder)");
  const Campaign campaign = load_campaign(paths.campaign, Reading::matrix_only);
  CampaignSummary summary;
  summary.name = campaign.file.name;
  summary.campaign_path = paths.campaign;
  summary.campaign_yaml = campaign.yaml_text;
  summary.accuracy_drops = campaign.file.summary.accuracy_drops;
  for (const CampaignTask& task : campaign.tasks) {
    summary.tasks.push_back(summarize_task(campaign, task, (fs::path(folder) / task.name).string()));
  }
  std::vector<std::tuple<std::string, std::string, std::string>> order;
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<const TaskSummary*>> members;
  for (const TaskSummary& task : summary.tasks) {
    const auto key = std::make_tuple(task.task.experiment_label, task.task.base_label, task.task.strategy_label);
    if (!members.contains(key)) order.push_back(key);
    members[key].push_back(&task);
  }
  for (const auto& key : order) summary.groups.push_back(summarize_group(members[key], summary.accuracy_drops.size()));
  return summary;
}

}  // namespace lathe::campaign
