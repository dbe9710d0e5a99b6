#include "search/worker.h"

#include <unistd.h>

#include <climits>

namespace lathe::search {

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

void run_worker(WorkerTransport& transport, CandidateRunner& runner) {
  const std::string host = host_name();
  transport.send(ready_to_json({transport.rank(), host}));
  while (const std::optional<std::string> message = transport.receive()) {
    const Task task = task_from_json(*message);
    TaskResult result = runner.run(task);
    result.metrics.candidate_id = task.id;
    result.metrics.rank = transport.rank();
    result.metrics.host = host;
    transport.send(result_to_json(result));
  }
}

}  // namespace lathe::search
