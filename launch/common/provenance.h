// What an artifact records of where it came from: the recipe, the base, the time, the
// version and its measured metrics (read back by `lathe evaluate` and h5dump).
#pragma once

#include <string>

#include "io/checkpoint.h"
#include "recipe/metrics.h"
#include "recipe/recipe.h"

namespace lathe::launch {

// Stores the recipe, the base's data config and seed (so `lathe evaluate` finds the test
// data) and the measured metrics in the artifact's metadata.
void record_provenance(io::Checkpoint& artifact, const io::Checkpoint& base,
                       const std::string& base_path, const recipe::Recipe& recipe,
                       const recipe::CandidateMetrics& metrics);

// Now, as 2026-12-01T08:30:00Z.
std::string utc_timestamp();

}  // namespace lathe::launch
