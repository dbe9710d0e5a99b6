// Exact hypervolume of minimised objective vectors: the measure of the region that the
// points dominate and that dominates the reference point. Two objectives by a sort and a
// sweep, three by a sweep over the third that keeps the 2-D front of the points below it
// (O(n log n) both). Other numbers of objectives are refused.
#pragma once

#include <vector>

#include "strategies/search_space.h"

namespace lathe::search {

// Points not strictly better than `reference` in every objective add nothing and are
// ignored, as are dominated points and repeats. Throws lathe::Error unless `reference`
// has 2 or 3 finite values and every point as many.
double hypervolume(const std::vector<std::vector<double>>& points,
                   const std::vector<double>& reference);

// The hypervolume of the feasible, completed evaluations (their pareto_front).
double front_hypervolume(const std::vector<Evaluation>& evaluations,
                         const std::vector<double>& reference);

}  // namespace lathe::search
