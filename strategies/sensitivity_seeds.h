// Candidates placed by per-layer sensitivity, for the first generation of a search: what
// none of the peer tools does. Each probed dimension (one layer's bit width, one layer's
// pruning ratio) carries how much the model suffers when only that layer is compressed to
// the extreme (0: not at all, 1: the most of any probed layer). The seeds go from mild to
// aggressive; at each level insensitive layers are compressed further than sensitive ones,
// the way mixed-precision tools allocate bits by sensitivity, but here only as starting
// points that the strategy then improves on.
#pragma once

#include <vector>

#include "strategies/search_space.h"

namespace lathe::search {

struct DimensionSensitivity {
  bool probed = false;
  bool aggressive_is_high = false;  // pruning ratio: high; bit width: low
  double sensitivity = 0.0;         // in [0, 1]
};

// A neutral point: the middle of every numeric range (the geometric middle of log ranges,
// rounded for integers) and the first of every choice.
Point middle_point(const SearchSpace& space);

// `count` seeds, level t = 1/count .. 1: a probed dimension moves from its conservative
// end towards its aggressive end by t (1 - sensitivity) of the range (the least sensitive
// layer reaches the aggressive end at the last level, a sensitive one stays back); the
// others stay at middle_point. Seeds equal to an earlier one are dropped.
std::vector<Point> sensitivity_seeded_points(const SearchSpace& space,
                                             const std::vector<DimensionSensitivity>& sensitivities,
                                             int count);

}  // namespace lathe::search
