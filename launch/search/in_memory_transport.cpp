#include "search/in_memory_transport.h"

#include "core/error.h"

namespace lathe::search {

class InMemoryNetwork::CoordinatorEnd final : public CoordinatorTransport {
 public:
  explicit CoordinatorEnd(InMemoryNetwork& network) : network_(network) {}
  [[nodiscard]] int worker_count() const override {
    return static_cast<int>(network_.to_workers_.size());
  }
  void send(int worker, const std::string& payload) override {
    LATHE_CHECK(worker >= 1 && worker <= worker_count(), "in-memory transport: no worker ", worker);
    {
      std::lock_guard lock(network_.mutex_);
      network_.to_workers_[static_cast<std::size_t>(worker - 1)].messages.push_back(payload);
    }
    network_.changed_.notify_all();
  }
  std::optional<WorkerMessage> receive(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(network_.mutex_);
    if (!network_.changed_.wait_for(lock, timeout, [&] { return !network_.to_coordinator_.empty(); })) {
      return std::nullopt;
    }
    WorkerMessage message = std::move(network_.to_coordinator_.front());
    network_.to_coordinator_.pop_front();
    return message;
  }
  void stop_workers() override {
    {
      std::lock_guard lock(network_.mutex_);
      for (Mailbox& box : network_.to_workers_) box.stopped = true;
    }
    network_.changed_.notify_all();
  }

 private:
  InMemoryNetwork& network_;
};

class InMemoryNetwork::WorkerEnd final : public WorkerTransport {
 public:
  WorkerEnd(InMemoryNetwork& network, int rank) : network_(network), rank_(rank) {}
  [[nodiscard]] int rank() const override { return rank_; }
  std::optional<std::string> receive() override {
    std::unique_lock lock(network_.mutex_);
    Mailbox& box = network_.to_workers_[static_cast<std::size_t>(rank_ - 1)];
    network_.changed_.wait(lock, [&] { return !box.messages.empty() || box.stopped; });
    if (box.messages.empty()) return std::nullopt;  // stopped, nothing left to do
    std::string message = std::move(box.messages.front());
    box.messages.pop_front();
    return message;
  }
  void send(const std::string& payload) override {
    {
      std::lock_guard lock(network_.mutex_);
      network_.to_coordinator_.push_back({rank_, payload});
    }
    network_.changed_.notify_all();
  }

 private:
  InMemoryNetwork& network_;
  int rank_;
};

InMemoryNetwork::InMemoryNetwork(int workers)
    : to_workers_(static_cast<std::size_t>(workers)),
      coordinator_(std::make_unique<CoordinatorEnd>(*this)) {
  LATHE_CHECK(workers >= 1, "in-memory transport: expected at least one worker, got ", workers);
  for (int rank = 1; rank <= workers; ++rank) workers_.push_back(std::make_unique<WorkerEnd>(*this, rank));
}

InMemoryNetwork::~InMemoryNetwork() = default;

CoordinatorTransport& InMemoryNetwork::coordinator() { return *coordinator_; }

WorkerTransport& InMemoryNetwork::worker(int rank) {
  LATHE_CHECK(rank >= 1 && rank <= static_cast<int>(workers_.size()), "in-memory transport: no worker ", rank);
  return *workers_[static_cast<std::size_t>(rank - 1)];
}

}  // namespace lathe::search
