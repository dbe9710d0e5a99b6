// The top of report.html: the header (what was searched, how far it got, the base it
// compresses) and the smallest feasible model under each accuracy-drop limit.
#pragma once

#include <string>

#include "search/evaluation_record.h"

namespace lathe::search {

std::string render_report_header(const SearchOutcome& outcome);
std::string render_best_per_limit(const SearchOutcome& outcome);

}  // namespace lathe::search
