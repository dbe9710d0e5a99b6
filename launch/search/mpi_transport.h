// The MPI transport: rank 0 coordinates, ranks 1..N-1 are workers. The only file of Lathe
// that includes <mpi.h> is mpi_transport.cpp.
#pragma once

#include <memory>
#include <string>

#include "backend/device_choice.h"
#include "search/transport.h"

namespace lathe::search {

// True when this process was started by an MPI launcher (mpirun, srun), read from the
// launchers' environment variables; a plain `lathe search` never initialises MPI.
bool launched_by_mpi();

// MPI_Init_thread on construction, MPI_Finalize on destruction.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  // The node-local rank and the number of ranks on this node (a shared-memory split).
  [[nodiscard]] int local_rank() const { return local_rank_; }
  [[nodiscard]] int local_size() const { return local_size_; }
  // Worker ranks on this node (the node's ranks, less the coordinator if it runs here).
  [[nodiscard]] int local_workers() const { return local_workers_; }
  // A worker rank's place among its node's workers: the GPU it takes (device_choice.h).
  [[nodiscard]] NodeWorkerSlot worker_slot() const {
    return node_worker_slot(local_rank_, local_size_, local_workers_ < local_size_);
  }
  // Rank 0's `value` on every rank (a collective: every rank calls it once).
  [[nodiscard]] int broadcast_from_coordinator(int value) const;
  // Ends every rank of the job (a worker that cannot go on must not leave the others waiting).
  [[noreturn]] static void abort_job(int code);

 private:
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  int local_size_ = 1;
  int local_workers_ = 0;
};

std::unique_ptr<CoordinatorTransport> make_mpi_coordinator_transport(const MpiSession& session);
std::unique_ptr<WorkerTransport> make_mpi_worker_transport(const MpiSession& session);

}  // namespace lathe::search
