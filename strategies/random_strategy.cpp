#include "strategies/random_strategy.h"

#include "strategies/strategy_checks.h"

namespace lathe::search {

RandomStrategy::RandomStrategy(SearchSpace space, const StrategySettings& settings)
    : space_(std::move(space)), initial_points_(settings.initial_points), rng_(settings.seed) {
  check_strategy_inputs("random", space_, initial_points_);
}

std::vector<Candidate> RandomStrategy::ask(int count) {
  std::vector<Candidate> candidates;
  for (int i = 0; i < count; ++i) {
    Candidate candidate;
    candidate.id = next_id_++;
    const auto initial = static_cast<std::size_t>(candidate.id);
    candidate.point =
        initial < initial_points_.size() ? initial_points_[initial] : sample_point(space_, rng_);
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

void RandomStrategy::tell(const Evaluation& evaluation) {
  check_told_id("random", evaluation.id, next_id_);
}

}  // namespace lathe::search
