// The points of a search space whose models are its smallest, in stored size and in MACs:
// what a static constraint (max_size_bytes, max_macs: fixed by a recipe's structure, not by
// training) is checked against before a search starts.
#pragma once

#include <vector>

#include "search/recipe_space.h"

namespace lathe::search {

struct SmallestModelPoint {
  Point point;
  std::vector<int> set_dimensions;  // the dimensions it sets (for messages): ratios, bits, presence, order
};

// One point per step order: every prune ratio at its highest, every weight_bits at its
// lowest, every optional prune and quantize step present, the other keys (saliency,
// activation bits, learning rates, epochs, ...) anywhere, since they do not change a
// model's structure. Empty when the space holds something whose effect on size cannot be
// told without data or training: a share step (its mixture merges components), a distill
// step (a student), pruning that is not filter pruning by ratio (knee, threshold,
// ablation), or a searched key of unknown effect (granularity, symmetric, min_channels).
std::vector<SmallestModelPoint> smallest_model_points(const RecipeSpace& space);

}  // namespace lathe::search
