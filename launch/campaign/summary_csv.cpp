#include "campaign/summary_csv.h"

#include <cmath>

#include "search/csv_text.h"
#include "strategies/number_text.h"

namespace lathe::campaign {
namespace {

using search::csv_number;
using search::csv_text;
using search::CsvLine;

std::string size_or_none(std::int64_t bytes) { return bytes > 0 ? std::to_string(bytes) : ""; }

void add_spread(CsvLine& line, const Spread& spread) {
  line << csv_number(spread.mean) << csv_number(spread.deviation) << csv_number(spread.min)
       << csv_number(spread.max);
}

void add_spread_header(CsvLine& line, const std::string& name) {
  line << name + "_mean" << name + "_deviation" << name + "_min" << name + "_max";
}

}  // namespace

std::string best_size_column(double drop) { return "best_size_bytes_drop_" + search::exact_number(drop); }

std::string summary_csv(const CampaignSummary& summary) {
  CsvLine header;
  header << "campaign" << "experiment" << "base" << "strategy" << "tasks" << "finished" << "reference_accuracy_drop";
  add_spread_header(header, "hypervolume");
  for (const double drop : summary.accuracy_drops) {
    const std::string column = best_size_column(drop);
    header << column + "_mean" << column + "_min" << column + "_max" << column + "_found";
  }
  header << "evaluations_mean" << "evaluations_per_hour_mean" << "wall_seconds_mean" << "wall_seconds_total";
  std::string csv = header.text();
  for (const GroupSummary& group : summary.groups) {
    CsvLine row;
    row << csv_text(summary.name) << csv_text(group.experiment) << csv_text(group.base) << csv_text(group.strategy)
        << std::to_string(group.tasks) << std::to_string(group.finished)
        << (group.finished > 0 ? csv_number(group.reference_drop) : "");
    add_spread(row, group.hypervolume);
    for (const Spread& best : group.best_size_bytes) {
      row << csv_number(best.mean) << csv_number(best.min) << csv_number(best.max) << std::to_string(best.count);
    }
    row << csv_number(group.evaluations.mean) << csv_number(group.evaluations_per_hour.mean)
        << csv_number(group.wall_seconds.mean) << csv_number(group.wall_seconds_total);
    csv += row.text();
  }
  return csv;
}

std::string tasks_csv(const CampaignSummary& summary) {
  CsvLine header;
  header << "index" << "task" << "experiment" << "base" << "strategy" << "seed" << "state" << "evaluations"
         << "planned" << "feasible" << "base_size_bytes" << "base_validation_accuracy" << "reference_accuracy_drop"
         << "hypervolume";
  for (const double drop : summary.accuracy_drops) header << best_size_column(drop);
  header << "wall_seconds" << "evaluations_per_hour";
  std::string csv = header.text();
  for (const TaskSummary& task : summary.tasks) {
    const bool started = task.progress.state != TaskState::not_started;
    CsvLine row;
    row << std::to_string(task.task.index) << csv_text(task.task.name) << csv_text(task.task.experiment_label)
        << csv_text(task.task.base_label) << csv_text(task.task.strategy_label) << std::to_string(task.task.seed)
        << task_state_name(task.progress.state) << std::to_string(task.progress.results)
        << (started ? std::to_string(task.progress.planned) : "") << std::to_string(task.feasible)
        << (started ? std::to_string(task.base_size_bytes) : "")
        << (started ? csv_number(task.base_validation_accuracy) : "")
        << (started ? csv_number(task.reference_drop) : "") << (started ? csv_number(task.hypervolume) : "");
    for (const std::int64_t bytes : task.best_size_bytes) row << size_or_none(bytes);
    row << (started ? csv_number(task.wall_seconds) : "") << (started ? csv_number(task.evaluations_per_hour) : "");
    csv += row.text();
  }
  return csv;
}

}  // namespace lathe::campaign
