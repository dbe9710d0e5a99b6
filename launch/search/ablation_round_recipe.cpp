#include "search/ablation_round_recipe.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>

#include "compress/ablate/ablation_table_file.h"
#include "core/error.h"

namespace lathe::search {
namespace {

constexpr const char* kScoringMarker = "# ablation-greedy scores: ";

bool is_ablation_step(const YAML::Node& step) {
  const YAML::Node params = step["prune"];
  return params && params.IsMap() && params["method"] && params["method"].Scalar() == "ablation";
}

}  // namespace

std::string shard_table_name(std::int64_t candidate_id) {
  char name[64];
  std::snprintf(name, sizeof name, "ablation/candidate-%06lld-scores.h5", static_cast<long long>(candidate_id));
  return name;
}

std::string round_table_name(int round) {
  char name[64];
  std::snprintf(name, sizeof name, "ablation/round-%03d-scores.h5", round);
  return name;
}

std::string scoring_recipe(const std::string& recipe_yaml, int round, int shard, int shards,
                           const std::string& table_path) {
  const YAML::Node steps = YAML::Load(recipe_yaml);
  for (const YAML::Node& step : steps) {
    if (!is_ablation_step(step)) continue;
    YAML::Node params = YAML::Clone(step["prune"]);
    params.remove("remove");
    params.remove("threshold");
    params["shard"] = shard;
    params["shards"] = shards;
    params["write_table"] = table_path;
    return kScoringMarker + ("round " + std::to_string(round) + ", shard " + std::to_string(shard) + " of " +
                             std::to_string(shards) + "\n") +
           recipe_step_line("prune", params);
  }
  fail("ablation_greedy: the recipe has no `prune: {method: ablation}` step:\n", recipe_yaml);
}

std::string removal_recipe(const std::string& recipe_yaml, const std::string& table_path) {
  const YAML::Node steps = YAML::Load(recipe_yaml);
  std::string text;
  for (const YAML::Node& step : steps) {
    const std::string kind = step.begin()->first.Scalar();
    YAML::Node params = YAML::Clone(step.begin()->second);
    if (is_ablation_step(step)) params["table"] = table_path;
    text += recipe_step_line(kind, params);
  }
  return text;
}

bool is_scoring_recipe(const std::string& recipe_yaml) {
  return recipe_yaml.rfind(kScoringMarker, 0) == 0 ||
         recipe_yaml.find(std::string("\n") + kScoringMarker) != std::string::npos;
}

void check_space_for_ablation_rounds(const RecipeSpace& space, const Point& point, const std::string& source) {
  const std::string strategy = "strategy ablation_greedy";
  LATHE_CHECK(!space.is_training(), source, ": ", strategy,
              " removes parameter groups from compression recipes' models; a training sweep (kind: train) "
              "cannot use it");
  for (const StepTemplate& step : space.steps()) {
    const bool ablation = step.kind == "prune" && step.fixed["method"] && step.fixed["method"].Scalar() == "ablation";
    if (!ablation) {
      LATHE_CHECK(step.kind == "finetune" || step.kind == "distill", step.where, ": ", step.label, ": with ", strategy,
                  " a recipe holds the ablation prune step and finetune or distill steps only, since every round "
                  "runs them again on the previous round's model; found a ", step.kind,
                  " step (compress the result further with another search, started from its artifact)");
      continue;
    }
    const auto given = [&](const char* key) {
      return static_cast<bool>(step.fixed[key]) ||
             std::any_of(step.searched.begin(), step.searched.end(), [&](const SearchedKey& k) { return k.key == key; });
    };
    LATHE_CHECK(given("remove") || given("threshold"), step.where, ": ", step.label, ": with ", strategy,
                " the ablation prune step needs `remove` (the groups each round removes) or `threshold`");
    for (const char* key : {"table", "write_table", "shard", "shards"}) {
      LATHE_CHECK(!given(key), step.where, ": ", step.label, ".", key, ": set by ", strategy,
                  " for each round; leave it out of the step");
    }
  }
  const std::string recipe = space.recipe_yaml(point);
  const YAML::Node steps = YAML::Load(recipe);
  const auto ablation_steps = std::count_if(steps.begin(), steps.end(), [](const YAML::Node& s) { return is_ablation_step(s); });
  LATHE_CHECK(ablation_steps == 1, source, ": space: with ", strategy,
              " expected exactly one `prune: {method: ablation, ...}` step in the recipe of strategy.point, found ",
              ablation_steps, " in:\n", recipe);
}

void write_round_table(const std::vector<std::string>& shard_paths, const std::string& round_path) {
  std::vector<compress::ablate::AblationTable> tables;
  tables.reserve(shard_paths.size());
  for (const std::string& path : shard_paths) tables.push_back(compress::ablate::read_ablation_table(path));
  compress::ablate::write_ablation_table(round_path, compress::ablate::merge_ablation_tables(tables, round_path));
}

}  // namespace lathe::search
