// A search's evaluations as text: results.csv for spreadsheets and pandas, results.json
// for scripts. Both are written from the same SearchOutcome as results.h5.
#pragma once

#include <string>

#include "search/evaluation_record.h"

namespace lathe::search {

// A header line, then one row per evaluation in id order, each line ending in "\n".
// Columns: id, rung, status, feasible (yes/no), pareto (yes/no), one column per objective
// named "objective_<metric>" (its value as measured; prefixed so that an objective such
// as validation_loss does not repeat the header of the metric's own column),
// validation_loss, validation_accuracy, test_accuracy, size_bytes, parameter_count, macs,
// latency_batch1_ms, wall_seconds, rank, host, seed, recipe_hash, violated, message,
// point, artifact, continued_steps. Text is quoted as RFC 4180 says (fields holding a comma, a quote, CR
// or LF are quoted, quotes doubled); numbers are the shortest text that reads back
// exactly; NaN (not measured) is an empty field; infinities are inf and -inf.
// Throws lathe::Error when a pareto id names no evaluation.
std::string results_csv(const SearchOutcome& outcome);

// One JSON document (one evaluation a line, for diffs and grep):
//   {"experiment_name": ..., "experiment_path": ..., "strategy": ..., "mode": ...,
//    "budget_evaluations": N, "elapsed_seconds": s,
//    "objectives": [{"metric": "validation_error", "goal": "minimize"}, ...],
//    "constraints": {"max_size_bytes": ..., "max_accuracy_drop": ..., "max_macs": ...,
//                    "max_latency_ms": ...},
//    "base": <metrics>,
//    "evaluations": [{"pareto": true, <the fields of record_to_json>}, ...],
//    "pareto_ids": [...]}
// Throws lathe::Error when a pareto id names no evaluation.
std::string results_json(const SearchOutcome& outcome);

}  // namespace lathe::search
