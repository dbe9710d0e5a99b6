#include "strategies/sensitivity_seeds.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace lathe::search {

Point middle_point(const SearchSpace& space) {
  Point point;
  for (const Dimension& d : space.dimensions) {
    switch (d.kind) {
      case Dimension::Kind::categorical: point.push_back(0.0); break;
      case Dimension::Kind::integer: point.push_back(std::round(0.5 * (d.low + d.high))); break;
      case Dimension::Kind::real: point.push_back(0.5 * (d.low + d.high)); break;
      case Dimension::Kind::log_real: point.push_back(std::sqrt(d.low * d.high)); break;
    }
  }
  return point;
}

std::vector<Point> sensitivity_seeded_points(const SearchSpace& space,
                                             const std::vector<DimensionSensitivity>& sensitivities,
                                             int count) {
  LATHE_CHECK(sensitivities.size() == space.dimensions.size(), "sensitivity seeds: ", sensitivities.size(),
              " sensitivities for ", space.dimensions.size(), " dimensions");
  const Point middle = middle_point(space);
  std::vector<Point> seeds;
  for (int level = 1; level <= count; ++level) {
    const double t = static_cast<double>(level) / count;
    Point point = middle;
    for (std::size_t i = 0; i < space.dimensions.size(); ++i) {
      const DimensionSensitivity& s = sensitivities[i];
      const Dimension& d = space.dimensions[i];
      if (!s.probed || d.kind == Dimension::Kind::categorical) continue;
      const double share = t * (1.0 - std::clamp(s.sensitivity, 0.0, 1.0));
      const double conservative = s.aggressive_is_high ? d.low : d.high;
      const double aggressive = s.aggressive_is_high ? d.high : d.low;
      double value = conservative + share * (aggressive - conservative);
      if (d.kind == Dimension::Kind::integer) value = std::round(value);
      point[i] = std::clamp(value, d.low, d.high);
    }
    if (std::find(seeds.begin(), seeds.end(), point) == seeds.end()) seeds.push_back(std::move(point));
  }
  return seeds;
}

}  // namespace lathe::search
