#include <gtest/gtest.h>

#include "core/error.h"
#include "strategies/strategy.h"

namespace lathe::search {
namespace {

SearchSpace one_real() {
  SearchSpace space;
  space.dimensions.push_back({"ratio", Dimension::Kind::real, {}, 0.0, 1.0});
  return space;
}

TEST(MakeStrategy, BuildsEveryNamedStrategy) {
  for (const std::string& name : strategy_names()) {
    StrategySettings settings;
    settings.name = name;
    const std::unique_ptr<Strategy> strategy = make_strategy(one_real(), 2, settings);
    EXPECT_EQ(strategy->name(), name);
    EXPECT_FALSE(strategy->ask(1).empty());
  }
  EXPECT_EQ(strategy_names(), (std::vector<std::string>{"random", "grid", "nsga2", "successive_halving", "asha"}));
}

TEST(MakeStrategy, ListsTheKnownNamesForAnUnknownOne) {
  StrategySettings settings;
  settings.name = "tpe";
  try {
    make_strategy(one_real(), 2, settings);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "strategy: unknown strategy 'tpe' (known: random, grid, nsga2, successive_halving, asha)");
  }
}

}  // namespace
}  // namespace lathe::search
