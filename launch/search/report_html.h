// report.html: a search's results as ONE self-contained page (inline CSS and SVG, a few
// lines of optional script; nothing fetched from anywhere), readable offline and
// attachable to a ticket. Sections: the header, the Pareto front chart, the best model
// per accuracy limit, progress over time, the table of evaluations and the experiment
// file itself.
#pragma once

#include <string>

#include "search/evaluation_record.h"

namespace lathe::search {

std::string render_report_html(const SearchOutcome& outcome);

// Writes render_report_html(outcome) to `path` atomically: to "<path>.tmp", synced to
// disk, then renamed over `path`, so a reader sees the old report or the new one and a
// failed write leaves an existing report as it was. Throws lathe::Error naming `path`.
void write_report_html(const std::string& path, const SearchOutcome& outcome);

}  // namespace lathe::search
