// What `lathe compress` and `lathe fallback` print and store: the base and the
// compressed model side by side (M1 step 6: both are reported), and the provenance the
// artifact carries (recipe, base, metrics).
#pragma once

#include <cstdint>
#include <string>

#include "io/checkpoint.h"
#include "recipe/metrics.h"
#include "recipe/recipe.h"

namespace lathe::cli {

// Stores the recipe, the base's data config and seed (so `lathe evaluate` finds the test
// data) and the measured metrics in the artifact's metadata.
void record_provenance(io::Checkpoint& artifact, const io::Checkpoint& base,
                       const std::string& base_path, const recipe::Recipe& recipe,
                       const recipe::CandidateMetrics& metrics);

void print_comparison(const std::string& output, std::int64_t file_bytes,
                      const recipe::CandidateMetrics& base,
                      const recipe::CandidateMetrics& compressed);
std::string compress_json(const std::string& output, std::int64_t file_bytes,
                          const recipe::CandidateMetrics& base,
                          const recipe::CandidateMetrics& compressed);

}  // namespace lathe::cli
