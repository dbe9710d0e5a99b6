// Grid search: the initial points, then the Cartesian product of a few values per
// dimension in a fixed order (the last dimension fastest), then nothing. Every choice of
// a categorical dimension; every value of an integer one when it has at most
// `grid_points`, else `grid_points` evenly spaced, rounded and de-duplicated; for real and
// log_real ones `grid_points` evenly spaced (in log space for log_real), both ends included.
#pragma once

#include <cstdint>

#include "strategies/strategy.h"

namespace lathe::search {

// The values grid search tries for `dimension` (grid_points >= 2), ascending.
std::vector<double> grid_values(const Dimension& dimension, int grid_points);

class GridStrategy final : public Strategy {
 public:
  GridStrategy(SearchSpace space, const StrategySettings& settings);

  std::vector<Candidate> ask(int count) override;
  void tell(const Evaluation& evaluation) override;  // results change nothing it asks
  [[nodiscard]] bool exhausted() const override;
  [[nodiscard]] std::string name() const override { return "grid"; }

  // Points in the product (initial points not counted).
  [[nodiscard]] std::int64_t grid_size() const { return grid_size_; }

 private:
  [[nodiscard]] Point grid_point(std::int64_t index) const;

  SearchSpace space_;
  std::vector<Point> initial_points_;
  std::vector<std::vector<double>> values_;  // per dimension
  std::int64_t grid_size_ = 1;
  std::int64_t next_id_ = 0;
};

}  // namespace lathe::search
