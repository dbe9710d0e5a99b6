#include "strategies/grid_strategy.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "strategies/strategy_checks.h"

namespace lathe::search {
namespace {

// `count` values from `low` to `high`, both exact, evenly spaced between.
std::vector<double> evenly_spaced(double low, double high, int count) {
  std::vector<double> values;
  for (int i = 0; i < count; ++i) {
    const double t = static_cast<double>(i) / static_cast<double>(count - 1);
    values.push_back(i == count - 1 ? high : low + t * (high - low));
  }
  return values;
}

void drop_repeats(std::vector<double>& values) {
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

std::vector<double> grid_values(const Dimension& d, int grid_points) {
  LATHE_CHECK(grid_points >= 2,
              "grid: grid_points: expected at least 2 (both ends of each range), found ",
              grid_points);
  std::vector<double> values;
  switch (d.kind) {
    case Dimension::Kind::categorical:
      for (std::size_t i = 0; i < d.choices.size(); ++i) values.push_back(static_cast<double>(i));
      break;
    case Dimension::Kind::integer:
      if (d.high - d.low + 1.0 <= static_cast<double>(grid_points)) {
        for (double v = d.low; v <= d.high; v += 1.0) values.push_back(v);
      } else {
        values = evenly_spaced(d.low, d.high, grid_points);
        for (double& v : values) v = std::round(v);
      }
      break;
    case Dimension::Kind::real:
      values = evenly_spaced(d.low, d.high, grid_points);
      break;
    case Dimension::Kind::log_real:
      values = evenly_spaced(std::log(d.low), std::log(d.high), grid_points);
      for (double& v : values) v = std::clamp(std::exp(v), d.low, d.high);
      values.front() = d.low;
      values.back() = d.high;
      break;
  }
  drop_repeats(values);  // a range with low == high, or rounding to the same integer
  return values;
}

GridStrategy::GridStrategy(SearchSpace space, const StrategySettings& settings)
    : space_(std::move(space)), initial_points_(settings.initial_points) {
  check_strategy_inputs("grid", space_, initial_points_);
  for (const Dimension& d : space_.dimensions) {
    values_.push_back(grid_values(d, settings.grid_points));
    const auto size = static_cast<std::int64_t>(values_.back().size());
    LATHE_CHECK(
        grid_size_ <= std::numeric_limits<std::int64_t>::max() / size,
        "grid: the product of the dimensions' values has more than 2^63 points (at dimension '",
        d.name, "'); lower grid_points or use another strategy");
    grid_size_ *= size;
  }
  LATHE_CHECK(grid_size_ <= std::numeric_limits<std::int64_t>::max() -
                                static_cast<std::int64_t>(initial_points_.size()),
              "grid: the product of the dimensions' values and the initial points have more than "
              "2^63 points; lower grid_points or use another strategy");
}

Point GridStrategy::grid_point(std::int64_t index) const {
  // Mixed radix, the last dimension the fastest digit.
  Point point(values_.size());
  for (std::size_t i = values_.size(); i-- > 0;) {
    const auto size = static_cast<std::int64_t>(values_[i].size());
    point[i] = values_[i][static_cast<std::size_t>(index % size)];
    index /= size;
  }
  return point;
}

std::vector<Candidate> GridStrategy::ask(int count) {
  std::vector<Candidate> candidates;
  const auto initial_count = static_cast<std::int64_t>(initial_points_.size());
  for (int i = 0; i < count && !exhausted(); ++i) {
    Candidate candidate;
    candidate.id = next_id_++;
    candidate.point = candidate.id < initial_count
                          ? initial_points_[static_cast<std::size_t>(candidate.id)]
                          : grid_point(candidate.id - initial_count);
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

void GridStrategy::tell(const Evaluation& evaluation) {
  check_told_id("grid", evaluation.id, next_id_);
}

bool GridStrategy::exhausted() const {
  return next_id_ >= static_cast<std::int64_t>(initial_points_.size()) + grid_size_;
}

}  // namespace lathe::search
