#include "compress/ablate/ablation_group.h"

#include <algorithm>
#include <map>
#include <iterator>
#include <optional>
#include <set>

#include "compress/ablate/spec_graph.h"
#include "core/error.h"

namespace lathe::compress::ablate {
namespace {

using Action = ParameterEdit::Action;

std::string parameter_name(const std::string& layer, const char* parameter) {
  return layer + "/" + parameter;
}

// A layer's output shape per item (without the batch dimension); the model input's for
// kModelInputName.
Shape item_shape(const nn::Model& model, const SpecGraph& graph, const std::string& name) {
  const auto index = graph.index_of(name);
  if (!index) return model.input_item_shape();
  const Shape batched = model.layer(*index).output_shape(1);
  return Shape(std::vector<std::int64_t>(batched.dims().begin() + 1, batched.dims().end()));
}

std::string joined(const std::vector<std::string>& names, const char* separator) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : separator) + name;
  return text;
}

// ---------------------------------------------------------------- channel spaces

// A channel space: the output channels of one or more weighted layers that are the same
// channels downstream, because residual adds sum them (stem_conv and s1a_conv2 in
// resnet8). Zeroing channel c of every producer and of every batchnorm in the space
// makes channel c exactly zero everywhere in it, as removing the filter would.
struct ChannelSpace {
  std::vector<std::size_t> producers;   // conv2d / linear layers, spec order
  std::vector<std::size_t> batchnorms;  // batchnorms whose input is in the space
  bool removable = true;  // false when an add also sums a channel no producer owns
};

class ChannelSpaces {
 public:
  explicit ChannelSpaces(const SpecGraph& graph) : space_of_(graph.size(), kNone) {
    for (std::size_t i = 0; i < graph.size(); ++i) {
      const nn::LayerSpec& layer = graph.layer(i);
      if (is_weighted(layer)) {
        space_of_[i] = static_cast<int>(parent_.size());
        parent_.push_back(space_of_[i]);
        spaces_.emplace_back();
        spaces_.back().producers.push_back(i);
      } else if (layer.type == "batchnorm" || keeps_channels_and_zeros(layer)) {
        space_of_[i] = input_space(graph, layer.inputs.front());
        if (layer.type == "batchnorm" && space_of_[i] != kNone) {
          spaces_[static_cast<std::size_t>(space_of_[i])].batchnorms.push_back(i);
        }
      } else if (layer.type == "add") {
        join_add(graph, layer, i);
      }
      // flatten and anything else: the channel index does not survive, the space ends.
    }
  }

  // The merged spaces, each with its producers and batchnorms in spec order.
  [[nodiscard]] std::vector<ChannelSpace> merged(int excluded_space) const {
    std::map<int, ChannelSpace> by_root;
    for (std::size_t s = 0; s < spaces_.size(); ++s) {
      const int root = find(static_cast<int>(s));
      ChannelSpace& target = by_root[root];
      const ChannelSpace& part = spaces_[s];
      target.producers.insert(target.producers.end(), part.producers.begin(), part.producers.end());
      target.batchnorms.insert(target.batchnorms.end(), part.batchnorms.begin(), part.batchnorms.end());
      target.removable = target.removable && part.removable;
    }
    std::vector<ChannelSpace> result;
    for (auto& [root, space] : by_root) {
      if (excluded_space != kNone && root == find(excluded_space)) continue;
      std::sort(space.producers.begin(), space.producers.end());
      std::sort(space.batchnorms.begin(), space.batchnorms.end());
      result.push_back(std::move(space));
    }
    std::sort(result.begin(), result.end(), [](const ChannelSpace& a, const ChannelSpace& b) {
      return a.producers.front() < b.producers.front();
    });
    return result;
  }

  [[nodiscard]] int space_of(std::size_t layer) const { return space_of_[layer]; }
  static constexpr int kNone = -1;

 private:
  int input_space(const SpecGraph& graph, const std::string& input) const {
    const auto index = graph.index_of(input);
    return index ? space_of_[*index] : kNone;
  }

