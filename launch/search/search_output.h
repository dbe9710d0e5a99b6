// A search's output folder:
//   journal.lathe     the append-only journal, the one source of truth (only the coordinator writes it)
//   experiment.yaml   the experiment as first run (`lathe report` and `lathe results` read it)
//   results.h5        every evaluation and the Pareto set, rewritten from the journal atomically
//   report.html       the self-contained report, rewritten likewise
//   artifacts/        candidate-NNNNNN.h5 of every feasible candidate (each loads in `lathe evaluate`)
#pragma once

#include <string>

#include "search/evaluation_record.h"
#include "search/experiment.h"
#include "search/search_history.h"

namespace lathe::search {

struct SearchPaths {
  std::string folder;
  std::string journal;
  std::string experiment;
  std::string results;
  std::string report;
};

SearchPaths search_paths(const std::string& folder);

// The history of `experiment`'s search in its output folder: empty for a new one (the
// folder is created, the experiment copied in and the journal started), or what the
// journal holds. A folder holding another experiment's journal, or files but no journal,
// is refused (lathe::Error), and nothing in it is touched.
SearchHistory open_search_output(const Experiment& experiment);

// The experiment copy and the journal of an existing output folder, as `lathe report` and
// `lathe results` read them.
struct StoredSearch {
  Experiment experiment;
  SearchHistory history;
};
StoredSearch read_stored_search(const std::string& folder);

// results.h5 and report.html from `outcome`, each written atomically.
void publish_outcome(const SearchPaths& paths, const SearchOutcome& outcome);

}  // namespace lathe::search
