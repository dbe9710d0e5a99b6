// The report's main chart, as inline SVG: every completed evaluation by stored size (log
// x) and validation accuracy (y). Feasible ones are <circle class="point"> (the Pareto
// front's also class "front", joined by a step line), infeasible ones grey crosses, the
// base a labelled diamond, the experiment's size and accuracy limits dashed lines. Each
// mark links to its table row (#eval-ID) and has a tooltip.
#pragma once

#include <string>

#include "search/evaluation_record.h"

namespace lathe::search {

std::string render_pareto_plot(const SearchOutcome& outcome);

}  // namespace lathe::search
