#include "strategies/fallback_strategy.h"

#include <algorithm>

#include "core/error.h"
#include "strategies/pareto.h"
#include "strategies/promotion_ranking.h"
#include "strategies/strategy_checks.h"

namespace lathe::search {

FallbackStrategy::FallbackStrategy(SearchSpace space, int objective_count, const StrategySettings& settings)
    : space_(std::move(space)),
      objective_count_(static_cast<std::size_t>(std::max(objective_count, 0))),
      chain_(settings.chain) {
  std::vector<Point> points;
  for (const ChainAttempt& attempt : chain_) points.push_back(attempt.point);
  check_strategy_inputs("fallback", space_, points);
  LATHE_CHECK(!chain_.empty(), "fallback: expected at least one attempt in the chain, found none");
  LATHE_CHECK(!chain_.front().from_best, "fallback: attempt 0 starts from the best earlier attempt, but none is "
                                         "earlier (start it from the base)");
}

int FallbackStrategy::met_by() const {
  for (std::size_t i = 0; i < chain_.size(); ++i) {
    const auto told = told_.find(i);
    if (told == told_.end()) return -1;  // an earlier attempt may still meet it
    if (is_feasible(told->second)) return static_cast<int>(i);
  }
  return -1;
}

bool FallbackStrategy::exhausted() const {
  return met_by() >= 0 || told_.size() == chain_.size();
}

std::int64_t FallbackStrategy::best_so_far() const {
  std::vector<Evaluation> results;
  for (const auto& [attempt, evaluation] : told_) results.push_back(evaluation);
  if (results.empty()) return -1;
  const Evaluation& best = results[best_first(results).front()];
  return best.completed ? best.id : -1;
}

std::vector<Candidate> FallbackStrategy::ask(int count) {
  std::vector<Candidate> candidates;
  while (static_cast<int>(candidates.size()) < count && next_ < chain_.size() && !exhausted()) {
    const ChainAttempt& attempt = chain_[next_];
    // From the best: only once every earlier attempt has been told (and none met the target).
    if (attempt.from_best && told_.size() < next_) break;
    Candidate candidate;
    candidate.id = static_cast<std::int64_t>(next_);
    candidate.point = attempt.point;
    candidate.start_from = attempt.from_best ? best_so_far() : -1;
    untold_.emplace(candidate.id, next_);
    ++next_;
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

void FallbackStrategy::tell(const Evaluation& evaluation) {
  check_told_id("fallback", evaluation.id, static_cast<std::int64_t>(next_));
  const auto found = untold_.find(evaluation.id);
  check_told_result("fallback", evaluation, found != untold_.end(), objective_count_);
  Evaluation result = evaluation;
  result.point = chain_[found->second].point;
  told_.emplace(found->second, std::move(result));
  untold_.erase(found);
}

}  // namespace lathe::search
