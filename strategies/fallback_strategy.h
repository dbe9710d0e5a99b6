// M5, the fallback chain of lightweighting methods, as a search strategy: ordered attempts
// (points of the space: which steps, which settings), tried until one meets the target,
// which is the experiment's constraints (a feasible candidate). An attempt may start from
// the model of the best attempt so far instead of the base (ours).
//
// Attempts that start from the base depend on nothing, so they are asked together and run
// side by side on the workers; one after the first to meet the target is wasted work but
// never changes the outcome, which is always the first attempt in order that meets it. An
// attempt that starts from the best waits until every earlier attempt has been told. The
// best of several is the first in NSGA-II's order (promotion_ranking.h: feasible first,
// then the smaller constraint violation, then the fronts); a chain in which none meets the
// target keeps the best (the report's front shows it when it is feasible at all).
#pragma once

#include <cstdint>
#include <map>

#include "strategies/strategy.h"

namespace lathe::search {

class FallbackStrategy final : public Strategy {
 public:
  FallbackStrategy(SearchSpace space, int objective_count, const StrategySettings& settings);

  std::vector<Candidate> ask(int count) override;
  void tell(const Evaluation& evaluation) override;
  [[nodiscard]] bool exhausted() const override;
  [[nodiscard]] std::string name() const override { return "fallback"; }

  // The index of the first attempt in order that met the target, once known (-1: none yet).
  [[nodiscard]] int met_by() const;

 private:
  // The best told attempt's candidate id (-1 when none completed).
  [[nodiscard]] std::int64_t best_so_far() const;

  SearchSpace space_;
  std::size_t objective_count_;
  std::vector<ChainAttempt> chain_;
  std::size_t next_ = 0;                        // the next attempt to ask
  std::map<std::int64_t, std::size_t> untold_;  // candidate id -> attempt
  std::map<std::size_t, Evaluation> told_;      // attempt -> its result
};

}  // namespace lathe::search
