#include "recipe/recipe.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "config/canonical_yaml.h"
#include "config/yaml_document.h"
#include "config/yaml_reader.h"
#include "core/error.h"
#include "io/path_checks.h"
#include "recipe/json_text.h"

namespace lathe::recipe {
namespace {

bool looks_numeric(const std::string& text) {
  if (text.empty()) return false;
  char* end = nullptr;
  (void)std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

std::string node_to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    std::string out = "{";
    for (const auto& entry : node) {
      out += (out.size() > 1 ? ", " : "") + json_string(entry.first.Scalar()) + ": " +
             node_to_json(entry.second);
    }
    return out + "}";
  }
  if (node.IsSequence()) {
    std::string out = "[";
    for (const YAML::Node& item : node) out += (out.size() > 1 ? ", " : "") + node_to_json(item);
    return out + "]";
  }
  if (!node.IsDefined() || node.IsNull()) return "null";
  const std::string& text = node.Scalar();
  if (node.Tag() != "!" && (looks_numeric(text) || text == "true" || text == "false")) return text;
  return json_string(text);
}

// The layers a quantize or share step names in `layers`; nothing when it names none (it
// then takes every conv2d / linear layer). A `layers` that is not a list of names is left
// to the step's own reader to report.
struct LayerClaim {
  std::string kind;   // quantize or share
  std::string label;  // steps[0].quantize
  std::string where;  // file:line
  bool every_layer = true;
  std::vector<std::string> layers;
};

std::optional<LayerClaim> packing_claim(const RecipeStepSpec& step, const std::string& where) {
  if (step.kind != "quantize" && step.kind != "share") return std::nullopt;
  LayerClaim claim;
  claim.kind = step.kind;
  claim.label = step.source.label;
  claim.where = where;
  const YAML::Node layers = step.params["layers"];
  if (!layers.IsDefined() || layers.IsNull()) return claim;
  if (!layers.IsSequence()) return std::nullopt;
  claim.every_layer = false;
  for (const YAML::Node& layer : layers) {
    if (!layer.IsScalar()) return std::nullopt;
    claim.layers.push_back(layer.Scalar());
  }
  return claim;
}

// Quantize and share both store a layer's weights packed (codes on a grid, or indices
// into a codebook), and a tensor is stored one way: a share step and another quantize or
// share step on one layer are refused here, when the recipe is read, rather than when the
// artifact is packed. Two quantize steps stay allowed: the later one re-quantises.
void refuse_two_packings_of_one_layer(const std::vector<LayerClaim>& claims) {
  for (std::size_t later = 1; later < claims.size(); ++later) {
    for (std::size_t earlier = 0; earlier < later; ++earlier) {
      const LayerClaim& a = claims[earlier];
      const LayerClaim& b = claims[later];
      if (a.kind == "quantize" && b.kind == "quantize") continue;
      std::string shared;
      if (a.every_layer && b.every_layer) {
        shared = "every conv2d and linear layer (neither step lists 'layers')";
      } else {
        const std::vector<std::string>& listed = a.every_layer ? b.layers : a.layers;
        const LayerClaim& other = a.every_layer ? a : b;
        for (const std::string& layer : listed) {
          if (other.every_layer ||
              std::find(other.layers.begin(), other.layers.end(), layer) != other.layers.end()) {
            shared = "layer '" + layer + "'";
            break;
          }
        }
        if (!shared.empty() && (a.every_layer || b.every_layer)) {
          shared += " (" + other.label + " lists no 'layers', so it takes every layer)";
        }
      }
      LATHE_CHECK(shared.empty(), b.where, ": ", a.label, " and ", b.label, " both take ", shared,
                  ": a layer's weights are stored either quantised or as a shared codebook, not "
                  "both; give the two steps 'layers' lists with no layer in common");
    }
  }
}

}  // namespace

const std::vector<std::string>& recipe_step_kinds() {
  static const std::vector<std::string> kinds = {"prune", "quantize", "share", "distill",
                                                 "finetune"};
  return kinds;
}

Recipe parse_recipe(const std::string& yaml_text, const std::string& source) {
  const YAML::Node root = config::parse_yaml_document(yaml_text, source);
  return recipe_from_yaml(root, source, "", yaml_text);
}

Recipe recipe_from_yaml(const YAML::Node& root, const std::string& source,
                        const std::string& label_prefix, const std::string& yaml_text) {
  LATHE_CHECK(root.IsSequence() && root.size() > 0, config::source_line(source, root), ": ",
              label_prefix.empty() ? "" : label_prefix + ": ",
              "a recipe is a non-empty list of steps, e.g. "
              "'- prune: {method: filter}' then '- finetune: {epochs: 1}'");
  Recipe recipe;
  recipe.yaml_text = yaml_text;
  recipe.source = source;
  std::vector<LayerClaim> packing_claims;
  for (std::size_t i = 0; i < root.size(); ++i) {
    const YAML::Node& item = root[i];
    const std::string where = config::source_line(source, item);
    const std::string label = label_prefix + "steps[" + std::to_string(i) + "]";
    LATHE_CHECK(item.IsMap() && item.size() == 1, where, ": ", label,
                ": expected one step as a one-key mapping (e.g. '- prune: {...}')");
    const std::string kind = item.begin()->first.Scalar();
    const YAML::Node params = item.begin()->second;
    const auto& kinds = recipe_step_kinds();
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
      const std::string near = config::nearest_word(kind, kinds);
      std::string list;
      for (const std::string& known : kinds) list += (list.empty() ? "" : ", ") + known;
      fail(where, ": ", label, ": unknown step '", kind, "'",
           near.empty() ? "" : " (did you mean '" + near + "'?)", "; steps are ", list);
    }
    LATHE_CHECK(!params.IsDefined() || params.IsNull() || params.IsMap(), where, ": ", label, ".",
                kind, ": expected a mapping of the step's keys, e.g. {epochs: 1}");
    RecipeStepSpec step;
    step.kind = kind;
    step.params = params.IsMap() ? params : YAML::Node(YAML::NodeType::Map);
    // The file only: key readers add the line of the key they report on.
    step.source = {source, label + "." + kind};
    if (auto claim = packing_claim(step, where)) packing_claims.push_back(std::move(*claim));
    recipe.steps.push_back(std::move(step));
  }
  refuse_two_packings_of_one_layer(packing_claims);
  return recipe;
}

Recipe load_recipe(const std::string& path) {
  return parse_recipe(io::read_text_file(path, "a recipe YAML file"), path);
}

std::string recipe_to_json(const Recipe& recipe) {
  std::string out = "[";
  for (const RecipeStepSpec& step : recipe.steps) {
    out += (out.size() > 1 ? ", " : "") + std::string("{") + json_string(step.kind) + ": " +
           node_to_json(step.params) + "}";
  }
  return out + "]";
}

std::string canonical_recipe_json(const Recipe& recipe) {
  std::string out = "[";
  for (const RecipeStepSpec& step : recipe.steps) {
    out += (out.size() > 1 ? ", " : "") + std::string("{") + json_string(step.kind) + ": " +
           config::canonical_yaml_text(step.params) + "}";
  }
  return out + "]";
}

std::string recipe_hash(const Recipe& recipe) {
  return config::fnv1a_hex(canonical_recipe_json(recipe));
}

}  // namespace lathe::recipe
