// The report's progress chart, as inline SVG: two panels against search time
// (finished_seconds), the smallest feasible stored size so far (log scale; feasible
// includes the experiment's accuracy limit) and the number of feasible evaluations so far.
#pragma once

#include <string>

#include "search/evaluation_record.h"

namespace lathe::search {

std::string render_progress_plot(const SearchOutcome& outcome);

}  // namespace lathe::search
