// results.h5: a finished (or interrupted) search as one HDF5 file, written atomically, for
// reading with h5py. Text is variable-length UTF-8 (h5py: `.asstr()[()]` for a data set,
// a str for an attribute); integers are int64 except where said.
//
//   / (attributes)
//     format "lathe-search-results", format_version 1
//     experiment_name, experiment_path, experiment_yaml (the experiment file as written),
//     strategy, mode ("reproducible" | "asynchronous")     text
//     budget_evaluations                                   int64
//     elapsed_seconds                                      float64
//     objectives        the metric names, K strings (e.g. ["validation_error", "size_bytes"])
//     objective_goals   "minimize" | "maximize" per objective, K strings
//     max_size_bytes, max_macs (int64), max_accuracy_drop, max_latency_ms (float64): the
//       constraints as the experiment gave them (0, or a negative drop: no limit)
//   /base (attributes)  the base model measured like the candidates: one attribute per
//     field of CandidateMetrics, named and typed as in /evaluations below
//   /evaluations        one 1-D data set per column, one row per evaluation in id order
//     id, rung                                             int64
//     status       ok | diverged | failed | timeout | crashed
//     message, recipe (the candidate's YAML), point (JSON by dimension name),
//     violated (the constraints it fails, "" when feasible), artifact (path relative to
//     the output folder, "" for none), host, recipe_hash   text
//     feasible                                             int8 (1: status ok and every constraint holds)
//     objectives   N x K float64, as measured (maximised ones not negated); NaN where the
//                  evaluation produced none; attribute `names` = the K metric names
//     validation_loss, validation_accuracy, test_accuracy, latency_batch1_ms,
//     latency_batch128_ms, wall_seconds, compress_seconds, finetune_seconds,
//     measure_seconds, finished_seconds (search time when journaled)   float64 (NaN: not measured)
//     size_bytes, parameter_count, macs, peak_memory_bytes, continued_steps,
//     candidate_id, rank                                                        int64
//     seed                                                 uint64
//   /pareto/ids   int64: the feasible, non-dominated evaluations' ids, in id order
//
// With zero evaluations every column is there with length 0 (objectives 0 x K).
#pragma once

#include <string>

#include "search/evaluation_record.h"

namespace lathe::search {

// Writes `outcome` to `path` atomically (io/atomic_hdf5_file.h): readers see the old file
// or the new one, never half of one. Throws lathe::Error naming the path and the column or
// attribute on failure (text holding a NUL byte; an evaluation with neither 0 nor K
// objective values; a missing directory), leaving an existing file as it was.
void write_results_file(const std::string& path, const SearchOutcome& outcome);

}  // namespace lathe::search
