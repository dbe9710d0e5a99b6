// What a worker does with a task: evaluate the candidate and write its artifact. The real
// runner compresses the experiment's base with the task's recipe; the protocol tests
// plug in a synthetic one.
#pragma once

#include "search/protocol.h"

namespace lathe::search {

class CandidateRunner {
 public:
  virtual ~CandidateRunner() = default;
  // Never throws for a bad candidate: failures come back as a status with a message.
  virtual TaskResult run(const Task& task) = 0;
};

}  // namespace lathe::search
