// The experiment file of `lathe search`: which base model, which data, the search space of
// recipes, the objectives, the hard constraints, the strategy, the budget and where the
// output goes. Every key is declared once here (reader, --help and docs come from the same
// declarations) and checked before any rank starts work.
//
//   name: lenet5_joint
//   base: out/lenet5.h5                  # or train: configs/train/lenet5.yaml,
//                                        # or base_search: an earlier search's output folder
//   output: out/search/lenet5_joint
//   budget: {evaluations: 60}
//   objectives: [{metric: size_bytes, goal: minimize}, {metric: validation_accuracy, goal: maximize}]
//   constraints: {max_accuracy_drop: 0.005}
//   strategy: {name: nsga2, population: 12}
//   space:
//     steps:
//       - prune: {optional: true, select: ratio, ratio: {range: [0.1, 0.8]}}
//       - quantize: {weight_bits: {int_range: [2, 8]}, act_bits: {choice: [0, 8]}}
//       - finetune: {epochs: {choice: [1, 2]}, lr: {log_range: [0.002, 0.05]}}
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/field_checks.h"
#include "recipe/fallback.h"
#include "search/evaluation_record.h"
#include "search/recipe_space.h"
#include "strategies/strategy.h"

namespace lathe::search {

struct BudgetSection {
  std::int64_t evaluations = 0;  // 0: no limit (then wall_minutes must be set)
  double wall_minutes = 0.0;     // 0: no limit

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.number("evaluations", evaluations, Range::closed(0, 1e9),
             "stop after this many evaluations (0: no limit)");
    v.number("wall_minutes", wall_minutes, Range::at_least(0.0),
             "stop handing out candidates after this many minutes, over all runs (0: no limit)");
  }
};

struct CandidateSection {
  double time_limit_seconds = 3600.0;
  int threads = 1;
  std::string device = "cpu";
  int batch_size = 128;
  bool measure_latency = false;
  int kept_states = 32;

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.number("time_limit_seconds", time_limit_seconds, Range::at_least(0.0),
             "a candidate still training after this long is cancelled and recorded as timeout (0: none)");
    v.number("threads", threads, Range::closed(0, 1024),
             "CPU threads per worker; 0: the node's cores shared among its workers (asynchronous "
             "mode only: a reproducible search fixes the threads, since sums change with them)");
    v.choice("device", device, {"cpu", "cuda", "auto"},
             "cpu, cuda (the GPU of the worker's node-local rank) or auto");
    v.number("batch_size", batch_size, Range::closed(1, 65536),
             "images per step of fine-tuning and evaluation (a finetune step may set its own)");
    v.flag("measure_latency", measure_latency,
           "measure batch-1 and batch-128 latency of every candidate (needed for latency objectives)");
    v.number("kept_states", kept_states, Range::closed(0, 100000),
             "successive_halving, asha: training states each worker keeps in memory so that a promoted "
             "candidate continues where it stopped (the most recent; one not kept is run again from the "
             "base, to the same numbers)");
  }
};

struct StrategySection {
  std::string name = "nsga2";
  int population = 16;
  double crossover_probability = 0.9;
  double mutation_probability = -1.0;
  int grid_points = 3;
  int sensitivity_seeds = 0;
  int eta = 3;
  int min_epochs = 1;
  int max_epochs = 9;
  YAML::Node chain;
  YAML::Node point;
  int shards = 4;
  int rounds = 10;

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.choice("name", name, {"nsga2", "random", "grid", "successive_halving", "asha", "fallback", "ablation_greedy"},
             "the search strategy");
    v.number("population", population, Range::closed(2, 100000),
             "candidates per generation (nsga2's population; random and grid: the batch told at once; "
             "successive_halving: new candidates per bracket; asha: the batch asked at once in "
             "reproducible mode)");
    v.number("crossover_probability", crossover_probability, Range::closed(0.0, 1.0),
             "nsga2: probability that two parents are crossed");
    v.number("mutation_probability", mutation_probability, Range::closed(-1.0, 1.0),
             "nsga2: per-dimension mutation probability (negative: 1 / dimensions)");
    v.number("grid_points", grid_points, Range::closed(2, 1000),
             "grid: values per numeric dimension");
    v.number("sensitivity_seeds", sensitivity_seeds, Range::closed(0, 1000),
             "start with this many candidates placed by per-layer sensitivity: each per-layer "
             "weight_bits and ratio is first probed alone at its extreme without fine-tuning, and "
             "insensitive layers get compressed further (0: none)");
    v.number("eta", eta, Range::closed(2, 100),
             "successive_halving, asha: each rung keeps the best 1/eta of the one below and trains them "
             "eta times as many epochs");
    v.number("min_epochs", min_epochs, Range::closed(1, 1000),
             "successive_halving, asha: fine-tune epochs of the lowest rung (the last finetune step's)");
    v.number("max_epochs", max_epochs, Range::closed(1, 1000),
             "successive_halving, asha: fine-tune epochs of the top rung (at least min_epochs)");
    v.node("chain", chain,
           "fallback: the attempts in order, each {point: {dimension: value, ...}, start_from: base or "
           "best}; dimensions not given sit at the middle of their range (first choice of a list); "
           "the chain stops at the first attempt that meets the constraints");
    v.node("point", point,
           "ablation_greedy: the point {dimension: value, ...} every round uses; dimensions not given sit at "
           "the middle of their range (first choice of a list)");
    v.number("shards", shards, Range::closed(1, 100000),
             "ablation_greedy: scoring candidates per round, each scoring one slice of the round model's "
             "groups (spread over the workers)");
    v.number("rounds", rounds, Range::closed(1, 10000),
             "ablation_greedy: the most rounds of scoring all groups and removing the `remove` least "
             "important; the search stops earlier at the first round whose model meets the constraints");
  }
};

