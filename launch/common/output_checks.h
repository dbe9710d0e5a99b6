// Outputs are checked before any work starts: a path that is a directory (or a pipe, or
// under a file) is refused up front rather than after an hour of training, and a path
// that names one of the run's inputs (the training data, the base, the recipe) is
// refused rather than overwritten. io/path_checks.h decides; this gathers the inputs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "io/checkpoint.h"

namespace lathe::launch {

// The files a run on a trained checkpoint reads: the base itself, `others` (a recipe, a
// chain, --data's file) and the data files of the data it is evaluated on.
std::vector<std::string> checkpoint_run_inputs(const io::Checkpoint& base, const std::string& base_path,
                                               const std::optional<std::string>& data_path,
                                               const std::vector<std::string>& others);

// Refuses each of `outputs` unless it can be written without replacing one of `inputs`.
void require_outputs(const std::vector<std::string>& outputs, const std::vector<std::string>& inputs,
                     const std::string& where);

}  // namespace lathe::launch
