#include "search/smallest_model_points.h"

#include <set>
#include <string>

#include "strategies/sensitivity_seeds.h"

namespace lathe::search {
namespace {

// Keys that change how a model trains or is calibrated, never its stored structure.
bool structure_neutral(const std::string& kind, const std::string& key) {
  static const std::set<std::string> prune = {"saliency", "batches"};
  static const std::set<std::string> quantize = {
      "method",  "act_bits",    "act_symmetric", "calibration", "percentile", "calibration_batches",
      "range_update", "window", "ratio_up",      "ratio_down",  "update_rule", "weight_old",
      "weight_mean",  "coefficient", "momentum",  "start_bits",  "switch_fraction"};
  if (kind == "finetune") return true;
  if (kind == "prune") return prune.contains(key);
  if (kind == "quantize") return quantize.contains(key);
  return false;
}

std::string fixed_text(const YAML::Node& fixed, const char* key, const char* otherwise) {
  return fixed[key] && fixed[key].IsScalar() ? fixed[key].Scalar() : otherwise;
}

// The dimension's highest (or lowest) value; false for a choice that is not numeric.
bool set_extreme(const Dimension& dimension, bool highest, double& value) {
  if (dimension.kind != Dimension::Kind::categorical) {
    value = highest ? dimension.high : dimension.low;
    return true;
  }
  double best = 0.0;
  for (std::size_t c = 0; c < dimension.choices.size(); ++c) {
    double number = 0.0;
    try {
      number = std::stod(dimension.choices[c]);
    } catch (const std::exception&) {
      return false;
    }
    if (c == 0 || (highest ? number > best : number < best)) {
      best = number;
      value = static_cast<double>(c);
    }
  }
  return true;
}

}  // namespace

std::vector<SmallestModelPoint> smallest_model_points(const RecipeSpace& recipe_space) {
  if (recipe_space.is_training()) return {};
  const SearchSpace& space = recipe_space.space();
  SmallestModelPoint smallest{middle_point(space), {}};
  for (const StepTemplate& step : recipe_space.steps()) {
    if (step.kind == "share" || step.kind == "distill") return {};
    if (step.kind == "prune" &&
        (fixed_text(step.fixed, "method", "filter") != "filter" || fixed_text(step.fixed, "select", "knee") != "ratio")) {
      return {};
    }
    if (step.presence_dimension >= 0 && step.kind != "finetune") {
      smallest.point[static_cast<std::size_t>(step.presence_dimension)] = 0.0;  // choice "true"
      smallest.set_dimensions.push_back(step.presence_dimension);
    }
    for (const SearchedKey& searched : step.searched) {
      const bool ratio = step.kind == "prune" && searched.key == "ratio";
      const bool bits = step.kind == "quantize" && searched.key == "weight_bits";
      if (!ratio && !bits) {
        if (structure_neutral(step.kind, searched.key)) continue;
        return {};
      }
      for (const int d : searched.dimensions) {
        const auto at = static_cast<std::size_t>(d);
        if (!set_extreme(space.dimensions[at], ratio, smallest.point[at])) return {};
        smallest.set_dimensions.push_back(d);
      }
    }
  }
  // An order may leave steps out: each order's smallest model is measured.
  for (std::size_t d = 0; d < space.dimensions.size(); ++d) {
    if (space.dimensions[d].name != "order") continue;
    std::vector<SmallestModelPoint> by_order;
    for (std::size_t choice = 0; choice < space.dimensions[d].choices.size(); ++choice) {
      SmallestModelPoint ordered = smallest;
      ordered.point[d] = static_cast<double>(choice);
      ordered.set_dimensions.push_back(static_cast<int>(d));
      by_order.push_back(std::move(ordered));
    }
    return by_order;
  }
  return {smallest};
}

}  // namespace lathe::search
