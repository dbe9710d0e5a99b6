#include "strategies/successive_halving_strategy.h"

#include <algorithm>

#include "core/error.h"
#include "strategies/promotion_ranking.h"
#include "strategies/strategy_checks.h"

namespace lathe::search {

SuccessiveHalvingStrategy::SuccessiveHalvingStrategy(SearchSpace space, int objective_count,
                                                     const StrategySettings& settings)
    : space_(std::move(space)),
      objective_count_(static_cast<std::size_t>(std::max(objective_count, 0))),
      population_(static_cast<std::size_t>(std::max(settings.population, 0))),
      schedule_(settings.rungs),
      initial_points_(settings.initial_points),
      rng_(settings.seed) {
  check_strategy_inputs("successive_halving", space_, initial_points_);
  schedule_.check("successive_halving");
  LATHE_CHECK(objective_count >= 1, "successive_halving: expected at least one objective, found ",
              objective_count);
  LATHE_CHECK(settings.population >= 1, "successive_halving: population: expected at least 1, found ",
              settings.population);
  start_bracket();
}

void SuccessiveHalvingStrategy::start_bracket() {
  ++brackets_;
  rung_ = 0;
  planned_.clear();
  while (planned_.size() < population_) {
    Planned fresh;
    fresh.point = initial_used_ < initial_points_.size() ? initial_points_[initial_used_++]
                                                         : sample_point(space_, rng_);
    planned_.push_back(std::move(fresh));
  }
  asked_in_rung_ = 0;
  rung_results_.clear();
}

std::vector<Candidate> SuccessiveHalvingStrategy::ask(int count) {
  std::vector<Candidate> candidates;
  while (static_cast<int>(candidates.size()) < count && asked_in_rung_ < planned_.size()) {
    const Planned& planned = planned_[asked_in_rung_++];
    Candidate candidate;
    candidate.id = next_id_++;
    candidate.point = planned.point;
    candidate.rung = rung_;
    candidate.parent = planned.parent;
    untold_.emplace(candidate.id, candidate.point);
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

void SuccessiveHalvingStrategy::tell(const Evaluation& evaluation) {
  check_told_id("successive_halving", evaluation.id, next_id_);
  const auto found = untold_.find(evaluation.id);
  check_told_result("successive_halving", evaluation, found != untold_.end(), objective_count_);
  Evaluation result = evaluation;
  result.point = found->second;
  result.rung = rung_;
  untold_.erase(found);
  rung_results_.push_back(std::move(result));
  if (asked_in_rung_ == planned_.size() && untold_.empty()) next_rung();
}

void SuccessiveHalvingStrategy::next_rung() {
  // Id order: the promotions must not depend on the order results were told.
  std::sort(rung_results_.begin(), rung_results_.end(),
            [](const Evaluation& a, const Evaluation& b) { return a.id < b.id; });
  const std::vector<std::size_t> best = promoted(rung_results_, schedule_.eta);
  for (std::size_t i = 0; i < rung_results_.size(); ++i) {
    if (std::find(best.begin(), best.end(), i) == best.end() || rung_ + 1 >= schedule_.rungs()) {
      settled_.push_back(rung_results_[i].id);
    }
  }
  if (rung_ + 1 >= schedule_.rungs() || best.empty()) {
    start_bracket();
    return;
  }
  std::vector<Planned> next;
  for (const std::size_t index : best) next.push_back({rung_results_[index].point, rung_results_[index].id});
  // Promoted candidates run in id order, as their rung-below selves did.
  std::sort(next.begin(), next.end(), [](const Planned& a, const Planned& b) { return a.parent < b.parent; });
  ++rung_;
  planned_ = std::move(next);
  asked_in_rung_ = 0;
  rung_results_.clear();
}

}  // namespace lathe::search
