// The summary's chart for one experiment (and base), as inline SVG: the hypervolume of
// each strategy, one <circle class="strategy-point"> at the mean over its finished seeds,
// a whisker from the least to the largest, and a small <circle class="seed-point"> per
// seed. Strategies with no finished task have a label and no point.
#pragma once

#include <string>
#include <vector>

#include "campaign/campaign_summary.h"

namespace lathe::campaign {

// `groups`: one experiment's (and base's) strategies, in campaign order; `tasks`: the
// campaign's tasks (the seeds' points come from the finished ones among them).
std::string render_hypervolume_plot(const std::vector<const GroupSummary*>& groups,
                                    const std::vector<TaskSummary>& tasks);

}  // namespace lathe::campaign
