// One point of an experiment's space evaluated on its own, and the space's dimensions as
// JSON: what a peer tool (bench/optuna_peer.py) needs to drive Lathe's evaluator over the
// same space, with the same per-candidate seeds.
#pragma once

#include <cstdint>
#include <string>

#include "search/experiment.h"

namespace lathe::cli {

// `lathe search EXP --point JSON --id N`: prints {"base": {...}, "record": {...}}.
int evaluate_one_point(const search::Experiment& experiment, const std::string& point_json, std::int64_t id);

// `lathe search EXP --dimensions`: [{"name": ..., "kind": ..., "low"/"high" or "choices"}, ...]
std::string dimensions_json(const search::Experiment& experiment);

}  // namespace lathe::cli
