#include "compress/prune/prune_mask.h"

#include <algorithm>
#include <set>

#include "core/error.h"

namespace lathe::compress {
namespace {

// Channel c of a member with `block` entries per channel is [c * block, (c + 1) * block).
std::vector<std::int64_t> expand_blocks(const std::vector<std::int64_t>& channels,
                                        std::int64_t block) {
  std::vector<std::int64_t> entries;
  entries.reserve(channels.size() * static_cast<std::size_t>(block));
  for (std::int64_t c : channels) {
    for (std::int64_t k = 0; k < block; ++k) entries.push_back(c * block + k);
  }
  return entries;
}

void add_cut(ParameterCuts& cuts, const std::string& name, int axis,
             const std::vector<std::int64_t>& removed) {
  std::vector<std::int64_t>& into = cuts[name].removed_by_axis[static_cast<std::size_t>(axis)];
  into.insert(into.end(), removed.begin(), removed.end());
  std::sort(into.begin(), into.end());
  into.erase(std::unique(into.begin(), into.end()), into.end());
}

}  // namespace

std::vector<std::int64_t> GroupPruning::kept() const {
  std::vector<std::int64_t> keep;
  for (std::int64_t c = 0; c < group.channels; ++c) {
    if (!std::binary_search(removed.begin(), removed.end(), c)) keep.push_back(c);
  }
  return keep;
}

std::vector<std::int64_t> PruneMask::removed_channels(const std::string& layer) const {
  for (const GroupPruning& pruning : groups) {
    if (pruning.group.has_producer(layer) || pruning.group.has_batchnorm(layer)) {
      return pruning.removed;
    }
  }
  return {};
}

PruneMask make_prune_mask(const nn::Model& model, std::span<const ChannelSelection> selections,
                          const std::string& where) {
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  // Keyed by the group's first producer, so two names of one group merge.
  std::map<std::string, std::pair<const ChannelGroup*, std::set<std::int64_t>>> chosen;
  std::vector<std::string> order;
  for (const ChannelSelection& selection : selections) {
    const ChannelGroup& group = prunable_group_of(model, groups, selection.layer, where);
    const std::string key = group.producers.front();
    if (!chosen.contains(key)) order.push_back(key);
    auto& [group_ptr, channels] = chosen[key];
    group_ptr = &group;
    for (std::int64_t c : selection.channels) {
      LATHE_CHECK(c >= 0 && c < group.channels, where, ": layer '", selection.layer,
                  "': channel ", c, " is out of range (it has ", group.channels, " channels)");
      channels.insert(c);
    }
  }
  PruneMask mask;
  for (const std::string& key : order) {
    const auto& [group, channels] = chosen.at(key);
    if (channels.empty()) continue;
    LATHE_CHECK(static_cast<std::int64_t>(channels.size()) < group->channels, where,
                ": pruning all ", group->channels, " channels of layer '", key, "' (group ",
                group->describe(), ") would cut the network; at least one must stay");
    mask.groups.push_back({*group, std::vector<std::int64_t>(channels.begin(), channels.end())});
  }
  return mask;
}

ParameterCuts parameter_cuts(const PruneMask& mask, bool with_running_stats) {
  ParameterCuts cuts;
  for (const GroupPruning& pruning : mask.groups) {
    const ChannelGroup& group = pruning.group;
    for (const std::string& producer : group.producers) {
      add_cut(cuts, producer + "/weight", 0, pruning.removed);
      add_cut(cuts, producer + "/bias", 0, pruning.removed);
    }
    for (const ChannelMember& bn : group.batchnorms) {
      const std::vector<std::int64_t> entries = expand_blocks(pruning.removed, bn.block);
      add_cut(cuts, bn.layer + "/weight", 0, entries);
      add_cut(cuts, bn.layer + "/bias", 0, entries);
      if (with_running_stats) {
        add_cut(cuts, bn.layer + "/running_mean", 0, entries);
        add_cut(cuts, bn.layer + "/running_var", 0, entries);
      }
    }
    for (const ChannelMember& consumer : group.consumers) {
      add_cut(cuts, consumer.layer + "/weight", 1, expand_blocks(pruning.removed, consumer.block));
    }
  }
  return cuts;
}

Tensor keep_mask(const Tensor& value, const ParameterCut& cut) {
  Tensor keep(value.shape(), 1.0F);
  const Shape& shape = value.shape();
  if (shape.rank() == 0 || keep.empty()) return keep;
  const std::int64_t rows = shape[0];
  const std::int64_t row_size = keep.size() / rows;
  for (std::size_t axis = 0; axis < 2 && axis < shape.rank(); ++axis) {
    for (std::int64_t index : cut.removed_by_axis[axis]) {
      LATHE_CHECK(index >= 0 && index < shape[axis], "prune mask: entry ", index, " of axis ",
                  axis, " is outside a tensor of shape ", shape.to_string(),
                  " (was the mask made for another model?)");
    }
  }
  for (std::int64_t r : cut.removed_by_axis[0]) {
    std::fill_n(keep.data() + r * row_size, row_size, 0.0F);
  }
  if (!cut.removed_by_axis[1].empty()) {
    LATHE_CHECK(shape.rank() >= 2, "prune mask: a cut along axis 1 of a tensor of shape ",
                shape.to_string());
    const std::int64_t inner = row_size / shape[1];
    for (std::int64_t row = 0; row < rows; ++row) {
      for (std::int64_t column : cut.removed_by_axis[1]) {
        std::fill_n(keep.data() + row * row_size + column * inner, inner, 0.0F);
      }
    }
  }
  return keep;
}

void zero_pruned_entries(nn::Model& model, const ParameterCuts& cuts) {
  for (const nn::NamedParameter& named : model.named_parameters()) {
    const auto found = cuts.find(named.name);
    if (found == cuts.end() || named.parameter->value.empty()) continue;
    const Tensor keep = keep_mask(named.parameter->value, found->second);
    Tensor& value = named.parameter->value;
    for (std::int64_t i = 0; i < value.size(); ++i) {
      if (keep[i] == 0.0F) value[i] = 0.0F;
    }
  }
}

}  // namespace lathe::compress
