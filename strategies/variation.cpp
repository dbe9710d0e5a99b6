#include "strategies/variation.h"

#include <algorithm>
#include <cmath>

namespace lathe::search {
namespace {

// Parents closer than this are treated as equal: SBX's spread would divide by ~0.
constexpr double same_value = 1e-14;

// SBX's spread factor for one side, whose distance to its bound is `beta`'s numerator.
double spread(double beta, double eta, double u) {
  const double alpha = 2.0 - std::pow(beta, -(eta + 1.0));
  if (u <= 1.0 / alpha) return std::pow(u * alpha, 1.0 / (eta + 1.0));
  return std::pow(1.0 / (2.0 - u * alpha), 1.0 / (eta + 1.0));
}

// Where the operators work for a dimension: its range, in log space for log_real.
struct Scale {
  double low;
  double high;
  bool logarithmic;
  bool integral;

  [[nodiscard]] double to_working(double value) const {
    return logarithmic ? std::log(value) : value;
  }
  // Back to the dimension's values, inside [low, high] there.
  [[nodiscard]] double from_working(double value, const Dimension& d) const {
    double result = logarithmic ? std::exp(value) : value;
    if (integral) result = std::round(result);
    return std::clamp(result, d.low, d.high);
  }
};

Scale scale_of(const Dimension& d) {
  const bool logarithmic = d.kind == Dimension::Kind::log_real;
  return {logarithmic ? std::log(d.low) : d.low, logarithmic ? std::log(d.high) : d.high,
          logarithmic, d.kind == Dimension::Kind::integer};
}

void mutate(const SearchSpace& space, Point& point, const VariationSettings& settings, Rng& rng) {
  for (std::size_t i = 0; i < point.size(); ++i) {
    if (rng.uniform() >= settings.mutation_probability) continue;
    const Dimension& d = space.dimensions[i];
    if (d.kind == Dimension::Kind::categorical) {
      point[i] = static_cast<double>(rng.below(d.choices.size()));
      continue;
    }
    const Scale scale = scale_of(d);
    point[i] = scale.from_working(polynomial_mutation(scale.to_working(point[i]), scale.low,
                                                      scale.high, settings.mutation_eta, rng),
                                  d);
  }
}

}  // namespace

std::pair<double, double> simulated_binary_crossover(double a, double b, double low, double high,
                                                     double eta, Rng& rng) {
  if (std::fabs(a - b) <= same_value || !(high > low)) return {a, b};
  const double y1 = std::min(a, b);
  const double y2 = std::max(a, b);
  const double gap = y2 - y1;
  const double u = rng.uniform();
  const double c1 = 0.5 * ((y1 + y2) - spread(1.0 + 2.0 * (y1 - low) / gap, eta, u) * gap);
  const double c2 = 0.5 * ((y1 + y2) + spread(1.0 + 2.0 * (high - y2) / gap, eta, u) * gap);
  const double child1 = std::clamp(c1, low, high);
  const double child2 = std::clamp(c2, low, high);
  // Either child may take either side, so neither inherits a bias to the low end.
  if (rng.uniform() < 0.5) return {child2, child1};
  return {child1, child2};
}

double polynomial_mutation(double value, double low, double high, double eta, Rng& rng) {
  if (!(high > low)) return value;
  const double range = high - low;
  const double below = (value - low) / range;
  const double above = (high - value) / range;
  const double u = rng.uniform();
  const double power = 1.0 / (eta + 1.0);
  double shift;
  if (u < 0.5) {
    const double base = 2.0 * u + (1.0 - 2.0 * u) * std::pow(1.0 - below, eta + 1.0);
    shift = std::pow(base, power) - 1.0;
  } else {
    const double base = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * std::pow(1.0 - above, eta + 1.0);
    shift = 1.0 - std::pow(base, power);
  }
  return std::clamp(value + shift * range, low, high);
}

std::pair<Point, Point> make_children(const SearchSpace& space, const Point& a, const Point& b,
                                      const VariationSettings& settings, Rng& rng) {
  Point first = a;
  Point second = b;
  if (rng.uniform() < settings.crossover_probability) {
    for (std::size_t i = 0; i < first.size(); ++i) {
      if (rng.uniform() >= 0.5) continue;
      const Dimension& d = space.dimensions[i];
      if (d.kind == Dimension::Kind::categorical) {
        std::swap(first[i], second[i]);
        continue;
      }
      const Scale scale = scale_of(d);
      const auto [x, y] =
          simulated_binary_crossover(scale.to_working(a[i]), scale.to_working(b[i]), scale.low,
                                     scale.high, settings.crossover_eta, rng);
      first[i] = scale.from_working(x, d);
      second[i] = scale.from_working(y, d);
    }
  }
  mutate(space, first, settings, rng);
  mutate(space, second, settings, rng);
  return {std::move(first), std::move(second)};
}

}  // namespace lathe::search
