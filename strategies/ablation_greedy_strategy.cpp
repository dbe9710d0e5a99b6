#include "strategies/ablation_greedy_strategy.h"

#include <algorithm>

#include "core/error.h"
#include "strategies/pareto.h"
#include "strategies/strategy_checks.h"

namespace lathe::search {

AblationGreedyStrategy::AblationGreedyStrategy(SearchSpace space, int objective_count,
                                               const StrategySettings& settings)
    : space_(std::move(space)),
      objective_count_(static_cast<std::size_t>(std::max(objective_count, 0))),
      point_(settings.point),
      shards_(settings.shards),
      rounds_(settings.rounds) {
  // A space with no dimension is fine: every round runs the recipe as written.
  if (!space_.dimensions.empty()) check_strategy_inputs("ablation_greedy", space_, {point_});
  LATHE_CHECK(space_.dimensions.empty() || !point_.empty(), "ablation_greedy: expected a point of the space");
  LATHE_CHECK(shards_ >= 1, "ablation_greedy: expected at least 1 shard per round, got ", shards_);
  LATHE_CHECK(rounds_ >= 1, "ablation_greedy: expected at least 1 round, got ", rounds_);
}

Candidate AblationGreedyStrategy::next_candidate(int shard) {
  Candidate candidate;
  candidate.id = next_id_++;
  candidate.point = point_;
  candidate.start_from = start_;
  candidate.round = round_;
  candidate.shard = shard;
  candidate.shards = shards_;
  return candidate;
}

std::vector<Candidate> AblationGreedyStrategy::ask(int count) {
  std::vector<Candidate> candidates;
  while (!finished_ && static_cast<int>(candidates.size()) < count) {
    if (shards_asked_ < shards_) {
      const Candidate candidate = next_candidate(shards_asked_++);
      scoring_.insert(candidate.id);
      candidates.push_back(candidate);
      continue;
    }
    // The removal needs every score of the round, and comes once.
    if (!scoring_.empty() || removal_ >= 0) break;
    const Candidate candidate = next_candidate(-1);
    removal_ = candidate.id;
    candidates.push_back(candidate);
  }
  return candidates;
}

void AblationGreedyStrategy::tell(const Evaluation& evaluation) {
  check_told_id("ablation_greedy", evaluation.id, next_id_);
  const bool scoring = scoring_.contains(evaluation.id);
  check_told_result("ablation_greedy", evaluation, scoring || evaluation.id == removal_, objective_count_);
  if (scoring) {
    scoring_.erase(evaluation.id);
    // Without every score the round cannot choose (the worker said why in the results).
    if (!evaluation.completed) scoring_failed_ = true;
    if (scoring_.empty() && scoring_failed_) finished_ = true;
    return;
  }
  removal_ = -1;
  if (!evaluation.completed || is_feasible(evaluation) || round_ + 1 >= rounds_) {
    finished_ = true;
    return;
  }
  start_ = evaluation.id;
  ++round_;
  shards_asked_ = 0;
}

}  // namespace lathe::search
