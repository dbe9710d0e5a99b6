// One search as `lathe search` runs it: alone (the coordinator and one worker thread) or,
// under mpirun / srun, as rank 0 (the coordinator) or a worker rank. `lathe campaign`
// runs its tasks through the same function, so a campaign's search is exactly a search.
#pragma once

#include <functional>

#include "search/experiment.h"

namespace lathe::cli {

struct SearchRun {
  // The coordinator's experiment, read and checked, the base trained and the space probed
  // (prepare_search); called once, before any worker starts work.
  std::function<search::Experiment()> prepare;
  // A worker rank's copy of the same experiment, only read.
  std::function<search::Experiment()> load;
  bool verbose = false;  // every candidate's own progress lines
};

// Runs the search to its end and returns the exit status: 0, or 128 + the signal when
// SIGTERM, SIGINT or SIGUSR1 stopped it (then the journal is synced and the same run
// continues it). Errors before any work are thrown as lathe::Error.
int run_search(const SearchRun& run);

}  // namespace lathe::cli
