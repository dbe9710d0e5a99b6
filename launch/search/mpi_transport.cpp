#include "search/mpi_transport.h"

#include <mpi.h>

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <vector>

#include "core/error.h"

namespace lathe::search {
namespace {

constexpr int kPayloadTag = 1;
constexpr int kStopTag = 2;

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  fail("MPI: ", what, " failed: ", std::string(text, static_cast<std::size_t>(length)));
}

// A blocking MPI_Recv spins inside Open MPI and would take a worker's core, so waiting is
// MPI_Iprobe with sleeps that grow by a quarter each time, from 10 us to 2 ms: a message
// is seen at most a quarter of the time already waited after it came (doubling would let
// a worker oversleep the coordinator's answer by as long as it took), and a rank that
// waits for minutes wakes 500 times a second, about 1% of a core (docs/benchmarks.md).
class Backoff {
 public:
  void wait() {
    std::this_thread::sleep_for(std::chrono::microseconds(sleep_us_));
    sleep_us_ = std::min(sleep_us_ + std::max(sleep_us_ / 4, 1), 2000);
  }

 private:
  int sleep_us_ = 10;
};

std::string receive_probed(const MPI_Status& status) {
  int bytes = 0;
  check(MPI_Get_count(&status, MPI_CHAR, &bytes), "MPI_Get_count");
  std::string payload(static_cast<std::size_t>(bytes), '\0');
  check(MPI_Recv(payload.data(), bytes, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE),
        "MPI_Recv");
  return payload;
}

void send_payload(int rank, int tag, const std::string& payload) {
  check(MPI_Send(payload.data(), static_cast<int>(payload.size()), MPI_CHAR, rank, tag, MPI_COMM_WORLD),
        "MPI_Send");
}

class MpiCoordinator final : public CoordinatorTransport {
 public:
  explicit MpiCoordinator(int size) : size_(size) {}
  [[nodiscard]] int worker_count() const override { return size_ - 1; }
  void send(int worker, const std::string& payload) override { send_payload(worker, kPayloadTag, payload); }
  std::optional<WorkerMessage> receive(std::chrono::milliseconds timeout) override {
    const auto until = std::chrono::steady_clock::now() + timeout;
    Backoff backoff;
    while (true) {
      int arrived = 0;
      MPI_Status status;
      check(MPI_Iprobe(MPI_ANY_SOURCE, kPayloadTag, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
      if (arrived) return WorkerMessage{status.MPI_SOURCE, receive_probed(status)};
      if (std::chrono::steady_clock::now() >= until) return std::nullopt;
      backoff.wait();
    }
  }
  void stop_workers() override {
    for (int rank = 1; rank < size_; ++rank) send_payload(rank, kStopTag, "");
  }

 private:
  int size_;
};

class MpiWorker final : public WorkerTransport {
 public:
  explicit MpiWorker(int rank) : rank_(rank) {}
  [[nodiscard]] int rank() const override { return rank_; }
  std::optional<std::string> receive() override {
    Backoff backoff;
    while (true) {
      int arrived = 0;
      MPI_Status status;
      check(MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
      if (arrived) {
        std::string payload = receive_probed(status);
        if (status.MPI_TAG == kStopTag) return std::nullopt;
        return payload;
      }
      backoff.wait();
    }
  }
  void send(const std::string& payload) override { send_payload(0, kPayloadTag, payload); }

 private:
  int rank_;
};

}  // namespace

bool launched_by_mpi() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(variable) != nullptr) return true;
  }
  return false;
}

MpiSession::MpiSession() {
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
  MPI_Comm node;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node),
        "MPI_Comm_split_type");
  check(MPI_Comm_rank(node, &local_rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(node, &local_size_), "MPI_Comm_size");
  int coordinator_here = rank_ == 0 ? 1 : 0;
  check(MPI_Allreduce(MPI_IN_PLACE, &coordinator_here, 1, MPI_INT, MPI_MAX, node), "MPI_Allreduce");
  local_workers_ = local_size_ - coordinator_here;
  MPI_Comm_free(&node);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

int MpiSession::broadcast_from_coordinator(int value) const {
  check(MPI_Bcast(&value, 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Bcast");
  return value;
}

void MpiSession::abort_job(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

std::unique_ptr<CoordinatorTransport> make_mpi_coordinator_transport(const MpiSession& session) {
  return std::make_unique<MpiCoordinator>(session.size());
}

std::unique_ptr<WorkerTransport> make_mpi_worker_transport(const MpiSession& session) {
  return std::make_unique<MpiWorker>(session.rank());
}

}  // namespace lathe::search
