// Which channels of which groups are pruned, and what that means for each parameter:
// the entries to hold at zero while fine-tuning (masking) and to drop when the model is
// compacted. Filter pruning (M4) and ablation (M1) both describe their choice as a list
// of (layer, channels) and build one PruneMask from it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "compress/prune/channel_groups.h"
#include "nn/model.h"

namespace lathe::compress {

// Channels to prune in the group of `layer` (a producer or a batchnorm of the group).
struct ChannelSelection {
  std::string layer;
  std::vector<std::int64_t> channels;
};

struct GroupPruning {
  ChannelGroup group;
  std::vector<std::int64_t> removed;  // ascending, unique, in [0, group.channels)

  [[nodiscard]] std::vector<std::int64_t> kept() const;
};

struct PruneMask {
  std::vector<GroupPruning> groups;

  [[nodiscard]] bool empty() const { return groups.empty(); }
  // The pruned channels of the group `layer` belongs to (empty when none).
  [[nodiscard]] std::vector<std::int64_t> removed_channels(const std::string& layer) const;
};

// Resolves each selection to its group (selections of one group are merged). Errors,
// prefixed with `where` ("recipe.yaml:3: steps[0].prune"), name the layer: not in the
// model, not a producer or batchnorm, a group that must stay whole (the logits), a
// channel out of range, or every channel of a group.
PruneMask make_prune_mask(const nn::Model& model, std::span<const ChannelSelection> selections,
                          const std::string& where);

// Parameter entries a mask removes: for "<layer>/<parameter>", the removed indices along
// axis 0 (output channels, batchnorm entries) and axis 1 (a consumer's input slices).
struct ParameterCut {
  std::array<std::vector<std::int64_t>, 2> removed_by_axis;
};
using ParameterCuts = std::map<std::string, ParameterCut>;

// With `with_running_stats` the batchnorm running statistics are cut too (compaction
// drops them); masking leaves them alone, a zero weight and bias already zero the channel.
ParameterCuts parameter_cuts(const PruneMask& mask, bool with_running_stats);

// Sets the cut entries of the model's parameters to zero (the producers' filters and
// biases, the batchnorms' weight and bias, the consumers' input slices).
void zero_pruned_entries(nn::Model& model, const ParameterCuts& cuts);

// 1 where a parameter keeps its value, 0 where the cut removes it (shape of `value`).
Tensor keep_mask(const Tensor& value, const ParameterCut& cut);

}  // namespace lathe::compress
