// Random search: the initial points, then uniform samples of the space, for ever. The
// baseline every other strategy must beat, and a safe choice for a first look at a space.
#pragma once

#include <cstddef>

#include "strategies/strategy.h"

namespace lathe::search {

class RandomStrategy final : public Strategy {
 public:
  RandomStrategy(SearchSpace space, const StrategySettings& settings);

  std::vector<Candidate> ask(int count) override;
  void tell(const Evaluation& evaluation) override;  // results change nothing it asks
  [[nodiscard]] bool exhausted() const override { return false; }
  [[nodiscard]] std::string name() const override { return "random"; }

 private:
  SearchSpace space_;
  std::vector<Point> initial_points_;
  Rng rng_;
  std::int64_t next_id_ = 0;
};

}  // namespace lathe::search
