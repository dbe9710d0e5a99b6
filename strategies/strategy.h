// A search strategy is ask/tell: ask for up to k candidates, tell it the evaluations.
// Deterministic for a seed: the same sequence of ask and tell calls gives the same
// candidates, which is what makes a search resumable (launch/search/ replays the journal
// into a fresh strategy) and reproducible for any number of workers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "strategies/rung_schedule.h"
#include "strategies/search_space.h"

namespace lathe::search {

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Up to `count` new candidates. Fewer, or none, when the strategy must hear results
  // first (the end of a generation) or has nothing left to try (a finished grid).
  virtual std::vector<Candidate> ask(int count) = 0;
  // Results may be told in any order; a reproducible search tells them in id order.
  virtual void tell(const Evaluation& evaluation) = 0;
  // True when the strategy will never propose another candidate (grid exhausted).
  [[nodiscard]] virtual bool exhausted() const = 0;
  [[nodiscard]] virtual std::string name() const = 0;
};

// One attempt of a fallback chain: a point of the space, run on the base or on the model
// of the best earlier attempt.
struct ChainAttempt {
  Point point;
  bool from_best = false;
};

// Settings shared by every strategy; each strategy reads the ones it needs.
struct StrategySettings {
  std::string name = "nsga2";  // random | grid | nsga2 | successive_halving | asha | fallback | ablation_greedy
  std::uint64_t seed = 1;
  int population = 16;         // nsga2: population size (also the generation size)
  double crossover_probability = 0.9;
  double mutation_probability = -1.0;  // per dimension; negative: 1 / dimensions
  int grid_points = 3;         // grid: values per real/integer dimension (choices: all)
  std::vector<Point> initial_points;   // evaluated first (seeding, e.g. from sensitivity)
  // nsga2: when a generation has been handed out but not all of it told, breed further
  // offspring from the current parents (steady-state) instead of asking for none, so no
  // worker idles. Its candidates then depend on when results arrive.
  bool asynchronous = false;
  // successive_halving, asha: the rungs (population is the number of new candidates of
  // one successive-halving bracket).
  RungSchedule rungs;
  // fallback: the attempts, in order.
  std::vector<ChainAttempt> chain;
  // ablation_greedy: the point every round's candidates use, the scoring candidates of one
  // round (the groups are spread over them) and the most rounds.
  Point point;
  int shards = 4;
  int rounds = 10;
};

// The names make_strategy knows, in the order --help lists them.
const std::vector<std::string>& strategy_names();

// The strategy named in `settings.name`; throws lathe::Error for an unknown name.
std::unique_ptr<Strategy> make_strategy(const SearchSpace& space, int objective_count,
                                        const StrategySettings& settings);

}  // namespace lathe::search
