#include "strategies/strategy_checks.h"

#include "core/error.h"

namespace lathe::search {

void check_strategy_inputs(const std::string& strategy, const SearchSpace& space,
                           const std::vector<Point>& initial_points) {
  try {
    check_space(space);
  } catch (const Error& e) {
    fail(strategy, ": ", e.what());
  }
  for (std::size_t i = 0; i < initial_points.size(); ++i) {
    try {
      check_point(space, initial_points[i]);
    } catch (const Error& e) {
      fail(strategy, ": initial point ", i, ": ", e.what());
    }
  }
}

void check_told_id(const std::string& strategy, std::int64_t id, std::int64_t asked) {
  LATHE_CHECK(id >= 0 && id < asked, strategy, ": told the result of candidate ", id,
              ", expected one of the ", asked, " asked for (ids 0 to ", asked - 1, ")");
}

void check_told_result(const std::string& strategy, const Evaluation& evaluation, bool asked,
                       std::size_t objective_count) {
  LATHE_CHECK(asked, strategy, ": told the result of candidate ", evaluation.id, " twice");
  LATHE_CHECK(!evaluation.completed || evaluation.objectives.size() == objective_count, strategy,
              ": candidate ", evaluation.id, ": expected ", objective_count, " objectives, found ",
              evaluation.objectives.size());
}

}  // namespace lathe::search
