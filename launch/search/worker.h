// A worker's loop: announce itself, then run each task the coordinator sends and answer
// with its result, until the coordinator stops the workers.
#pragma once

#include "search/candidate_runner.h"
#include "search/transport.h"

namespace lathe::search {

// The host name, for provenance.
std::string host_name();

void run_worker(WorkerTransport& transport, CandidateRunner& runner);

}  // namespace lathe::search