struct ExperimentFile {
  std::string name;
  std::string kind = "compress";
  std::string base;
  std::string base_search;
  std::string train;
  std::string data;
  std::int64_t seed = 1;
  std::string mode = "reproducible";
  std::string output;
  BudgetSection budget;
  CandidateSection candidate;
  recipe::TargetCondition constraints;
  StrategySection strategy;
  YAML::Node objectives;
  YAML::Node space;

  template <class V>
  void visit(V& v) {
    using config::Presence;
    using config::Range;
    v.text("name", name, "the experiment's name, shown in progress lines and the report",
           Presence::required);
    v.choice("kind", kind, {"compress", "train"},
             "compress: candidates are recipes applied to the base; train: candidates are training "
             "runs of the `train` config with the space's keys changed (a hyperparameter sweep; the "
             "base is the config as written)");
    v.text("base", base,
           "the trained base checkpoint (.h5); with `train`, where the trained base is written");
    v.text("base_search", base_search,
           "instead of base: the output folder of an earlier search, whose smallest feasible model "
           "becomes the base; constraints and size ratios stay measured against that search's base "
           "(prune in one search, then quantise in the next)");
    v.text("train", train,
           "a training config: the base is trained first when `base` does not exist yet (kind "
           "train: the config whose keys the space changes)");
    v.text("data", data, "a data-section YAML file instead of the base's own data");
    v.number("seed", seed, Range::closed(0, 4.6e18),
             "the experiment seed: with a candidate's id it gives the candidate's seed");
    v.choice("mode", mode, {"reproducible", "asynchronous"},
             "reproducible: generations, results told in id order, the same results for any "
             "number of workers; asynchronous: no barrier, more throughput, results depend on timing");
    v.text("output", output, "the output folder (journal, results.h5, artifacts, report.html)",
           Presence::required);
    v.section("budget", budget, "when the search stops", Presence::required);
    v.section("candidate", candidate, "how each candidate runs");
    v.section("constraints", constraints,
              "hard limits: an infeasible candidate is recorded but never enters the front");
    v.section("strategy", strategy, "how candidates are chosen");
    v.node("objectives", objectives,
           "a list of 2 or 3 {metric: NAME, goal: minimize or maximize}", Presence::required);
    v.node("space", space, "the recipes to search: steps whose keys may be dimensions",
           Presence::required);
  }
};

struct Experiment {
  ExperimentFile file;
  std::string path;       // as given
  std::string yaml_text;  // the file as written
  std::vector<ObjectiveSpec> objectives;
  RecipeSpace space;
  // Hash of everything that decides the results (not the budget, output or name): a
  // resume must find the same identity in the journal.
  std::string identity;
  // Hash of the base checkpoint's model (spec, normalisation, weights; not its metadata)
  // or, for kind train, of the training config's bytes; set once the file exists
  // (launch/cli prepares it), "" when unknown. The journal records it with the base's
  // metrics, and a resume on another base is refused.
  std::string base_file_hash;
  // With base_search: the model the constraints are measured against (the earlier search's
  // own base), set by resolve_base_search; the coordinator journals it as the base.
  std::optional<recipe::CandidateMetrics> reference;
  std::vector<ChainAttempt> chain;  // strategy fallback: strategy.chain, read against the space
  Point point;                      // strategy ablation_greedy: strategy.point, read against the space
};

Experiment load_experiment(const std::string& path);
Experiment parse_experiment(const std::string& yaml_text, const std::string& source);

// The strategy's settings from the experiment (seed, generation size, mode).
StrategySettings strategy_settings(const Experiment& experiment);

// Whether candidates may start from the model of any earlier candidate (fallback,
// ablation_greedy), so every artifact is kept, feasible or not.
bool starts_from_earlier_models(const StrategySection& strategy);

// Whether the strategy is multi-fidelity (successive_halving, asha), and its rungs.
bool uses_rungs(const StrategySection& strategy);
RungSchedule rung_schedule(const StrategySection& strategy);

}  // namespace lathe::search
