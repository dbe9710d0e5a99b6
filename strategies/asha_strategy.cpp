#include "strategies/asha_strategy.h"

#include <algorithm>

#include "core/error.h"
#include "strategies/promotion_ranking.h"
#include "strategies/strategy_checks.h"

namespace lathe::search {

AshaStrategy::AshaStrategy(SearchSpace space, int objective_count, const StrategySettings& settings)
    : space_(std::move(space)),
      objective_count_(static_cast<std::size_t>(std::max(objective_count, 0))),
      schedule_(settings.rungs),
      initial_points_(settings.initial_points),
      rng_(settings.seed) {
  check_strategy_inputs("asha", space_, initial_points_);
  schedule_.check("asha");
  LATHE_CHECK(objective_count >= 1, "asha: expected at least one objective, found ", objective_count);
  told_.resize(static_cast<std::size_t>(schedule_.rungs()));
}

std::optional<Evaluation> AshaStrategy::next_promotion() const {
  for (int rung = schedule_.rungs() - 2; rung >= 0; --rung) {
    const std::vector<Evaluation>& results = told_[static_cast<std::size_t>(rung)];
    const std::size_t quota = results.size() / static_cast<std::size_t>(schedule_.eta);
    const std::vector<std::size_t> order = best_first(results);
    for (std::size_t k = 0; k < quota; ++k) {
      const Evaluation& candidate = results[order[k]];
      if (candidate.completed && !promoted_.contains(candidate.id)) return candidate;
    }
  }
  return std::nullopt;
}

std::vector<Candidate> AshaStrategy::ask(int count) {
  std::vector<Candidate> candidates;
  for (int i = 0; i < count; ++i) {
    Candidate candidate;
    candidate.id = next_id_++;
    if (const std::optional<Evaluation> promotion = next_promotion()) {
      promoted_.insert(promotion->id);
      candidate.point = promotion->point;
      candidate.rung = promotion->rung + 1;
      candidate.parent = promotion->id;
    } else {
      candidate.point = initial_used_ < initial_points_.size() ? initial_points_[initial_used_++]
                                                               : sample_point(space_, rng_);
    }
    untold_.emplace(candidate.id, candidate);
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

void AshaStrategy::tell(const Evaluation& evaluation) {
  check_told_id("asha", evaluation.id, next_id_);
  const auto found = untold_.find(evaluation.id);
  check_told_result("asha", evaluation, found != untold_.end(), objective_count_);
  Evaluation result = evaluation;
  result.point = found->second.point;
  result.rung = found->second.rung;
  untold_.erase(found);
  told_[static_cast<std::size_t>(result.rung)].push_back(std::move(result));
}

}  // namespace lathe::search
