// Checks every strategy makes of what it is given, with the same messages.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strategies/search_space.h"

namespace lathe::search {

// The space (check_space) and each initial point (check_point), naming the strategy and
// the point's position in the list.
void check_strategy_inputs(const std::string& strategy, const SearchSpace& space,
                           const std::vector<Point>& initial_points);

// Throws unless `id` is one the strategy has handed out (0 <= id < asked).
void check_told_id(const std::string& strategy, std::int64_t id, std::int64_t asked);

// Throws unless `asked` holds the told candidate (it has not been told before) and a
// completed result has `objective_count` objectives.
void check_told_result(const std::string& strategy, const Evaluation& evaluation, bool asked,
                       std::size_t objective_count);

}  // namespace lathe::search
