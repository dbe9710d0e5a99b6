#include "strategies/hypervolume.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <tuple>

#include "core/error.h"
#include "strategies/pareto.h"

namespace lathe::search {
namespace {

struct Point2 {
  double x;
  double y;
};

double hypervolume_2d(std::vector<Point2> points, double reference_x, double reference_y) {
  std::sort(points.begin(), points.end(), [](const Point2& a, const Point2& b) {
    return a.x < b.x || (a.x == b.x && a.y < b.y);
  });
  // Sweeping in x, each point that lowers the staircase adds the strip between its y and
  // the previous step, as wide as from its x to the reference.
  double area = 0.0;
  double step = reference_y;
  for (const Point2& p : points) {
    if (p.y < step) {
      area += (reference_x - p.x) * (step - p.y);
      step = p.y;
    }
  }
  return area;
}

// The 2-D front (x ascending, y strictly descending) with the area it dominates up to a
// reference, updated one inserted point at a time.
class Staircase {
 public:
  Staircase(double reference_x, double reference_y)
      : reference_x_(reference_x), reference_y_(reference_y) {}

  void insert(double x, double y) {
    auto next = steps_.upper_bound(x);  // the first step right of x
    // The step at or left of x has the lowest y of those; if it is no higher, p adds nothing.
    double height = reference_y_;
    if (next != steps_.begin()) {
      height = std::prev(next)->second;
      if (height <= y) return;
    }
    if (next != steps_.begin() && std::prev(next)->first == x) {
      next = steps_.erase(std::prev(next));  // same x, higher y: dominated by the new point
    }
    // Walk right over the steps the new point dominates, adding the area between the old
    // staircase and the new point's y.
    double from = x;
    while (next != steps_.end() && next->second >= y) {
      area_ += (next->first - from) * (height - y);
      from = next->first;
      height = next->second;
      next = steps_.erase(next);
    }
    const double to = next == steps_.end() ? reference_x_ : next->first;
    area_ += (to - from) * (height - y);
    steps_.emplace_hint(next, x, y);
  }

  [[nodiscard]] double area() const { return area_; }

 private:
  double reference_x_;
  double reference_y_;
  std::map<double, double> steps_;
  double area_ = 0.0;
};

double hypervolume_3d(std::vector<std::vector<double>> points,
                      const std::vector<double>& reference) {
  std::sort(points.begin(), points.end(),
            [](const std::vector<double>& a, const std::vector<double>& b) {
              // A total order, so that any permutation of the points sums the same slabs.
              return std::tie(a[2], a[0], a[1]) < std::tie(b[2], b[0], b[1]);
            });
  // Between consecutive z levels the cross-section is the 2-D area of the points below.
  Staircase section(reference[0], reference[1]);
  double volume = 0.0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    section.insert(points[i][0], points[i][1]);
    const double next_z = i + 1 < points.size() ? points[i + 1][2] : reference[2];
    volume += section.area() * (next_z - points[i][2]);
  }
  return volume;
}

}  // namespace

double hypervolume(const std::vector<std::vector<double>>& points,
                   const std::vector<double>& reference) {
  const std::size_t m = reference.size();
  LATHE_CHECK(m == 2 || m == 3, "hypervolume: ", m,
              " objectives: only 2 and 3 are supported (exact sweeps)");
  LATHE_CHECK(
      std::all_of(reference.begin(), reference.end(), [](double r) { return std::isfinite(r); }),
      "hypervolume: the reference point must be finite in every objective");
  std::vector<std::vector<double>> inside;
  for (std::size_t i = 0; i < points.size(); ++i) {
    LATHE_CHECK(points[i].size() == m, "hypervolume: point ", i, " has ", points[i].size(),
                " objectives, the reference point ", m);
    bool better = true;
    for (std::size_t k = 0; k < m; ++k) better = better && points[i][k] < reference[k];
    if (better) inside.push_back(points[i]);
  }
  if (m == 3) return hypervolume_3d(std::move(inside), reference);
  std::vector<Point2> flat;
  flat.reserve(inside.size());
  for (const auto& p : inside) flat.push_back({p[0], p[1]});
  return hypervolume_2d(std::move(flat), reference[0], reference[1]);
}

double front_hypervolume(const std::vector<Evaluation>& evaluations,
                         const std::vector<double>& reference) {
  std::vector<std::vector<double>> points;
  for (const std::size_t i : pareto_front(evaluations)) points.push_back(evaluations[i].objectives);
  return hypervolume(points, reference);
}

}  // namespace lathe::search
