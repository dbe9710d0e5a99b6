// docs/methods.md M1 step 5: choose the removable groups from the sorted scores: the k
// lowest (taken in the sorted order), or every group scoring below a threshold
// (ours). A selection never takes every filter of one layer (or of one channel space
// tied by residual adds): the layer would output nothing, so such a filter is skipped.
#pragma once

#include <string>
#include <vector>

#include "compress/ablate/ablation_table.h"

namespace lathe::compress::ablate {

struct SelectionRule {
  int remove = 0;          // k > 0: the k lowest-scoring groups
  double threshold = 0.0;  // used when remove == 0: every group with score < threshold
};

// How many groups a rule may take from the table at most: every group, less one filter
// per layer for filter groups.
[[nodiscard]] std::size_t selectable_count(const AblationTable& table);

// The selected entries in ascending score order. With remove = k, fails (naming
// `where`) when the table has fewer than k selectable groups.
[[nodiscard]] std::vector<AblationEntry> select_removable(const AblationTable& table, const SelectionRule& rule,
                                                         const std::string& where);

}  // namespace lathe::compress::ablate
