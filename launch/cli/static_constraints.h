// Static constraints checked before a search starts: stored size and MACs are fixed by a
// recipe's structure (kept filters, bit widths), not by training, so a limit that even
// the space's smallest models miss can never be met. Such a search is refused at once,
// naming the limit and the smallest model's figure, instead of spending its whole budget
// on candidates that are all infeasible.
#pragma once

#include <string>

#include "io/checkpoint.h"
#include "search/experiment.h"

namespace lathe::cli {

// Compresses the base by each of the space's smallest points (search/smallest_model_points.h)
// without fine-tuning, on a few images of the base's data, and throws lathe::Error naming
// the experiment file and the constraint when every one misses max_size_bytes or max_macs.
// Does nothing without those limits, or for a space whose smallest model cannot be told.
void check_static_constraints(const search::Experiment& experiment, const io::Checkpoint& base,
                              const std::string& base_path);

}  // namespace lathe::cli
