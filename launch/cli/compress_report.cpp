#include "cli/compress_report.h"

#include <cmath>
#include <cstdio>

#include "cli/run_setup.h"
#include "recipe/json_text.h"

namespace lathe::cli {

void record_provenance(io::Checkpoint& artifact, const io::Checkpoint& base,
                       const std::string& base_path, const recipe::Recipe& recipe,
                       const recipe::CandidateMetrics& metrics) {
  artifact.text_metadata["recipe"] = recipe.yaml_text;
  artifact.text_metadata["recipe_json"] = recipe::recipe_to_json(recipe);
  artifact.text_metadata["base_checkpoint"] = base_path;
  artifact.text_metadata["created"] = utc_timestamp();
  artifact.text_metadata["lathe_version"] = LATHE_VERSION;
  for (const char* key : {"data_config", "model_name"}) {
    const auto found = base.text_metadata.find(key);
    if (found != base.text_metadata.end()) artifact.text_metadata[key] = found->second;
  }
  const auto seed = base.number_metadata.find("seed");
  if (seed != base.number_metadata.end()) artifact.number_metadata["seed"] = seed->second;
  artifact.number_metadata["validation_loss"] = metrics.validation_loss;
  artifact.number_metadata["validation_accuracy"] = metrics.validation_accuracy;
  artifact.number_metadata["test_accuracy"] = metrics.test_accuracy;
  artifact.number_metadata["size_bytes"] = static_cast<double>(metrics.size_bytes);
  artifact.number_metadata["parameter_count"] = static_cast<double>(metrics.parameter_count);
  artifact.number_metadata["macs"] = static_cast<double>(metrics.macs);
  artifact.number_metadata["compress_seconds"] = metrics.wall_seconds;
}

void print_comparison(const std::string& output, std::int64_t file_bytes,
                      const recipe::CandidateMetrics& base,
                      const recipe::CandidateMetrics& compressed) {
  const auto ratio = [](double a, double b) { return b > 0 ? a / b : NAN; };
  std::printf("\n%-22s %14s %14s %10s\n", "", "base", "compressed", "ratio");
  std::printf("%-22s %13.2f%% %13.2f%% %+9.2f pt\n", "validation accuracy",
              100.0 * base.validation_accuracy, 100.0 * compressed.validation_accuracy,
              100.0 * (compressed.validation_accuracy - base.validation_accuracy));
  std::printf("%-22s %13.2f%% %13.2f%% %+9.2f pt\n", "test accuracy", 100.0 * base.test_accuracy,
              100.0 * compressed.test_accuracy,
              100.0 * (compressed.test_accuracy - base.test_accuracy));
  std::printf("%-22s %14lld %14lld %9.1fx\n", "stored bytes", static_cast<long long>(base.size_bytes),
              static_cast<long long>(compressed.size_bytes),
              ratio(static_cast<double>(base.size_bytes), static_cast<double>(compressed.size_bytes)));
  std::printf("%-22s %14lld %14lld %9.1fx\n", "parameters",
              static_cast<long long>(base.parameter_count),
              static_cast<long long>(compressed.parameter_count),
              ratio(static_cast<double>(base.parameter_count),
                    static_cast<double>(compressed.parameter_count)));
  std::printf("%-22s %14lld %14lld %9.1fx\n", "MACs per image", static_cast<long long>(base.macs),
              static_cast<long long>(compressed.macs),
              ratio(static_cast<double>(base.macs), static_cast<double>(compressed.macs)));
  if (std::isnan(compressed.latency_batch1_ms)) {  // --no-latency
    std::printf("\nwrote %s (%lld bytes on disk; %.1f s)\n", output.c_str(),
                static_cast<long long>(file_bytes), compressed.wall_seconds);
    return;
  }
  std::printf("%-22s %14.3f %14.3f %9.2fx\n", "latency batch 1 (ms)", base.latency_batch1_ms,
              compressed.latency_batch1_ms, ratio(base.latency_batch1_ms, compressed.latency_batch1_ms));
  std::printf("%-22s %14.3f %14.3f %9.2fx\n", "latency batch 128 (ms)", base.latency_batch128_ms,
              compressed.latency_batch128_ms,
              ratio(base.latency_batch128_ms, compressed.latency_batch128_ms));
  std::printf("\nwrote %s (%lld bytes on disk; %.1f s)\n", output.c_str(),
              static_cast<long long>(file_bytes), compressed.wall_seconds);
}

std::string compress_json(const std::string& output, std::int64_t file_bytes,
                          const recipe::CandidateMetrics& base,
                          const recipe::CandidateMetrics& compressed) {
  return "{\"output\": " + recipe::json_string(output) + ", \"file_bytes\": " + std::to_string(file_bytes) +
         ", \"base\": " + recipe::metrics_to_json(base) +
         ", \"compressed\": " + recipe::metrics_to_json(compressed) + "}";
}

}  // namespace lathe::cli
