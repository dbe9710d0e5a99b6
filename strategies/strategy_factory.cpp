#include "core/error.h"
#include "strategies/strategy.h"

namespace lathe::search {

std::unique_ptr<Strategy> make_strategy(const SearchSpace& /*space*/, int /*objective_count*/,
                                        const StrategySettings& settings) {
  fail("strategy: unknown strategy '", settings.name, "'");
}

}  // namespace lathe::search
