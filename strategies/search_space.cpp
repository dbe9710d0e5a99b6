#include "strategies/search_space.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.h"
#include "strategies/number_text.h"

namespace lathe::search {
namespace {

// Integers travel as doubles: beyond 2^53 they would no longer be exact.
constexpr double largest_exact_integer = 9007199254740992.0;

const char* kind_name(Dimension::Kind kind) {
  switch (kind) {
    case Dimension::Kind::categorical:
      return "categorical";
    case Dimension::Kind::integer:
      return "integer";
    case Dimension::Kind::real:
      return "real";
    case Dimension::Kind::log_real:
      return "log_real";
  }
  return "unknown";
}

std::string where(const Dimension& dimension, std::size_t index) {
  return "dimension '" + dimension.name + "' (index " + std::to_string(index) + ")";
}

bool is_integral(double value) { return std::isfinite(value) && std::floor(value) == value; }

void check_dimension(const Dimension& d, std::size_t index) {
  const std::string at = "search space: " + where(d, index);
  LATHE_CHECK(!d.name.empty(), "search space: dimension ", index, ": expected a name, found none");
  if (d.kind == Dimension::Kind::categorical) {
    LATHE_CHECK(!d.choices.empty(), at, ": categorical: expected at least one choice, found none");
    const std::set<std::string> unique(d.choices.begin(), d.choices.end());
    LATHE_CHECK(unique.size() == d.choices.size(), at, ": categorical: choices repeat a label");
    return;
  }
  LATHE_CHECK(std::isfinite(d.low) && std::isfinite(d.high) && d.low <= d.high, at, ": ",
              kind_name(d.kind), ": expected finite bounds with low <= high, found [",
              exact_number(d.low), ", ", exact_number(d.high), "]");
  if (d.kind == Dimension::Kind::integer) {
    LATHE_CHECK(is_integral(d.low) && is_integral(d.high) &&
                    std::fabs(d.low) <= largest_exact_integer &&
                    std::fabs(d.high) <= largest_exact_integer,
                at, ": integer: expected integral bounds within +-2^53, found [",
                exact_number(d.low), ", ", exact_number(d.high), "]");
  }
  if (d.kind == Dimension::Kind::log_real) {
    LATHE_CHECK(d.low > 0.0, at, ": log_real: expected low > 0, found ", exact_number(d.low));
  }
}

}  // namespace

void check_space(const SearchSpace& space) {
  LATHE_CHECK(!space.dimensions.empty(),
              "search space: expected at least one dimension, found none");
  std::set<std::string> names;
  for (std::size_t i = 0; i < space.dimensions.size(); ++i) {
    const Dimension& d = space.dimensions[i];
    check_dimension(d, i);
    LATHE_CHECK(names.insert(d.name).second, "search space: ", where(d, i),
                ": the name is used by an earlier dimension");
  }
}

Point sample_point(const SearchSpace& space, Rng& rng) {
  Point point;
  point.reserve(space.dimensions.size());
  for (const Dimension& d : space.dimensions) {
    switch (d.kind) {
      case Dimension::Kind::categorical:
        point.push_back(static_cast<double>(rng.below(d.choices.size())));
        break;
      case Dimension::Kind::integer:
        point.push_back(static_cast<double>(
            rng.uniform_int(static_cast<std::int64_t>(d.low), static_cast<std::int64_t>(d.high))));
        break;
      case Dimension::Kind::real:
        point.push_back(rng.uniform(d.low, d.high));
        break;
      case Dimension::Kind::log_real: {
        // exp(log(x)) need not give x back: clamp so the ends stay inside the range.
        const double value = std::exp(rng.uniform(std::log(d.low), std::log(d.high)));
        point.push_back(std::clamp(value, d.low, d.high));
        break;
      }
    }
  }
  return point;
}

void check_point(const SearchSpace& space, const Point& point) {
  LATHE_CHECK(point.size() == space.dimensions.size(), "point: expected ", space.dimensions.size(),
              " values (one per dimension), found ", point.size());
  for (std::size_t i = 0; i < point.size(); ++i) {
    const Dimension& d = space.dimensions[i];
    const double value = point[i];
    if (d.kind == Dimension::Kind::categorical) {
      LATHE_CHECK(
          is_integral(value) && value >= 0.0 && value < static_cast<double>(d.choices.size()),
          "point: ", where(d, i), ": expected a choice index in [0, ", d.choices.size() - 1,
          "], found ", exact_number(value));
      continue;
    }
    LATHE_CHECK(std::isfinite(value) && value >= d.low && value <= d.high, "point: ", where(d, i),
                ": expected a ", kind_name(d.kind), " value in [", exact_number(d.low), ", ",
                exact_number(d.high), "], found ", exact_number(value));
    LATHE_CHECK(d.kind != Dimension::Kind::integer || is_integral(value), "point: ", where(d, i),
                ": expected an integer, found ", exact_number(value));
  }
}

}  // namespace lathe::search
