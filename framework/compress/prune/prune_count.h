// How many channels of a group to prune (docs/methods.md M4 step 2: from how steep
// the sorted saliency curve is), and which: always the least salient.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lathe::compress {

// (ours, the default) Kneedle on the ascending saliency curve: after scaling both axes
// to [0, 1], the knee is the point furthest below the chord from the first point to the
// last; the count is the knee's index + 1 (the flat part, up to and including the knee),
// clamped to [1, n - 1]. A straight or flat curve gives 1.
std::int64_t knee_prune_count(std::span<const double> saliencies);
// floor(ratio * n), at least 1.
std::int64_t ratio_prune_count(std::int64_t channels, double ratio);
// How many saliencies, divided by the largest magnitude in the group, lie strictly below
// `threshold` (0 when none; scores all zero count as 0, so all lie below a positive one).
std::int64_t threshold_prune_count(std::span<const double> saliencies, double threshold);

// Indices of the `count` least salient channels, ascending by index (ties: lower index).
std::vector<std::int64_t> least_salient_channels(std::span<const double> saliencies,
                                                 std::int64_t count);

}  // namespace lathe::compress
