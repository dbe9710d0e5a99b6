// The evaluations table of report.html: one <tr id="eval-ID"> per evaluation, in id
// order, with its status, feasibility, one column per objective, metrics and provenance,
// and its point and recipe folded into a <details>. Every text is HTML-escaped; numeric cells carry
// their raw value in data-v for sorting.
#pragma once

#include <string>

#include "search/evaluation_record.h"

namespace lathe::search {

std::string render_evaluation_table(const SearchOutcome& outcome);

}  // namespace lathe::search
