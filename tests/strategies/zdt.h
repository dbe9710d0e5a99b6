// The ZDT test problems (Zitzler, Deb and Thiele 2000): two minimised objectives over
// [0, 1]^n whose true Pareto fronts are known (g = 1, that is x_2..x_n = 0).
#pragma once

#include <cmath>
#include <numbers>
#include <vector>

#include "strategies/search_space.h"

namespace lathe::search::zdt {

inline SearchSpace unit_cube(int dimensions) {
  SearchSpace space;
  for (int i = 0; i < dimensions; ++i) {
    space.dimensions.push_back({"x" + std::to_string(i), Dimension::Kind::real, {}, 0.0, 1.0});
  }
  return space;
}

inline double g(const Point& x) {
  double sum = 0.0;
  for (std::size_t i = 1; i < x.size(); ++i) sum += x[i];
  return 1.0 + 9.0 * sum / static_cast<double>(x.size() - 1);
}

inline std::vector<double> zdt1(const Point& x) {
  const double gx = g(x);
  return {x[0], gx * (1.0 - std::sqrt(x[0] / gx))};
}

inline std::vector<double> zdt2(const Point& x) {
  const double gx = g(x);
  return {x[0], gx * (1.0 - (x[0] / gx) * (x[0] / gx))};
}

inline std::vector<double> zdt3(const Point& x) {
  const double gx = g(x);
  const double r = x[0] / gx;
  return {x[0], gx * (1.0 - std::sqrt(r) - r * std::sin(10.0 * std::numbers::pi * x[0]))};
}

// f2 on the true front (g = 1) as a function of f1.
inline double zdt1_front(double f1) { return 1.0 - std::sqrt(f1); }
inline double zdt2_front(double f1) { return 1.0 - f1 * f1; }
inline double zdt3_curve(double f1) {
  return 1.0 - std::sqrt(f1) - f1 * std::sin(10.0 * std::numbers::pi * f1);
}

}  // namespace lathe::search::zdt
