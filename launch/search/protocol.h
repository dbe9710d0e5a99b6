// The messages of the search protocol, each one line of JSON:
//   worker -> coordinator  {"type": "ready", "rank": 2, "host": "node07"}
//   coordinator -> worker  {"type": "task", "id": 12, "seed": "...", "recipe": "...",
//                           "artifact": "artifacts/candidate-000012.h5", "time_limit_seconds": 600,
//                           "continues": 4, "keep_state": true, "start": "", "paused_state": ""}
//   worker -> coordinator  {"type": "result", "id": 12, "artifact": "...", "state_kept": true,
//                           "paused": false, "paused_state": "", "metrics": {...}}
// A multi-fidelity promotion `continues` the candidate whose training state its worker
// kept (`keep_state`, answered by `state_kept`); its recipe is always the whole recipe, so
// a worker without that state runs it from the start, to the same numbers.
// A stop request (SLURM's warning, a preemption) pauses a candidate in flight: its answer
// is `paused`, with the file its state went to (recipe/paused_state_file.h, "" when it
// could not be saved), and the resumed search sends it again with that `paused_state`.
// The base model is task id -1 with an empty recipe: measured by a worker like a candidate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recipe/metrics.h"

namespace lathe::search {

inline constexpr std::int64_t kBaseTaskId = -1;

struct Task {
  std::int64_t id = 0;
  std::uint64_t seed = 0;
  std::string recipe_yaml;    // empty for the base
  std::string artifact_path;  // where an ok candidate's artifact goes ("" for none)
  double time_limit_seconds = 0.0;
  std::int64_t continues = -1;  // the candidate whose kept state this one extends (-1: none)
  bool keep_state = false;      // keep this candidate's training state for a promotion
  // The artifact (relative to the output folder) the recipe starts from instead of the
  // base: a fallback attempt from the best earlier one ("": the base).
  std::string start_artifact;
  // Kept states of this worker that no candidate will continue (successive halving: a
  // decided rung's candidates that were not promoted): dropped before this task runs, so
  // that a full worker keeps the states promotions still need instead of dropping its oldest.
  std::vector<std::int64_t> release;
  // The state a stopped run saved for this candidate (relative to the output folder; "":
  // none): the worker continues from it, or runs the recipe from the start when the file
  // is missing or damaged.
  std::string paused_state;
};

struct TaskResult {
  std::int64_t id = 0;
  std::string artifact_path;  // "" when none was written
  bool state_kept = false;    // the worker holds this candidate's training state
  // Stopped by the stop request before it finished: not a result. Its state went to
  // `paused_state` (relative to the output folder; "" when it could not be saved, the
  // metrics' message says why).
  bool paused = false;
  std::string paused_state;
  recipe::CandidateMetrics metrics;
};

struct ReadyMessage {
  int rank = 0;
  std::string host;
};

std::string task_to_json(const Task& task);
std::string result_to_json(const TaskResult& result);
std::string ready_to_json(const ReadyMessage& ready);

// The message's "type" ("task", "result", "ready"); malformed JSON throws lathe::Error.
std::string message_type(const std::string& json);
Task task_from_json(const std::string& json);
TaskResult result_from_json(const std::string& json);
ReadyMessage ready_from_json(const std::string& json);

// The JSON text of the object that is `json`'s LAST field, `"key": {...}}`: the writers of
// the protocol and of the journal put nested objects last, so they are handed on exactly
// as written (to metrics_from_json, record_from_json) without a second parse. Throws
// lathe::Error naming `where` when there is none.
std::string last_object_field(const std::string& json, const std::string& key, const std::string& where);

// A candidate's seed from the experiment seed and its id alone (never its rank or the
// time): splitmix64 of both.
std::uint64_t candidate_seed(std::uint64_t experiment_seed, std::int64_t id);

}  // namespace lathe::search
