// What `lathe campaign summarize` computes from a campaign's folder: per task, its search's
// front measured by one hypervolume, the smallest feasible model within each accuracy-drop
// limit, evaluations per hour and search time; per experiment (and base) and strategy, the
// mean and spread of those over the seeds whose tasks finished. Plain data, derived from
// the tasks' journals every time (summary_csv.h and summary_html.h write it out).
//
// The hypervolume is the one of bench/compare_fronts.py, whatever the experiment's
// objectives: the feasible evaluations as (stored size / base size, minimised; validation
// accuracy, maximised) with the reference point (1, base validation accuracy - d), d the
// campaign's summary.reference_accuracy_drop or else the experiment's max_accuracy_drop:
// the area a front claims inside the box of models smaller than the base and within d of
// its accuracy. Sizes relative to the base make tasks on different bases comparable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "campaign/campaign_file.h"
#include "campaign/task_state.h"
#include "search/evaluation_record.h"

namespace lathe::campaign {

// Mean, sample standard deviation (n - 1; 0 for one value), least and largest of
// `count` values; NaN for none.
struct Spread {
  int count = 0;
  double mean = 0.0;
  double deviation = 0.0;
  double min = 0.0;
  double max = 0.0;
};
Spread spread_of(const std::vector<double>& values);

// The hypervolume described above; 0 when no feasible evaluation lies inside the box.
double size_accuracy_hypervolume(const search::SearchOutcome& outcome, double reference_drop);

struct TaskSummary {
  CampaignTask task;
  TaskProgress progress;
  std::int64_t feasible = 0;
  std::int64_t base_size_bytes = 0;
  double base_validation_accuracy = 0.0;
  double reference_drop = 0.0;
  double hypervolume = 0.0;
  std::vector<std::int64_t> best_size_bytes;  // per summary.accuracy_drops; 0: none within it
  double wall_seconds = 0.0;                   // search time over all runs, to its last result
  double evaluations_per_hour = 0.0;           // 0 when no time passed
};

struct GroupSummary {
  std::string experiment;
  std::string base;  // "" for the experiment's own
  std::string strategy;
  int tasks = 0;
  int finished = 0;  // the spreads are over these
  double reference_drop = 0.0;
  Spread hypervolume;
  std::vector<Spread> best_size_bytes;  // per drop, over the finished tasks that found one
  Spread evaluations;
  Spread evaluations_per_hour;
  Spread wall_seconds;
  double wall_seconds_total = 0.0;
};

struct CampaignSummary {
  std::string name;
  std::string campaign_path;
  std::string campaign_yaml;
  std::vector<double> accuracy_drops;
  std::vector<TaskSummary> tasks;    // in task order
  std::vector<GroupSummary> groups;  // in the order of their first task
};

// Reads `folder`/campaign.yaml and every task folder under `folder` (so a campaign folder
// that was moved still summarises). A task's budget is the campaign's when it gives one.
CampaignSummary summarize_campaign(const std::string& folder);

}  // namespace lathe::campaign
