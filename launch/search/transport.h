// How the coordinator and its workers talk: text payloads (one-line JSON, search/protocol.h)
// over a transport. The coordinator's logic sees only these interfaces, so the whole
// protocol is tested in one process over the in-memory transport; MPI lives in
// mpi_transport.cpp alone.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace lathe::search {

struct WorkerMessage {
  int worker = 0;  // 1..worker_count()
  std::string payload;
};

class CoordinatorTransport {
 public:
  virtual ~CoordinatorTransport() = default;
  // Workers are numbered 1..worker_count() (their MPI ranks).
  [[nodiscard]] virtual int worker_count() const = 0;
  virtual void send(int worker, const std::string& payload) = 0;
  // The next message from any worker, or nothing after `timeout`. Waits without spinning:
  // the coordinator shares a node with workers and must not take their cores.
  virtual std::optional<WorkerMessage> receive(std::chrono::milliseconds timeout) = 0;
  // No more work: every worker leaves its loop after its current candidate.
  virtual void stop_workers() = 0;
};

class WorkerTransport {
 public:
  virtual ~WorkerTransport() = default;
  [[nodiscard]] virtual int rank() const = 0;
  // The next payload from the coordinator, or nothing when the workers were stopped.
  virtual std::optional<std::string> receive() = 0;
  virtual void send(const std::string& payload) = 0;
};

}  // namespace lathe::search
