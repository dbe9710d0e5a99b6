// A campaign's folder:
//   campaign.yaml        the campaign as last run (`lathe campaign summarize` reads it)
//   <task name>/         each task's search output folder (journal, results.h5, report.html, ...)
//   summary.csv          per experiment (and base) and strategy, over seeds
//   tasks.csv            one row per task
//   summary.html         the self-contained summary page
//   slurm/               the batch scripts submitted, their campaign snapshots, jobs.txt, the job logs
//   locks/               a lock file per task (held while its search runs) and one for preparing bases
#pragma once

#include <string>

#include "campaign/campaign_file.h"

namespace lathe::campaign {

struct CampaignPaths {
  std::string folder;
  std::string campaign;
  std::string summary_csv;
  std::string tasks_csv;
  std::string summary_html;
  std::string slurm;
  std::string locks;
};

CampaignPaths campaign_paths(const std::string& folder);

// Creates the campaign's folder (or checks that it is this campaign's: a folder holding
// files but no campaign.yaml, or another campaign's, is refused and left untouched) and
// writes the campaign file into it.
void open_campaign_folder(const Campaign& campaign);

// The lock files: one per task, one for preparing (training, probing) a base.
std::string task_lock_path(const Campaign& campaign, const CampaignTask& task);
std::string prepare_lock_path(const Campaign& campaign);

}  // namespace lathe::campaign
