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
// paused before (or inside), the epochs and optimiser steps done there, for a pause inside
// an epoch that epoch's steps, images, loss sum and correct count so far (epoch_*), and a
// checksum of all of it. The step objects themselves are not stored: the reader applies
// the steps done to the base again (the same seed builds the same masks, quantisers and
// teacher) and then loads the saved weights and hook states over them. The random state
// needs nothing: the epoch's batch order is a function of the seed and the epoch (the
// continued run draws it again and skips the batches done), dropout one of the seed and
// the step.
//
// Format 2 (paused_candidate_format); format 1 files, written before pauses inside an
// epoch, read the same. A file of a format this reader does not know is refused, naming
// it, and the candidate then runs from its start.
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

// The checksum write_paused_state stores (FNV-1a over everything else the file holds):
// what a reader compares, and what tests forge files of other writers with.
std::string paused_state_checksum(const io::Checkpoint& file);

}  // namespace lathe::recipe
