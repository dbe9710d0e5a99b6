// A campaign summary as CSV, for scripts: summary.csv, one row per experiment (and base)
// and strategy with the mean, deviation, least and largest over the finished seeds; and
// tasks.csv, one row per task. Numbers are exact (shortest spelling that reads back the
// same double), "" where there is nothing (no finished task, none within a limit). The
// timings are the columns named wall_seconds* and evaluations_per_hour*: every other
// column is the same when the same campaign runs again.
#pragma once

#include <string>

#include "campaign/campaign_summary.h"

namespace lathe::campaign {

std::string summary_csv(const CampaignSummary& summary);
std::string tasks_csv(const CampaignSummary& summary);

// "0.005" -> "best_size_bytes_drop_0.005": the column of the smallest feasible model
// within that accuracy drop.
std::string best_size_column(double drop);

}  // namespace lathe::campaign
