// The training states a worker keeps for promotions (successive_halving, asha): the most
// recent `capacity`, each continued at most once. The coordinator sends a promotion to the
// worker that keeps its parent's state when it can; a promotion whose state is not here
// runs its recipe from the start, to the same numbers, so evicting costs time only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <utility>

#include "recipe/evaluator.h"

namespace lathe::search {

class KeptStates {
 public:
  explicit KeptStates(std::size_t capacity) : capacity_(capacity) {}

  // Keeps `state` as candidate `id`'s, dropping the oldest beyond the capacity; false
  // (and nothing kept) with a capacity of 0.
  bool keep(std::int64_t id, std::unique_ptr<recipe::PausedCandidate> state);
  // Candidate `id`'s state, no longer kept here; null when none is.
  std::unique_ptr<recipe::PausedCandidate> take(std::int64_t id);
  // Drops candidate `id`'s state, if it is kept here (no candidate will continue it).
  void release(std::int64_t id) { (void)take(id); }
  [[nodiscard]] std::size_t size() const { return states_.size(); }

 private:
  std::size_t capacity_;
  std::deque<std::pair<std::int64_t, std::unique_ptr<recipe::PausedCandidate>>> states_;  // oldest first
};

}  // namespace lathe::search
