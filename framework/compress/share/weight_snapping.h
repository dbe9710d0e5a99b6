// docs/methods.md M2 steps 4-5 for one layer: every weight joins the component whose mean is
// nearest; components with more than `min_members` members (strictly) are the layer's
// target components; each weight becomes the mean of its component, and (ours) a weight
// whose component is not a target goes to the target mean nearest to it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lathe::compress::share {

struct LayerSnap {
  std::vector<std::int64_t> member_counts;     // per mixture component
  std::vector<std::size_t> target_components;  // ascending component indices
  std::vector<float> codebook;                 // the target means, in that order
  std::vector<std::uint8_t> codes;             // per weight, its codebook index
};

// Snaps `weights` in place. (ours) When no component has enough members (a tiny layer),
// the most populated one is the layer's only target, so every layer keeps a value.
// Ties go to the lower component index.
LayerSnap snap_to_target_means(std::span<float> weights, std::span<const double> means,
                               int min_members);

}  // namespace lathe::compress::share
