// The search space of an experiment: a recipe template whose step keys may be dimensions,
// turned into strategies' dimensions, and a point turned back into a recipe.
//
//   steps:
//     - prune:    {optional: true, saliency: {choice: [l1, taylor]}, select: ratio,
//                  ratio: {range: [0.1, 0.8], per_layer: [conv2, fc1], default: 0.5}}
//     - quantize: {weight_bits: {int_range: [2, 8]}, act_bits: {choice: [0, 8]}}
//     - finetune: {epochs: {choice: [1, 2]}, lr: {log_range: [0.002, 0.05]}}
//   orders: [[prune, quantize, finetune], [quantize, prune, finetune]]   # optional
//
// A dimension is a mapping with one of `choice` (a list of values), `range` (numbers),
// `int_range` (integers) or `log_range` (numbers > 0, searched in log space), and
// optionally `per_layer` (one dimension per named layer; the step gets a mapping
// {default: D, layer: value, ...}, D from `default`). Any other value is fixed. A step
// with `optional: true` may be left out (a dimension `<label>.present`); `label` names a
// step (default: its kind, with _2, _3 for repeats); `orders` lists the step orders the
// search may choose between (a dimension `order`; steps missing from an order are left out).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "strategies/search_space.h"

namespace lathe::search {

// One step of a recipe as recipe texts hold it: "- <kind>: {<params in flow style>}\n".
std::string recipe_step_line(const std::string& kind, const YAML::Node& params);

// One searched key of a step.
struct SearchedKey {
  std::string key;                  // the step's key: ratio, weight_bits, lr
  std::vector<std::string> layers;  // per_layer names (empty: one value for the key)
  bool has_layer_default = false;
  YAML::Node layer_default;         // `default` beside per_layer
  std::vector<int> dimensions;      // one per layer (or one), indices into the space
  std::vector<YAML::Node> choices;  // categorical: the values, as written
};

struct StepTemplate {
  std::string kind;   // prune, quantize, share, distill, finetune
  std::string label;  // unique in the space
  YAML::Node fixed;   // the step's fixed keys (meta keys and searched keys removed)
  std::vector<SearchedKey> searched;
  int presence_dimension = -1;  // optional steps: a choice of [true, false]
  std::string where;            // file:line, for messages
};

// One layer's dimension compressed alone to its extreme (the lowest bit width, the highest
// pruning ratio), without fine-tuning: how much the model suffers tells how sensitive
// that layer is (strategies/sensitivity_seeds.h).
struct SensitivityProbe {
  int dimension = -1;
  bool aggressive_is_high = false;
  std::string recipe_yaml;
};

class RecipeSpace {
 public:
  RecipeSpace() = default;
  // `node` is the experiment's `space` section; `source` its file for messages.
  RecipeSpace(const YAML::Node& node, const std::string& source);
  // A space of training runs (a hyperparameter sweep): `space: {train: {optimizer.lr:
  // {log_range: [0.01, 0.1]}, epochs: {choice: [3, 5]}}}`, dotted keys of the training
  // config `training_template` (read from `template_path`); a point's "recipe" is that
  // config with the point's values in place.
  static RecipeSpace training(const YAML::Node& node, const std::string& source,
                              const YAML::Node& training_template, const std::string& template_path);

  [[nodiscard]] bool is_training() const { return training_template_.IsDefined() && !training_template_.IsNull(); }

  [[nodiscard]] const SearchSpace& space() const { return space_; }
  [[nodiscard]] const std::vector<StepTemplate>& steps() const { return steps_; }
  // The recipe of `point` as YAML text (a list of one-key mappings, one step per line).
  [[nodiscard]] std::string recipe_yaml(const Point& point) const;
  // The points that between them reach every choice and both ends of every range (each
  // dimension moved alone from the first point): checked against the base before a search.
  [[nodiscard]] std::vector<Point> probe_points() const;
  // A probe for every per-layer `weight_bits` of a quantize step and every per-layer
  // `ratio` of a prune step.
  [[nodiscard]] std::vector<SensitivityProbe> sensitivity_probes() const;

 private:
  SearchSpace space_;
  std::vector<StepTemplate> steps_;
  std::vector<std::vector<int>> orders_;  // indices into steps_; empty: the written order
  int order_dimension_ = -1;
  YAML::Node training_template_{YAML::NodeType::Null};  // training spaces: the config
  std::vector<SearchedKey> training_keys_;               // dotted keys of the config
};

}  // namespace lathe::search
