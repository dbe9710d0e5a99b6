#include "search/experiment.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/canonical_yaml.h"
#include "config/yaml_document.h"
#include "config/yaml_reader.h"
#include "core/error.h"
#include "io/path_checks.h"
#include "search/ablation_round_recipe.h"
#include "search/rung_recipe.h"
#include "strategies/sensitivity_seeds.h"

namespace lathe::search {
namespace {

struct ObjectiveEntry {
  std::string metric;
  std::string goal = "minimize";
  template <class V>
  void visit(V& v) {
    v.text("metric", metric, "a metric of the evaluator", config::Presence::required);
    v.choice("goal", goal, {"minimize", "maximize"}, "whether smaller or larger is better");
  }
};

std::vector<ObjectiveSpec> read_objectives(const YAML::Node& node, const std::string& source) {
  const std::string where = config::source_line(source, node);
  LATHE_CHECK(node.IsSequence(), where,
              ": objectives: expected a list of {metric: NAME, goal: minimize|maximize}");
  const auto& names = objective_metric_names();
  std::string known;
  for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
  std::vector<ObjectiveSpec> objectives;
  for (std::size_t i = 0; i < node.size(); ++i) {
    ObjectiveEntry entry;
    config::YamlReader::read(node[i], entry, source, "objectives[" + std::to_string(i) + "].");
    if (std::find(names.begin(), names.end(), entry.metric) == names.end()) {
      const std::string near = config::nearest_word(entry.metric, names);
      fail(config::source_line(source, node[i]), ": objectives[", i, "].metric: expected one of ",
           known, ", got '", entry.metric, "'", near.empty() ? "" : " (did you mean '" + near + "'?)");
    }
    for (const ObjectiveSpec& other : objectives) {
      LATHE_CHECK(other.metric != entry.metric, config::source_line(source, node[i]),
                  ": objectives[", i, "].metric: '", entry.metric, "' is named twice");
    }
    objectives.push_back({entry.metric, entry.goal == "maximize"});
  }
  LATHE_CHECK(objectives.size() >= 2 && objectives.size() <= 3, where,
              ": objectives: expected 2 or 3 objectives (the front and its hypervolume need them), got ",
              objectives.size());
  return objectives;
}

// Everything that decides which candidates are evaluated and what they measure; the
// budget, the output folder and the name may change between runs of one search.
std::string identity_of(const YAML::Node& root) {
  YAML::Node copy = YAML::Clone(root);
  for (const char* key : {"budget", "output", "name"}) copy.remove(key);
  return config::fnv1a_hex(config::canonical_yaml_text(copy));
}

// strategy.chain: a list of {point: {dimension: value}, start_from: base | best}.
std::vector<ChainAttempt> read_chain(const YAML::Node& chain, const SearchSpace& space, const std::string& source) {
  const bool given = chain.IsDefined() && !chain.IsNull();
  const std::string where = given ? config::source_line(source, chain) : source;
  LATHE_CHECK(given && chain.IsSequence() && chain.size() > 0, where,
              ": strategy.chain: expected a list of attempts ({point: {...}, start_from: base or best}) for "
              "strategy fallback, found ", given ? "another kind of value" : "none");
  const Point middle = middle_point(space);
  std::vector<ChainAttempt> attempts;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const YAML::Node& entry = chain[i];
    const std::string at = config::source_line(source, entry) + ": strategy.chain[" + std::to_string(i) + "]";
    LATHE_CHECK(entry.IsMap(), at, ": expected {point: {...}, start_from: base or best}");
    for (const auto& key : entry) {
      const std::string name = key.first.Scalar();
      LATHE_CHECK(name == "point" || name == "start_from", at, ".", name, ": unknown key (expected point, start_from)");
    }
    ChainAttempt attempt;
    attempt.point = partial_point(space, entry["point"] ? entry["point"] : YAML::Node(YAML::NodeType::Map), middle,
                                  at + ".point");
    const std::string start = entry["start_from"] ? entry["start_from"].Scalar() : "base";
    LATHE_CHECK(start == "base" || start == "best", at, ".start_from: expected base or best, found '", start, "'");
    LATHE_CHECK(start == "base" || i > 0, at, ".start_from: best, but no attempt is earlier (expected base)");
    attempt.from_best = start == "best";
    attempts.push_back(std::move(attempt));
  }
  return attempts;
}

}  // namespace

