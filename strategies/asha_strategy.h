// ASHA, asynchronous successive halving (Li et al., MLSys 2020): no rung waits for
// another. Each ask promotes, when it can, a candidate from the highest rung below the top
// that has one to give: a completed candidate among the best floor(n / eta) of the n told
// at that rung (promotion_ranking.h orders several objectives) that was not promoted
// before; it is asked again one rung up as a new candidate whose `parent` is its
// rung-below self. Otherwise the ask is a new candidate at rung 0 (the initial points
// first, then uniform samples). Every worker is kept busy; which candidates are promoted
// depends on the order results arrive (the asynchronous mode's trade).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "strategies/strategy.h"

namespace lathe::search {

class AshaStrategy final : public Strategy {
 public:
  AshaStrategy(SearchSpace space, int objective_count, const StrategySettings& settings);

  std::vector<Candidate> ask(int count) override;
  void tell(const Evaluation& evaluation) override;
  [[nodiscard]] bool exhausted() const override { return false; }
  [[nodiscard]] std::string name() const override { return "asha"; }

 private:
  // A rung-k candidate to promote to rung k + 1, from the highest such k.
  [[nodiscard]] std::optional<Evaluation> next_promotion() const;

  SearchSpace space_;
  std::size_t objective_count_;
  RungSchedule schedule_;
  std::vector<Point> initial_points_;
  std::size_t initial_used_ = 0;
  Rng rng_;
  std::int64_t next_id_ = 0;

  std::map<std::int64_t, Candidate> untold_;     // asked, not yet told
  std::vector<std::vector<Evaluation>> told_;    // per rung, in the order told
  std::set<std::int64_t> promoted_;              // ids already promoted
};

}  // namespace lathe::search
