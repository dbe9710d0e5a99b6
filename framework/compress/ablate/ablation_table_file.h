// The ablation table as an HDF5 file, so a table computed once (or gathered from MPI
// ranks) can be selected from later (`table:` in the recipe). Layout, version 1:
//   root attributes: format = "lathe-ablation-table", format_version = 1,
//                    reference_loss (float64), score_kind ("loss_increase" | "kl")
//   one-dimensional data sets of equal length, one element per group, ascending score:
//     group, kind, layer, removal (variable-length UTF-8 strings),
//     index (int64, -1 where the group is not one channel), test_loss, score (float64)
#pragma once

#include <string>

#include "compress/ablate/ablation_table.h"

namespace lathe::compress::ablate {

inline constexpr int kAblationTableFormatVersion = 1;

// Writes atomically: a temporary file beside `path`, renamed over it once complete.
void write_ablation_table(const std::string& path, const AblationTable& table);
// Reads and checks a table; errors name the file and the data set or attribute at fault.
[[nodiscard]] AblationTable read_ablation_table(const std::string& path);

}  // namespace lathe::compress::ablate
