// A candidate's recipe: an ordered list of compression steps applied to a trained base
// model, written in YAML as a list of one-key mappings:
//
//   - prune:    {method: filter, saliency: l1, select: knee}
//   - quantize: {method: qat, weight_bits: 4, act_bits: 8}
//   - finetune: {epochs: 1, lr: 0.01}
//
// Parsing checks the shape of the list and the step kinds; each step's own keys are
// checked by the step (recipe/step_factory.h) before anything runs.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "compress/compression_step.h"

namespace lathe::recipe {

struct RecipeStepSpec {
  std::string kind;       // prune, quantize, share, distill, finetune
  YAML::Node params;      // the step's own keys (a mapping, possibly empty)
  compress::StepSource source;
};

struct Recipe {
  std::vector<RecipeStepSpec> steps;
  std::string yaml_text;  // as written, stored in the artifact
  std::string source;     // file name, for messages
};

// The step kinds a recipe may name, in the order the docs list them.
const std::vector<std::string>& recipe_step_kinds();

Recipe parse_recipe(const std::string& yaml_text, const std::string& source);
// A recipe written inside another file (a fallback chain's attempt): messages give that
// file's lines, and labels start with `label_prefix` ("attempts[1].recipe.").
Recipe recipe_from_yaml(const YAML::Node& root, const std::string& source,
                        const std::string& label_prefix, const std::string& yaml_text);
Recipe load_recipe(const std::string& path);
// The recipe on one line as JSON, for logs, messages and result tables.
std::string recipe_to_json(const Recipe& recipe);
// The recipe as one canonical line of JSON, equal for recipes that differ only in how
// they are written: the steps in order, each mapping's keys sorted, numbers in their
// shortest exact form (0.50 and 0.5, 1e-2 and 0.01, 8.0 and 8 read the same), keys
// with a null value dropped (the reader takes them as absent), flow or block style and
// comments gone. Quoted scalars stay strings.
std::string canonical_recipe_json(const Recipe& recipe);
// 16 lower-case hex digits of the 64-bit FNV-1a hash of canonical_recipe_json: the
// identity of a candidate's recipe in search results and journals.
std::string recipe_hash(const Recipe& recipe);

}  // namespace lathe::recipe
