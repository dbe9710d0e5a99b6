// What evaluating one candidate returns (the same record the search's workers send):
// how good the compressed model is, how big and fast it is, and whether it worked.
// Test accuracy is reported, never used for selection.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace YAML {
class Node;
}

namespace lathe::recipe {

// timeout: cancelled inside training at its deadline; crashed: its worker process died
// while evaluating it, twice (set by the search's coordinator, never by the evaluator).
enum class CandidateStatus { ok, diverged, failed, timeout, crashed };

struct CandidateMetrics {
  CandidateStatus status = CandidateStatus::ok;
  std::string message;  // why, when not ok
  double validation_loss = std::numeric_limits<double>::quiet_NaN();
  double validation_accuracy = std::numeric_limits<double>::quiet_NaN();
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();
  std::int64_t size_bytes = 0;        // weight payload as stored (docs/stored-size.md)
  std::int64_t parameter_count = 0;   // trainable parameters of the final model
  std::int64_t macs = 0;              // multiply-accumulates per image
  double latency_batch1_ms = std::numeric_limits<double>::quiet_NaN();
  double latency_batch128_ms = std::numeric_limits<double>::quiet_NaN();
  double wall_seconds = 0.0;          // the whole evaluation, fine-tuning included
  // Where the time went: applying, finalising and packing steps; finetune steps;
  // measuring the artifact.
  double compress_seconds = 0.0;
  double finetune_seconds = 0.0;
  double measure_seconds = 0.0;
  std::int64_t peak_memory_bytes = 0;  // the process's peak resident set (VmHWM) after it
  // Steps of the recipe taken over from an earlier candidate's kept training state (a
  // promotion that continued) instead of run again; 0 for an evaluation from the start.
  std::int64_t continued_steps = 0;

  // Provenance, set by the search's workers (the evaluator sets seed and recipe_hash).
  std::int64_t candidate_id = -1;
  std::uint64_t seed = 0;
  std::string recipe_hash;  // 16 hex digits of the canonical recipe's hash
  int rank = -1;
  std::string host;
};

const char* status_name(CandidateStatus status);
// The status named `name`; throws lathe::Error naming `source` for an unknown one.
CandidateStatus status_from_name(const std::string& name, const std::string& source);
// One line of JSON holding every field; numbers printed so that they read back exactly
// (NaN as null, infinities as the strings "inf" and "-inf").
std::string metrics_to_json(const CandidateMetrics& metrics);
// The inverse of metrics_to_json: metrics_from_json(metrics_to_json(m)) == m, field by
// field. Missing fields keep their defaults; malformed JSON throws lathe::Error naming
// `source`.
CandidateMetrics metrics_from_json(const std::string& json, const std::string& source);

// The pieces of that JSON, for records that nest metrics (launch/search/record_json.cpp).
// A double as metrics_to_json writes it: "%.17g", null for NaN, "inf" / "-inf".
std::string json_number(double value);
// One line of JSON parsed with yaml-cpp; malformed text throws lathe::Error naming `source`
// and the column.
YAML::Node parse_json(const std::string& json, const std::string& source);
// metrics_from_json for an object already parsed; messages read
// "<source>: <key_prefix>size_bytes: expected ...".
CandidateMetrics metrics_from_yaml(const YAML::Node& object, const std::string& source,
                                   const std::string& key_prefix = "");
// One parsed JSON value of the expected kind; anything else throws lathe::Error naming
// `where` ("out/s/journal.lathe: record 3: rung"). Doubles as json_number writes them;
// integers exactly, with no fraction or exponent; text only from a quoted string.
double double_from_yaml(const YAML::Node& value, const std::string& where);
std::int64_t int64_from_yaml(const YAML::Node& value, const std::string& where);
std::string text_from_yaml(const YAML::Node& value, const std::string& where);
bool bool_from_yaml(const YAML::Node& value, const std::string& where);

}  // namespace lathe::recipe
