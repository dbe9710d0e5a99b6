// What evaluating one candidate returns (the same record the search's workers send):
// how good the compressed model is, how big and fast it is, and whether it worked.
// Test accuracy is reported, never used for selection.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace lathe::recipe {

enum class CandidateStatus { ok, diverged, failed };

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
};

const char* status_name(CandidateStatus status);
std::string metrics_to_json(const CandidateMetrics& metrics);

}  // namespace lathe::recipe
