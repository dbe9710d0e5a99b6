#include "search/evaluation_record.h"

#include "core/error.h"

namespace lathe::search {

const std::vector<std::string>& objective_metric_names() {
  static const std::vector<std::string> names = {
      "validation_loss", "validation_accuracy", "validation_error", "size_bytes",
      "parameter_count", "macs",  "latency_batch1_ms", "latency_batch128_ms", "wall_seconds"};
  return names;
}

double metric_value(const recipe::CandidateMetrics& m, const std::string& name) {
  if (name == "validation_loss") return m.validation_loss;
  if (name == "validation_accuracy") return m.validation_accuracy;
  if (name == "validation_error") return 1.0 - m.validation_accuracy;
  if (name == "size_bytes") return static_cast<double>(m.size_bytes);
  if (name == "parameter_count") return static_cast<double>(m.parameter_count);
  if (name == "macs") return static_cast<double>(m.macs);
  if (name == "latency_batch1_ms") return m.latency_batch1_ms;
  if (name == "latency_batch128_ms") return m.latency_batch128_ms;
  if (name == "wall_seconds") return m.wall_seconds;
  fail("unknown metric '", name, "'");
}

}  // namespace lathe::search
