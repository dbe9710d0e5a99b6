// The transport between a coordinator and workers that are threads of one process: what
// `lathe search` uses without mpirun (one worker), and what the protocol tests use with
// many workers.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "search/transport.h"

namespace lathe::search {

class InMemoryNetwork {
 public:
  explicit InMemoryNetwork(int workers);
  ~InMemoryNetwork();
  InMemoryNetwork(const InMemoryNetwork&) = delete;
  InMemoryNetwork& operator=(const InMemoryNetwork&) = delete;

  // The coordinator's end, and worker `rank`'s end (1..workers); they stay owned by the
  // network, which must outlive their users.
  CoordinatorTransport& coordinator();
  WorkerTransport& worker(int rank);

 private:
  class CoordinatorEnd;
  class WorkerEnd;
  struct Mailbox {
    std::deque<std::string> messages;
    bool stopped = false;
  };

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<WorkerMessage> to_coordinator_;
  std::vector<Mailbox> to_workers_;  // index = rank - 1
  std::unique_ptr<CoordinatorEnd> coordinator_;
  std::vector<std::unique_ptr<WorkerEnd>> workers_;
};

}  // namespace lathe::search
