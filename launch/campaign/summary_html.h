// summary.html: a campaign summary as ONE self-contained page in the style of a search's
// report.html (its stylesheet, inline SVG, nothing fetched): per experiment (and base) the
// hypervolume of each strategy as a chart and a table (mean, spread over seeds, the best
// size within each accuracy-drop limit, evaluations per hour, search time), then every
// task with a link to its own report, then the campaign file.
#pragma once

#include <string>

#include "campaign/campaign_summary.h"

namespace lathe::campaign {

std::string render_summary_html(const CampaignSummary& summary);

}  // namespace lathe::campaign
