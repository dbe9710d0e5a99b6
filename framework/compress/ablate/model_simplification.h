// docs/methods.md M1 step 5, "remove them to get the simplified model": groups whose removal
// is a pass-through (bypassed layers, residual blocks) leave the spec, so the simplified
// model is physically smaller; the remaining weights are copied over by name.
#pragma once

#include <vector>

#include "compress/ablate/ablation_group.h"
#include "nn/model.h"

namespace lathe::compress::ablate {

// The spec with every `bypasses` edit applied in order: dropped layers removed, inputs
// naming a bypassed layer rewired. `where` names the caller in errors.
[[nodiscard]] nn::ModelSpec spec_without(const nn::ModelSpec& spec, const std::vector<SpecBypass>& bypasses,
                                         const std::string& where);

// A new model built from spec_without(...) holding `model`'s weights for every layer
// that remains (same names, same shapes).
[[nodiscard]] nn::Model simplified_model(nn::Model& model, const std::vector<SpecBypass>& bypasses,
                                         const std::string& where);

}  // namespace lathe::compress::ablate
