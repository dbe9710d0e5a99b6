// A task's experiment: the campaign's experiment file with `name`, `seed`, `output` and
// `strategy` replaced (and `budget`, `base`, `train` when the campaign gives them). The
// text keeps the file's lines where they were: each replaced top-level key is commented
// out in place ("#~ ") and its new value appended, so a message naming a line of the
// experiment file still points at that line. The search copies this text into the task's
// folder as its experiment.yaml.
#pragma once

#include <string>

#include "campaign/campaign_file.h"
#include "search/experiment.h"

namespace lathe::campaign {

// Needs the campaign read with Reading::experiments.
std::string task_experiment_text(const Campaign& campaign, const CampaignTask& task);
// The same, parsed and checked (messages name the experiment file).
search::Experiment task_experiment(const Campaign& campaign, const CampaignTask& task);

}  // namespace lathe::campaign
