#include <gtest/gtest.h>

#include "one_real_space.h"

#include "core/error.h"
#include "strategies/strategy.h"

namespace lathe::search {
namespace {

SearchSpace one_real() { return test_support::one_real("ratio"); }

TEST(MakeStrategy, BuildsEveryNamedStrategy) {
  for (const std::string& name : strategy_names()) {
    StrategySettings settings;
    settings.name = name;
    settings.chain = {{{0.5}, false}};  // fallback needs one attempt at least
    settings.point = {0.5};             // ablation_greedy's point of every round
    const std::unique_ptr<Strategy> strategy = make_strategy(one_real(), 2, settings);
    EXPECT_EQ(strategy->name(), name);
    EXPECT_FALSE(strategy->ask(1).empty());
  }
  EXPECT_EQ(strategy_names(), (std::vector<std::string>{"random", "grid", "nsga2", "successive_halving", "asha", "fallback",
                                                              "ablation_greedy"}));
}

TEST(MakeStrategy, ListsTheKnownNamesForAnUnknownOne) {
  StrategySettings settings;
  settings.name = "tpe";
  try {
    make_strategy(one_real(), 2, settings);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "strategy: unknown strategy 'tpe' (known: random, grid, nsga2, successive_halving, asha, fallback, ablation_greedy)");
  }
}

}  // namespace
}  // namespace lathe::search