  void join_add(const SpecGraph& graph, const nn::LayerSpec& layer, std::size_t index) {
    int joined_space = kNone;
    bool sums_unowned_channels = false;
    for (const std::string& input : layer.inputs) {
      const int space = input_space(graph, input);
      if (space == kNone) {
        sums_unowned_channels = true;
        continue;
      }
      if (joined_space == kNone) {
        joined_space = find(space);
      } else {
        parent_[static_cast<std::size_t>(find(space))] = joined_space;
      }
    }
    space_of_[index] = joined_space;
    if (joined_space != kNone && sums_unowned_channels) {
      spaces_[static_cast<std::size_t>(joined_space)].removable = false;
    }
  }

  [[nodiscard]] int find(int space) const {
    while (parent_[static_cast<std::size_t>(space)] != space) space = parent_[static_cast<std::size_t>(space)];
    return space;
  }

  std::vector<int> space_of_;  // per layer: the space of its output, or kNone
  std::vector<int> parent_;    // union-find over spaces
  std::vector<ChannelSpace> spaces_;
};

// The space of the logits: its producers are the logits layer(s), never a group.
int logits_space(const ChannelSpaces& spaces, const SpecGraph& graph) {
  return spaces.space_of(graph.size() - 1);
}

std::vector<AblationGroup> filter_groups(const nn::Model& model, const SpecGraph& graph) {
  const ChannelSpaces spaces(graph);
  std::vector<AblationGroup> groups;
  for (const ChannelSpace& space : spaces.merged(logits_space(spaces, graph))) {
    // A channel that an add also takes from the model input (or a flattened tensor)
    // cannot be made zero by zeroing producers: no filter group there.
    if (!space.removable) continue;
    std::vector<std::string> producer_names;
    for (const std::size_t p : space.producers) producer_names.push_back(graph.layer(p).name);
    const std::string layer = joined(producer_names, "+");
    const std::int64_t channels = item_shape(model, graph, producer_names.front())[0];
    for (std::int64_t c = 0; c < channels; ++c) {
      AblationGroup group;
      group.name = layer + "[" + std::to_string(c) + "]";
      group.kind = GroupKind::filters;
      group.layer = layer;
      group.index = c;
      group.removal = Removal::zeroed;
      for (const std::size_t p : space.producers) {
        const nn::LayerSpec& producer = graph.layer(p);
        group.edits.push_back({parameter_name(producer.name, "weight"), c, Action::zero});
        if (has_bias(producer)) group.edits.push_back({parameter_name(producer.name, "bias"), c, Action::zero});
        group.filters.push_back({producer.name, c});
      }
      // The batchnorm shift would turn the zero channel into a constant: zero gamma and beta.
      for (const std::size_t b : space.batchnorms) {
        group.edits.push_back({parameter_name(graph.layer(b).name, "weight"), c, Action::zero});
        group.edits.push_back({parameter_name(graph.layer(b).name, "bias"), c, Action::zero});
      }
      groups.push_back(std::move(group));
    }
  }
  return groups;
}

// ---------------------------------------------------------------- layers

// A layer is the identity when its weight is the identity map: a linear layer with as
// many outputs as inputs, or a conv2d with equal channel counts, stride 1 and "same"
// padding (a single 1 at the kernel's centre reads the same pixel).
bool can_be_identity(const nn::Model& model, const SpecGraph& graph, const nn::LayerSpec& layer,
                     std::size_t index) {
  if (layer.inputs.size() != 1) return false;
  const Shape in = item_shape(model, graph, layer.inputs.front());
  const Shape out = item_shape(model, graph, graph.layer(index).name);
  if (!(in == out)) return false;
  if (layer.type == "linear") return true;
  const int kernel = layer_int(layer, "kernel", 1);
  return layer_int(layer, "stride", 1) == 1 && kernel % 2 == 1 &&
         layer_int(layer, "padding", 0) == kernel / 2;
}

