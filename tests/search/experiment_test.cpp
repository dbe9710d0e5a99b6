// The experiment file: every key checked with file:line, key, expected and found; the
// space turned into dimensions and points back into recipes.
#include <gtest/gtest.h>

#include "core/error.h"
#include "recipe/recipe.h"
#include "search/experiment.h"
#include "search/synthetic_search.h"

namespace lathe::search {
namespace {

std::string valid_yaml() { return test_support::synthetic_experiment_yaml("out/x"); }

std::string error_of(const std::string& yaml) {
  try {
    (void)parse_experiment(yaml, "exp.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(Experiment, ReadsTheSyntheticExperiment) {
  const Experiment e = parse_experiment(valid_yaml(), "exp.yaml");
  EXPECT_EQ(e.file.name, "synthetic");
  ASSERT_EQ(e.objectives.size(), 2u);
  EXPECT_FALSE(e.objectives[0].maximize);
  EXPECT_TRUE(e.objectives[1].maximize);
  // prune.ratio, prune.present, quantize.weight_bits, quantize.act_bits, finetune.lr
  EXPECT_EQ(e.space.space().dimensions.size(), 5u);
}

struct BadCase {
  const char* what;
  std::string yaml;
  std::vector<std::string> expected_parts;
};

TEST(Experiment, BadFilesFailWithFileLineKeyExpectedAndFound) {
  const std::string good = valid_yaml();
  const std::vector<BadCase> cases = {
      {"unknown top key", good + "strategyy: {}\n", {"exp.yaml:", "strategyy: unknown key", "did you mean 'strategy'"}},
      {"wrong type", replaced(good, "seed: 5", "seed: five"), {"exp.yaml:3", "seed", "expected an integer", "'five'"}},
      {"out of range", replaced(good, "population: 6", "population: 1"), {"strategy.population", "got 1"}},
      {"unknown strategy", replaced(good, "name: nsga2", "name: nsga3"), {"strategy.name", "nsga3"}},
      {"bad mode", replaced(good, "mode: reproducible", "mode: fast"), {"mode", "'fast'"}},
      {"no budget", replaced(good, "budget: {evaluations: 24}", "budget: {evaluations: 0}"), {"budget"}},
      {"unknown metric", replaced(good, "metric: size_bytes", "metric: size"), {"objectives[0].metric", "'size'", "size_bytes"}},
      {"one objective", replaced(good, "  - {metric: validation_accuracy, goal: maximize}\n", ""), {"objectives", "2 or 3"}},
      {"bad goal", replaced(good, "goal: minimize", "goal: smaller"), {"objectives[0].goal", "'smaller'"}},
      {"reversed range", replaced(good, "range: [0.1, 0.9]", "range: [0.9, 0.1]"), {"exp.yaml:", "prune.ratio", "low <= high"}},
      {"log range from 0", replaced(good, "log_range: [0.001, 0.1]", "log_range: [0, 0.1]"), {"finetune.lr", "greater than 0"}},
      {"two kinds", replaced(good, "{int_range: [2, 8]}", "{int_range: [2, 8], choice: [4]}"), {"quantize.weight_bits", "exactly one"}},
      {"unknown dimension key", replaced(good, "{int_range: [2, 8]}", "{int_range: [2, 8], step: 2}"), {"quantize.weight_bits.step", "unknown key"}},
      {"unknown step", replaced(good, "- quantize:", "- quantise:"), {"exp.yaml:", "unknown step 'quantise'", "did you mean 'quantize'"}},
      {"threads 0 reproducible", replaced(good, "threads: 1", "threads: 0"), {"candidate.threads", "reproducible"}},
      {"no space", good.substr(0, good.find("space:")), {"space", "required"}},
      {"bad order label", good + "  orders: [[prune, finetun]]\n", {"space.orders[0]", "'finetun'"}},
      {"not yaml", "name: [unclosed\n", {"exp.yaml", "not valid YAML"}},
  };
  for (const BadCase& bad : cases) {
    const std::string message = error_of(bad.yaml);
    ASSERT_FALSE(message.empty()) << bad.what << ": accepted";
    for (const std::string& part : bad.expected_parts) {
      EXPECT_NE(message.find(part), std::string::npos) << bad.what << ": '" << part << "' not in: " << message;
    }
  }
}

// An ablation-greedy experiment over the synthetic one's header.
std::string ablation_yaml(const std::string& strategy, const std::string& steps) {
  const std::string good = valid_yaml();
  std::string text = good.substr(0, good.find("space:")) + "space:\n  steps:\n" + steps;
  const std::size_t at = text.find("strategy:");
  text.replace(at, text.find('\n', at) - at, "strategy: " + strategy);
  return text;
}

TEST(Experiment, AblationGreedyNeedsOneAblationStepAndOnlyStepsThatCanRunEveryRound) {
  const std::string ablation = "    - prune: {method: ablation, groups: filters, remove: 2}\n";
  const std::string finetune = "    - finetune: {epochs: 1, lr: {log_range: [0.001, 0.1]}}\n";
  const Experiment good = parse_experiment(
      ablation_yaml("{name: ablation_greedy, shards: 3, point: {finetune.lr: 0.01}}", ablation + finetune), "exp.yaml");
  EXPECT_EQ(good.point, (Point{0.01}));
  EXPECT_EQ(strategy_settings(good).shards, 3);
  const std::vector<BadCase> cases = {
      {"no remove", ablation_yaml("{name: ablation_greedy}", "    - prune: {method: ablation, groups: filters}\n" + finetune),
       {"exp.yaml", "ablation prune step needs `remove`"}},
      {"quantize each round", ablation_yaml("{name: ablation_greedy}", ablation + "    - quantize: {method: qat, weight_bits: 4}\n"),
       {"exp.yaml", "found a quantize step", "finetune or distill steps only"}},
      {"no ablation step", ablation_yaml("{name: ablation_greedy}", finetune), {"expected exactly one `prune: {method: ablation"}},
      {"a key the rounds set", ablation_yaml("{name: ablation_greedy}", "    - prune: {method: ablation, remove: 1, shards: 2}\n"),
       {"prune.shards: set by strategy ablation_greedy"}},
      {"point of another strategy", ablation_yaml("{name: nsga2, point: {finetune.lr: 0.01}}", ablation + finetune),
       {"exp.yaml:", "strategy.point: only strategy ablation_greedy takes a point"}},
      {"unknown point dimension", ablation_yaml("{name: ablation_greedy, point: {finetune.epochs: 2}}", ablation + finetune),
       {"strategy.point", "finetune.epochs"}},
      {"no shards", ablation_yaml("{name: ablation_greedy, shards: 0}", ablation + finetune), {"strategy.shards", "got 0"}},
  };
  for (const BadCase& bad : cases) {
    const std::string message = error_of(bad.yaml);
    ASSERT_FALSE(message.empty()) << bad.what << ": accepted";
    for (const std::string& part : bad.expected_parts) {
      EXPECT_NE(message.find(part), std::string::npos) << bad.what << ": '" << part << "' not in: " << message;
    }
  }
}

TEST(Experiment, IdentityIgnoresBudgetOutputAndNameOnly) {
  const std::string good = valid_yaml();
  const std::string identity = parse_experiment(good, "a.yaml").identity;
  EXPECT_EQ(parse_experiment(replaced(good, "evaluations: 24", "evaluations: 50"), "a.yaml").identity, identity);
  EXPECT_EQ(parse_experiment(replaced(good, "output: out/x", "output: elsewhere"), "a.yaml").identity, identity);
  EXPECT_NE(parse_experiment(replaced(good, "seed: 5", "seed: 6"), "a.yaml").identity, identity);
  EXPECT_NE(parse_experiment(replaced(good, "[0.1, 0.9]", "[0.1, 0.8]"), "a.yaml").identity, identity);
}

TEST(RecipeSpace, PointBecomesARecipeWithOptionalStepsAndPerLayerValues) {
  const YAML::Node node = YAML::Load(
      "steps:\n"
      "  - prune: {optional: true, select: ratio, ratio: {range: [0.1, 0.9], per_layer: [conv1, fc1], default: 0.5}}\n"
      "  - quantize: {weight_bits: {int_range: [2, 8]}, act_bits: {choice: [0, 8]}}\n"
      "  - finetune: {epochs: 1, lr: {log_range: [0.001, 0.1]}}\n");
  const RecipeSpace space(node, "exp.yaml");
  const auto& dims = space.space().dimensions;
  ASSERT_EQ(dims.size(), 6u);
  EXPECT_EQ(dims[0].name, "prune.ratio.conv1");
  EXPECT_EQ(dims[1].name, "prune.ratio.fc1");
  EXPECT_EQ(dims[2].name, "prune.present");
  EXPECT_EQ(dims[3].kind, Dimension::Kind::integer);
  EXPECT_EQ(dims[4].choices, (std::vector<std::string>{"0", "8"}));
  EXPECT_EQ(dims[5].kind, Dimension::Kind::log_real);

  const std::string with_prune = space.recipe_yaml({0.25, 0.75, 0, 4, 1, 0.01});
  EXPECT_EQ(with_prune,
            "- prune: {select: ratio, ratio: {default: 0.5, conv1: 0.25, fc1: 0.75}}\n"
            "- quantize: {weight_bits: 4, act_bits: 8}\n"
            "- finetune: {epochs: 1, lr: 0.01}\n");
  const recipe::Recipe parsed = recipe::parse_recipe(with_prune, "candidate");
  EXPECT_EQ(parsed.steps.size(), 3u);
  const std::string without_prune = space.recipe_yaml({0.25, 0.75, 1, 4, 0, 0.01});
  EXPECT_EQ(without_prune.find("prune"), std::string::npos);
  EXPECT_NE(without_prune.find("act_bits: 0"), std::string::npos);
}

TEST(RecipeSpace, SensitivityProbesCompressOneLayerAloneToItsExtreme) {
  const YAML::Node node = YAML::Load(
      "steps:\n"
      "  - prune: {select: ratio, saliency: {choice: [l1, taylor]}, layers: [conv1, fc1],\n"
      "            ratio: {range: [0.1, 0.9], per_layer: [conv1, fc1], default: 0.5}}\n"
      "  - quantize: {method: qat, weight_bits: {int_range: [2, 8], per_layer: [conv1]}}\n"
      "  - finetune: {epochs: 1, lr: {log_range: [0.001, 0.1]}}\n");
  const RecipeSpace space(node, "exp.yaml");
  const std::vector<SensitivityProbe> probes = space.sensitivity_probes();
  ASSERT_EQ(probes.size(), 3u);
  EXPECT_EQ(probes[0].recipe_yaml, "- prune: {select: ratio, layers: [conv1], saliency: l1, ratio: 0.9}\n");
  EXPECT_TRUE(probes[0].aggressive_is_high);
  EXPECT_EQ(probes[1].recipe_yaml, "- prune: {select: ratio, layers: [fc1], saliency: l1, ratio: 0.9}\n");
  EXPECT_EQ(probes[2].recipe_yaml, "- quantize: {method: qat, layers: [conv1], weight_bits: 2}\n");
  EXPECT_FALSE(probes[2].aggressive_is_high);
  EXPECT_EQ(space.space().dimensions[static_cast<std::size_t>(probes[2].dimension)].name,
            "quantize.weight_bits.conv1");
}

TEST(RecipeSpace, OrdersChooseTheStepOrder) {
  const YAML::Node node = YAML::Load(
      "steps:\n  - prune: {ratio: {range: [0.1, 0.9]}}\n  - quantize: {weight_bits: 4}\n"
      "  - finetune: {epochs: 1}\n"
      "orders: [[prune, quantize, finetune], [quantize, prune, finetune], [quantize, finetune]]\n");
  const RecipeSpace space(node, "exp.yaml");
  ASSERT_EQ(space.space().dimensions.size(), 2u);
  EXPECT_EQ(space.space().dimensions[1].choices,
            (std::vector<std::string>{"prune>quantize>finetune", "quantize>prune>finetune", "quantize>finetune"}));
  EXPECT_EQ(space.recipe_yaml({0.5, 1}).find("- quantize"), 0u);
  EXPECT_EQ(space.recipe_yaml({0.5, 2}).find("prune"), std::string::npos);
}

TEST(RecipeSpace, ProbePointsReachEveryChoiceAndBothEnds) {
  const Experiment e = parse_experiment(valid_yaml(), "exp.yaml");
  const std::vector<Point> probes = e.space.probe_points();
  const auto& dims = e.space.space().dimensions;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    bool low = false;
    bool high = false;
    for (const Point& p : probes) {
      low = low || p[d] == (dims[d].kind == Dimension::Kind::categorical ? 0.0 : dims[d].low);
      high = high || p[d] == (dims[d].kind == Dimension::Kind::categorical
                                  ? static_cast<double>(dims[d].choices.size() - 1)
                                  : dims[d].high);
    }
    EXPECT_TRUE(low && high) << dims[d].name;
  }
}

}  // namespace
}  // namespace lathe::search
