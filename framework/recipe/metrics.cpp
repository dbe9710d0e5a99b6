#include "recipe/metrics.h"

#include <cmath>
#include <cstdio>

#include "recipe/json_text.h"

namespace lathe::recipe {
namespace {

std::string number(double value) {
  if (!std::isfinite(value)) return "null";
  char text[64];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

}  // namespace

const char* status_name(CandidateStatus status) {
  switch (status) {
    case CandidateStatus::ok: return "ok";
    case CandidateStatus::diverged: return "diverged";
    case CandidateStatus::failed: return "failed";
  }
  return "failed";
}

std::string metrics_to_json(const CandidateMetrics& m) {
  return std::string("{\"status\": ") + json_string(status_name(m.status)) +
         ", \"message\": " + json_string(m.message) +
         ", \"validation_loss\": " + number(m.validation_loss) +
         ", \"validation_accuracy\": " + number(m.validation_accuracy) +
         ", \"test_accuracy\": " + number(m.test_accuracy) +
         ", \"size_bytes\": " + std::to_string(m.size_bytes) +
         ", \"parameter_count\": " + std::to_string(m.parameter_count) +
         ", \"macs\": " + std::to_string(m.macs) +
         ", \"latency_batch1_ms\": " + number(m.latency_batch1_ms) +
         ", \"latency_batch128_ms\": " + number(m.latency_batch128_ms) +
         ", \"wall_seconds\": " + number(m.wall_seconds) + "}";
}

}  // namespace lathe::recipe
