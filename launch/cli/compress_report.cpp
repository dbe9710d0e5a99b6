#include "cli/compress_report.h"

#include <cmath>
#include <cstdio>

#include "recipe/json_text.h"

namespace lathe::cli {

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
