// `prune:` steps name their method first; each method has its own keys and factory
// (filter: docs/methods.md M4, here; ablation: M1, in compress/ablate/). The recipe's step
// factory (recipe/step_factory.cpp) reads the method and calls that factory.
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "compress/compression_step.h"

namespace lathe::compress {

// The step's `method` (default filter), checked against the known methods without
// reading the method's other keys: "recipe.yaml:3: steps[0].prune.method: expected one
// of filter, ablation, got 'filters' (did you mean 'filter'?)".
std::string read_prune_method(const YAML::Node& params, const StepSource& source);

}  // namespace lathe::compress
