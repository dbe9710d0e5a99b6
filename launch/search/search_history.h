// The journal's records, as the coordinator writes them, and what a resume reads back:
// the experiment it belongs to, the base's metrics, every asked candidate, every result,
// and which candidates were in flight when a run died.
//
//   {"type": "experiment", "identity": "…", "name": "lenet5_joint", "format": 1}
//   {"type": "run", "run": 2, "workers": 3}
//   {"type": "base", "metrics": {…}}
//   {"type": "asked", "id": 7, "rung": 0, "point": "{\"prune.ratio\": 0.5}"}
//   {"type": "dispatched", "id": 7, "run": 2, "rank": 1}
//   {"type": "dispatched", "id": 7, "run": 3, "rank": 2, "continues_paused": "paused/candidate-000007.h5"}
//   {"type": "paused", "id": 7, "run": 2, "state": "paused/candidate-000007.h5", "message": "paused in …"}
//   {"type": "result", "record": {…}}
//   {"type": "interrupted", "run": 2}
//   {"type": "probe", "dimension": "quantize.weight_bits.conv1", "metrics": {…}}
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "recipe/metrics.h"
#include "search/evaluation_record.h"

namespace lathe::search {

inline constexpr int kJournalFormat = 1;

std::string experiment_event(const std::string& identity, const std::string& name);
std::string run_event(int run, int workers);
std::string base_event(const recipe::CandidateMetrics& base, const std::string& base_file_hash);
std::string asked_event(std::int64_t id, int rung, const std::string& point_json);
// `paused_state`: the saved state the task continues ("" none; then the field is left out).
std::string dispatched_event(std::int64_t id, int run, int rank, const std::string& paused_state = "");
// A candidate a stop paused; `state` is "" when its state could not be saved.
std::string paused_event(std::int64_t id, int run, const std::string& state, const std::string& message);
std::string result_event(const EvaluationRecord& record);
std::string interrupted_event(int run);
std::string probe_event(const std::string& dimension, const recipe::CandidateMetrics& metrics);

struct AskedCandidate {
  int rung = 0;
  std::string point_json;
};

// In journal order: what the strategy was asked and told (an asynchronous search's resume
// replays exactly this sequence into a fresh strategy).
struct HistoryEvent {
  enum class Kind { asked, result } kind;
  std::int64_t id;
};

struct SearchHistory {
  std::string identity;  // "" for a new search
  std::string name;
  int runs = 0;          // runs started so far
  std::optional<recipe::CandidateMetrics> base;
  std::string base_file_hash;  // as journaled with the base ("" when not known then)
  std::map<std::string, recipe::CandidateMetrics> probes;  // sensitivity probes by dimension
  std::map<std::int64_t, AskedCandidate> asked;
  std::map<std::int64_t, EvaluationRecord> results;
  std::vector<HistoryEvent> events;
  std::map<std::int64_t, std::set<int>> dispatched_in_runs;
  std::set<int> interrupted_runs;
  // Candidates a stop paused, without a result since: the state file each continues from
  // ("" when none was saved: it runs from the start).
  std::map<std::int64_t, std::string> paused_states;
  double elapsed_seconds = 0.0;  // the latest finished_seconds
  bool dropped_torn_tail = false;

  // Runs that died (not interrupted) while `id` was in flight without its result.
  [[nodiscard]] int deaths_in_flight(std::int64_t id) const;
};

// Reads `path` (a missing journal is a new search). A corrupt journal, or one of another
// format, throws lathe::Error naming the file and the record; the file is left as it is.
SearchHistory read_search_history(const std::string& path);

}  // namespace lathe::search
