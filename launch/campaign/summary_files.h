// Writes a campaign folder's summary: summary.csv, tasks.csv and summary.html, each
// atomically (a reader sees the old file or the new one), all derived from the tasks'
// journals, so writing it again gives the same files.
#pragma once

#include <string>

#include "campaign/campaign_summary.h"

namespace lathe::campaign {

CampaignSummary write_summary_files(const std::string& folder);

}  // namespace lathe::campaign
