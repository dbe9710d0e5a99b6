#include "core/error.h"
#include "strategies/ablation_greedy_strategy.h"
#include "strategies/asha_strategy.h"
#include "strategies/fallback_strategy.h"
#include "strategies/grid_strategy.h"
#include "strategies/nsga2_strategy.h"
#include "strategies/random_strategy.h"
#include "strategies/strategy.h"
#include "strategies/successive_halving_strategy.h"

namespace lathe::search {

const std::vector<std::string>& strategy_names() {
  static const std::vector<std::string> names = {"random", "grid", "nsga2", "successive_halving", "asha", "fallback", "ablation_greedy"};
  return names;
}

std::unique_ptr<Strategy> make_strategy(const SearchSpace& space, int objective_count,
                                        const StrategySettings& settings) {
  if (settings.name == "random") return std::make_unique<RandomStrategy>(space, settings);
  if (settings.name == "grid") return std::make_unique<GridStrategy>(space, settings);
  if (settings.name == "nsga2")
    return std::make_unique<Nsga2Strategy>(space, objective_count, settings);
  if (settings.name == "successive_halving")
    return std::make_unique<SuccessiveHalvingStrategy>(space, objective_count, settings);
  if (settings.name == "asha") return std::make_unique<AshaStrategy>(space, objective_count, settings);
  if (settings.name == "fallback") return std::make_unique<FallbackStrategy>(space, objective_count, settings);
  if (settings.name == "ablation_greedy") return std::make_unique<AblationGreedyStrategy>(space, objective_count, settings);
  std::string known;
  for (const std::string& name : strategy_names()) known += (known.empty() ? "" : ", ") + name;
  fail("strategy: unknown strategy '", settings.name, "' (known: ", known, ")");
}

}  // namespace lathe::search
