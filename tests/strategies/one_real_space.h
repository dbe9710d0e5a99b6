// The smallest space the strategy tests search: one real dimension x in [0, 1].
#pragma once

#include <string>

#include "strategies/search_space.h"

namespace lathe::search::test_support {

inline SearchSpace one_real(const std::string& name = "x") {
  SearchSpace space;
  space.dimensions.push_back({name, Dimension::Kind::real, {}, 0.0, 1.0});
  return space;
}

}  // namespace lathe::search::test_support