std::vector<AblationGroup> layer_groups(const nn::Model& model, const SpecGraph& graph, bool allow_bypass) {
  const ChannelSpaces spaces(graph);
  const int logits = logits_space(spaces, graph);
  std::vector<AblationGroup> groups;
  for (std::size_t i = 0; i < graph.size(); ++i) {
    const nn::LayerSpec& layer = graph.layer(i);
    if (!is_weighted(layer) || (logits != ChannelSpaces::kNone && spaces.space_of(i) == logits)) continue;
    AblationGroup group;
    group.name = layer.name;
    group.kind = GroupKind::layers;
    group.layer = layer.name;
    const std::string weight = parameter_name(layer.name, "weight");
    if (allow_bypass && can_be_identity(model, graph, layer, i)) {
      group.removal = Removal::bypassed;
      group.edits.push_back({weight, -1, Action::identity});
      if (has_bias(layer)) group.edits.push_back({parameter_name(layer.name, "bias"), -1, Action::zero});
      group.structural.push_back({{layer.name}, layer.name, layer.inputs.front()});
    } else {
      // The method's removal: the weight matrix is zero, the layer outputs its bias only.
      group.removal = Removal::zeroed;
      group.edits.push_back({weight, -1, Action::zero});
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

// ---------------------------------------------------------------- blocks

std::set<std::size_t> upstream_inclusive(const SpecGraph& graph, const std::string& name) {
  std::set<std::size_t> layers = graph.ancestors(name);
  if (const auto index = graph.index_of(name)) layers.insert(*index);
  return layers;
}

std::set<std::size_t> minus(const std::set<std::size_t>& a, const std::set<std::size_t>& b) {
  std::set<std::size_t> result;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(result, result.end()));
  return result;
}

std::size_t weighted_count(const SpecGraph& graph, const std::set<std::size_t>& layers) {
  return static_cast<std::size_t>(std::count_if(layers.begin(), layers.end(), [&](std::size_t i) {
    return is_weighted(graph.layer(i));
  }));
}

struct BlockShape {
  std::string branch_end;  // the add's input that carries the residual branch
  std::string shortcut;    // the add's other input
  std::set<std::size_t> branch;
  bool identity_shortcut = true;
};

// Splits an add's two inputs into residual branch and shortcut. The shortcut is an
// identity when one input lies upstream of the other; otherwise both sides start at
// the fork (their nearest common ancestor) and the branch is the side with more weighted
// layers (the projection has one conv), then more layers, then the first input.
std::optional<BlockShape> block_shape(const SpecGraph& graph, const nn::LayerSpec& add) {
  if (add.inputs.size() != 2) return std::nullopt;
  const std::string& a = add.inputs[0];
  const std::string& b = add.inputs[1];
  const std::set<std::size_t> up_a = upstream_inclusive(graph, a);
  const std::set<std::size_t> up_b = upstream_inclusive(graph, b);
  const auto upstream_of = [&](const std::string& x, const std::set<std::size_t>& up) {
    const auto index = graph.index_of(x);
    return !index || up.contains(*index);  // the model input is upstream of everything
  };
  if (a == b) return std::nullopt;
  if (upstream_of(b, up_a)) return BlockShape{a, b, minus(up_a, up_b), true};
  if (upstream_of(a, up_b)) return BlockShape{b, a, minus(up_b, up_a), true};

  std::set<std::size_t> common;
  std::set_intersection(up_a.begin(), up_a.end(), up_b.begin(), up_b.end(),
                        std::inserter(common, common.end()));
  const std::set<std::size_t> before_fork =
      common.empty() ? std::set<std::size_t>{} : upstream_inclusive(graph, graph.layer(*common.rbegin()).name);
  BlockShape first{a, b, minus(up_a, before_fork), false};
  BlockShape second{b, a, minus(up_b, before_fork), false};
  const auto key = [&](const BlockShape& s) { return std::pair(weighted_count(graph, s.branch), s.branch.size()); };
  return key(second) > key(first) ? second : first;
}

// Zeroing the branch's last weighted or batchnorm layer makes the branch output exactly
// zero when only zero-keeping layers (relu, pooling, dropout) follow it.
std::optional<std::vector<ParameterEdit>> branch_zeroing(const SpecGraph& graph, const BlockShape& block) {
  std::optional<std::size_t> at = graph.index_of(block.branch_end);
  while (at && block.branch.contains(*at) && keeps_channels_and_zeros(graph.layer(*at)) &&
         graph.layer(*at).inputs.size() == 1) {
    at = graph.index_of(graph.layer(*at).inputs.front());
  }
  if (!at || !block.branch.contains(*at)) return std::nullopt;
  const nn::LayerSpec& last = graph.layer(*at);
  if (last.type == "batchnorm" || (is_weighted(last) && has_bias(last))) {
    return std::vector<ParameterEdit>{{parameter_name(last.name, "weight"), -1, Action::zero},
                                      {parameter_name(last.name, "bias"), -1, Action::zero}};
  }
  if (is_weighted(last)) return std::vector<ParameterEdit>{{parameter_name(last.name, "weight"), -1, Action::zero}};
  return std::nullopt;
}

std::vector<AblationGroup> block_groups(const SpecGraph& graph) {
  std::vector<AblationGroup> groups;
  for (std::size_t i = 0; i < graph.size(); ++i) {
    const nn::LayerSpec& add = graph.layer(i);
    if (add.type != "add") continue;
    const std::optional<BlockShape> block = block_shape(graph, add);
    if (!block || block->branch.empty()) continue;
    // A branch layer feeding anything outside the block would lose a consumer.
    const bool self_contained = std::all_of(block->branch.begin(), block->branch.end(), [&](std::size_t b) {
      const auto& consumers = graph.consumers(b);
      return std::all_of(consumers.begin(), consumers.end(),
                         [&](std::size_t c) { return c == i || block->branch.contains(c); });
    });
    if (!self_contained) continue;
    const auto edits = branch_zeroing(graph, *block);
    if (!edits) continue;

    AblationGroup group;
    group.name = add.name;
    group.kind = GroupKind::blocks;
    group.layer = add.name;
    group.removal = block->identity_shortcut ? Removal::bypassed : Removal::zeroed;
    group.edits = *edits;
    SpecBypass bypass{{}, add.name, block->shortcut};
    for (const std::size_t b : block->branch) bypass.dropped.push_back(graph.layer(b).name);
    bypass.dropped.push_back(add.name);
    group.structural.push_back(std::move(bypass));
    groups.push_back(std::move(group));
  }
  return groups;
}

}  // namespace

const char* group_kind_name(GroupKind kind) {
  switch (kind) {
    case GroupKind::filters: return "filters";
    case GroupKind::layers: return "layers";
    case GroupKind::blocks: return "blocks";
  }
  return "?";
}

const char* removal_name(Removal removal) { return removal == Removal::zeroed ? "zeroed" : "bypassed"; }

GroupKind parse_group_kind(const std::string& text, const std::string& where) {
  if (text == "filters" || text == "units") return GroupKind::filters;
  if (text == "layers") return GroupKind::layers;
  if (text == "blocks") return GroupKind::blocks;
  fail(where, ": expected one of filters, units, layers, blocks, got '", text, "'");
}

Removal parse_removal(const std::string& text, const std::string& where) {
  if (text == "zeroed") return Removal::zeroed;
  if (text == "bypassed") return Removal::bypassed;
  fail(where, ": expected zeroed or bypassed, got '", text, "'");
}

std::vector<AblationGroup> enumerate_groups(const nn::Model& model, GroupKind kind, bool allow_bypass) {
  const SpecGraph graph(model.spec());
  switch (kind) {
    case GroupKind::filters: return filter_groups(model, graph);
    case GroupKind::layers: return layer_groups(model, graph, allow_bypass);
    case GroupKind::blocks: return block_groups(graph);
  }
  return {};
}

AblationGroup find_group(const std::vector<AblationGroup>& groups, const std::string& name,
                         const std::string& where) {
  const auto found = std::find_if(groups.begin(), groups.end(),
                                  [&](const AblationGroup& g) { return g.name == name; });
  LATHE_CHECK(found != groups.end(), where, ": group '", name,
              "' is not a group of this model (was the table computed for another model?)");
  return *found;
}

}  // namespace lathe::compress::ablate
