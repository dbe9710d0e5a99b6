// NSGA-II's variation operators (Deb 2002; the bounded forms of Deb's reference code):
// simulated binary crossover (SBX) and polynomial mutation for real and integer
// dimensions, uniform crossover and uniform resampling for categorical ones. Integers are
// varied as reals, then rounded and clamped; log_real dimensions are varied in log space.
#pragma once

#include <utility>

#include "strategies/search_space.h"

namespace lathe::search {

struct VariationSettings {
  double crossover_probability = 0.9;  // per pair of parents
  double crossover_eta = 15.0;         // SBX distribution index: larger, children nearer parents
  double mutation_probability = 0.1;   // per dimension
  double mutation_eta = 20.0;          // polynomial mutation distribution index
};

// SBX of two values in [low, high]: two children, each inside the range.
std::pair<double, double> simulated_binary_crossover(double a, double b, double low, double high,
                                                     double eta, Rng& rng);
// Polynomial mutation of a value in [low, high]: a value inside the range.
double polynomial_mutation(double value, double low, double high, double eta, Rng& rng);

// Two children of two parents: crossover (with settings.crossover_probability; each
// dimension then crosses with probability 1/2) followed by mutation of each child.
// Children are valid points of the space.
std::pair<Point, Point> make_children(const SearchSpace& space, const Point& a, const Point& b,
                                      const VariationSettings& settings, Rng& rng);

}  // namespace lathe::search
