// What `lathe compress` and `lathe fallback` print: the base and the compressed model side
// by side (M1 step 6: both are reported). The provenance an artifact carries is
// common/provenance.h's.
#pragma once

#include <cstdint>
#include <string>

#include "io/checkpoint.h"
#include "recipe/metrics.h"
#include "recipe/recipe.h"

namespace lathe::cli {

void print_comparison(const std::string& output, std::int64_t file_bytes,
                      const recipe::CandidateMetrics& base,
                      const recipe::CandidateMetrics& compressed);
std::string compress_json(const std::string& output, std::int64_t file_bytes,
                          const recipe::CandidateMetrics& base,
                          const recipe::CandidateMetrics& compressed);

}  // namespace lathe::cli
