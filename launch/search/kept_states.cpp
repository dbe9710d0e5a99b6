#include "search/kept_states.h"

#include <algorithm>

namespace lathe::search {

bool KeptStates::keep(std::int64_t id, std::unique_ptr<recipe::PausedCandidate> state) {
  if (capacity_ == 0 || state == nullptr) return false;
  while (states_.size() >= capacity_) states_.pop_front();
  states_.emplace_back(id, std::move(state));
  return true;
}

std::unique_ptr<recipe::PausedCandidate> KeptStates::take(std::int64_t id) {
  const auto found = std::find_if(states_.begin(), states_.end(), [&](const auto& entry) { return entry.first == id; });
  if (found == states_.end()) return nullptr;
  std::unique_ptr<recipe::PausedCandidate> state = std::move(found->second);
  states_.erase(found);
  return state;
}

}  // namespace lathe::search
