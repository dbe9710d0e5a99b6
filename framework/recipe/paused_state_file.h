// A candidate paused by a stop request (SLURM's warning, a preemption), saved to a file so
// that another process continues it exactly (recipe/evaluator.h, PausedCandidate).
//
// The file is a Lathe checkpoint file (io/checkpoint_file.h: HDF5, written atomically)
// holding, under its own names:
//   model/<layer>/<parameter>   the model's weights at the pause (masks, quantiser ranges,
//                               batchnorm statistics included), model_spec its layers
//   optimizer/<i>               the optimiser's state (SGD velocity, Adam's moments)
//   hook/<step>/<key>           each applied step's hook state (TrainingHook::save_state):
//                               tensors as tensors, numbers as number metadata
// and as metadata the recipe's hash and step texts, the seed and batch size, the step it
// paused before (or inside), the epochs and optimiser steps done there, and a checksum of
// all of it. The step objects themselves are not stored: the reader applies the steps
// done to the base again (the same seed builds the same masks, quantisers and teacher) and
// then loads the saved weights and hook states over them. The random state needs nothing:
// batch order and dropout are functions of the seed, the epoch and the step.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"
#include "data/data_config.h"
#include "io/checkpoint.h"
#include "recipe/evaluator.h"
#include "recipe/recipe.h"

namespace lathe::recipe {

// Writes `paused` (stopped part-way through `recipe`: ResumableOutcome::paused with
// stopped set) to `path` atomically; the parent folder must exist.
void write_paused_state(const std::string& path, PausedCandidate& paused, const Recipe& recipe);

// The candidate saved at `path`, ready for compress_measure_and_keep to continue `recipe`
// on `base` with `options`. Throws lathe::Error naming the file and what is wrong when it
// is missing, damaged (unreadable, or its checksum does not match), or saved for another
// recipe, seed, batch size or base model.
std::unique_ptr<PausedCandidate> read_paused_state(const std::string& path, const io::Checkpoint& base,
                                                   const std::string& base_path, const Recipe& recipe,
                                                   const data::DataSplits& data, Backend& backend,
                                                   const EvaluatorOptions& options);

}  // namespace lathe::recipe
