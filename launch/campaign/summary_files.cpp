#include "campaign/summary_files.h"

#include "campaign/campaign_folder.h"
#include "campaign/summary_csv.h"
#include "campaign/summary_html.h"
#include "search/atomic_text_file.h"

namespace lathe::campaign {

CampaignSummary write_summary_files(const std::string& folder) {
  const CampaignSummary summary = summarize_campaign(folder);
  const CampaignPaths paths = campaign_paths(folder);
  search::write_text_file_atomically(paths.summary_csv, summary_csv(summary), "summary");
  search::write_text_file_atomically(paths.tasks_csv, tasks_csv(summary), "task table");
  search::write_text_file_atomically(paths.summary_html, render_summary_html(summary), "summary page");
  return summary;
}

}  // namespace lathe::campaign