Experiment parse_experiment(const std::string& yaml_text, const std::string& source) {
  const YAML::Node root = config::parse_yaml_document(yaml_text, source);
  Experiment experiment;
  experiment.path = source;
  experiment.yaml_text = yaml_text;
  config::YamlReader::read(root, experiment.file, source);
  ExperimentFile& file = experiment.file;
  LATHE_CHECK(!file.base.empty() || !file.train.empty() || !file.base_search.empty(), source,
              ": base: required (a trained checkpoint), or `train` with a training config, or "
              "`base_search` with an earlier search's output folder");
  if (!file.base_search.empty()) {
    LATHE_CHECK(file.kind == "compress", source, ": base_search: only a compress search starts from an "
                "earlier search's model (this one is kind ", file.kind, ")");
    LATHE_CHECK(file.base.empty() && file.train.empty(), source, ": base_search: give it instead of ",
                file.base.empty() ? "train" : "base", ", not with it (the base is the earlier search's model)");
  }
  LATHE_CHECK(file.kind == "compress" || !file.train.empty(), source,
              ": train: required with kind: train (the training config the space's keys change)");
  LATHE_CHECK(file.budget.evaluations > 0 || file.budget.wall_minutes > 0.0, source,
              ": budget: expected evaluations or wall_minutes greater than 0 (a search needs an end)");
  if (file.mode == "reproducible") {
    LATHE_CHECK(file.candidate.threads > 0, source,
                ": candidate.threads: a reproducible search needs a fixed thread count (sums change "
                "with it), got 0; set it, or mode: asynchronous");
  }
  LATHE_CHECK(file.strategy.sensitivity_seeds <= file.strategy.population, source,
              ": strategy.sensitivity_seeds: expected at most strategy.population (", file.strategy.population,
              ") seeds, got ", file.strategy.sensitivity_seeds);
  experiment.objectives = read_objectives(file.objectives, source);
  experiment.space = file.kind == "train"
                         ? RecipeSpace::training(file.space, source, config::load_yaml_file(file.train), file.train)
                         : RecipeSpace(file.space, source);
  LATHE_CHECK(!experiment.space.space().dimensions.empty() || file.strategy.name == "grid" ||
                  file.strategy.name == "ablation_greedy",
              source,
              ": space: no key is searched (give some key a choice, range, int_range or log_range)");
  if (file.strategy.name == "fallback") {
    experiment.chain = read_chain(file.strategy.chain, experiment.space.space(), source);
  } else {
    const bool has_chain = file.strategy.chain.IsDefined() && !file.strategy.chain.IsNull();
    LATHE_CHECK(!has_chain, has_chain ? config::source_line(source, file.strategy.chain) : source,
                ": strategy.chain: only strategy fallback takes a chain (this one is ", file.strategy.name, ")");
  }
  const bool has_point = file.strategy.point.IsDefined() && !file.strategy.point.IsNull();
  if (file.strategy.name == "ablation_greedy") {
    const YAML::Node values = has_point ? file.strategy.point : YAML::Node(YAML::NodeType::Map);
    const std::string at = has_point ? config::source_line(source, file.strategy.point) : source;
    experiment.point = partial_point(experiment.space.space(), values, middle_point(experiment.space.space()),
                                     at + ": strategy.point");
    check_space_for_ablation_rounds(experiment.space, experiment.point, source);
  } else {
    LATHE_CHECK(!has_point, has_point ? config::source_line(source, file.strategy.point) : source,
                ": strategy.point: only strategy ablation_greedy takes a point (this one is ", file.strategy.name, ")");
  }
  if (uses_rungs(file.strategy)) {
    LATHE_CHECK(file.strategy.max_epochs >= file.strategy.min_epochs, source, ": strategy.max_epochs: expected at least "
                "strategy.min_epochs (", file.strategy.min_epochs, "), got ", file.strategy.max_epochs);
    check_space_for_rungs(experiment.space, file.strategy.name);
  }
  experiment.identity = identity_of(root);
  return experiment;
}

Experiment load_experiment(const std::string& path) {
  return parse_experiment(io::read_text_file(path, "an experiment YAML file"), path);
}

StrategySettings strategy_settings(const Experiment& experiment) {
  StrategySettings settings;
  const StrategySection& s = experiment.file.strategy;
  settings.name = s.name;
  settings.seed = static_cast<std::uint64_t>(experiment.file.seed);
  settings.population = s.population;
  settings.crossover_probability = s.crossover_probability;
  settings.mutation_probability = s.mutation_probability;
  settings.grid_points = s.grid_points;
  settings.asynchronous = experiment.file.mode == "asynchronous";
  settings.rungs = rung_schedule(s);
  settings.chain = experiment.chain;
  settings.point = experiment.point;
  settings.shards = s.shards;
  settings.rounds = s.rounds;
  return settings;
}

bool starts_from_earlier_models(const StrategySection& strategy) {
  return strategy.name == "fallback" || strategy.name == "ablation_greedy";
}

bool uses_rungs(const StrategySection& strategy) {
  return strategy.name == "successive_halving" || strategy.name == "asha";
}

RungSchedule rung_schedule(const StrategySection& strategy) {
  return {strategy.eta, strategy.min_epochs, strategy.max_epochs};
}

}  // namespace lathe::search
