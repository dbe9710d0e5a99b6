// A search that starts from an earlier search's result (`base_search: FOLDER`): pruning
// in one search, then quantisation in the next. Its base is the earlier search's smallest
// feasible model, and its constraints and size ratios stay measured against the earlier
// search's own base, so "within half a point of the base" and "40x smaller" keep meaning
// the model the pipeline began with.
#pragma once

#include <cstdint>
#include <string>

#include "recipe/metrics.h"
#include "search/experiment.h"

namespace lathe::search {

struct EarlierSearchModel {
  std::string checkpoint;              // the chosen candidate's artifact
  std::int64_t candidate_id = -1;
  recipe::CandidateMetrics metrics;    // the chosen candidate's, as that search measured them
  recipe::CandidateMetrics reference;  // that search's base (its reference, if it had one)
};

// The smallest feasible model (ties: the higher validation accuracy, then the lower id)
// among the evaluations journaled in `folder` whose artifact exists. A folder that holds
// no search, a search whose base was never measured, or one without such a model throws
// lathe::Error naming `source` (the experiment file) and the folder.
EarlierSearchModel smallest_feasible_model(const std::string& folder, const std::string& source);

// With base_search given: sets experiment.file.base to that model and experiment.reference
// to the earlier search's base. Does nothing otherwise.
void resolve_base_search(Experiment& experiment);

}  // namespace lathe::search
