// Structural pruning (docs/methods.md M4, and the ablation of single filters in M1): which
// weights belong to one output channel. A *producer* (conv2d output channels, linear
// output units) starts a channel space; channels flow through channel-preserving layers
// (batchnorm, relu, pooling, dropout, fake_quant, flatten) to *consumers*, the conv2d /
// linear layers that read them. An add ties the channel c of all its inputs and its
// output: every producer feeding it is one *group*, pruned together.
//
// This folder depends on nn/ (Model, ModelSpec, parameters), backend/ and data/ only;
// never on other compression methods.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/model.h"

namespace lathe::compress {

// A layer whose weights hold the group's channels along one axis: channel c is the
// entries [c * block, (c + 1) * block) of that axis. block is 1 except where a flatten
// turned each channel into H*W features (or a batchnorm works on those features).
struct ChannelMember {
  std::string layer;
  std::int64_t block = 1;
};

struct ChannelGroup {
  // conv2d / linear layers whose output channel c is the group's channel c (weight
  // axis 0 and bias); in model order.
  std::vector<std::string> producers;
  // batchnorm layers on the path (weight, bias, running_mean, running_var).
  std::vector<ChannelMember> batchnorms;
  // conv2d / linear layers that read the channels (weight axis 1).
  std::vector<ChannelMember> consumers;
  std::int64_t channels = 0;
  // Why the group must not be pruned ("its channels are the logits"), empty if it may.
  std::string not_prunable_reason;

  [[nodiscard]] bool prunable() const { return not_prunable_reason.empty(); }
  // "stem_conv + s1a_conv2 + s2a_..." for messages.
  [[nodiscard]] std::string describe() const;
  [[nodiscard]] bool has_producer(const std::string& layer) const;
  [[nodiscard]] bool has_batchnorm(const std::string& layer) const;
};

// Every group with at least one producer, ordered by its first producer. Layer types
// the analysis does not know pass channels through when they take one input, have no
// per-channel parameters and keep the channel count (an inserted quantiser); any other
// unknown layer makes the groups it reads unprunable.
std::vector<ChannelGroup> find_channel_groups(const nn::Model& model);

// The group whose producer or batchnorm is `layer`, or nullptr.
const ChannelGroup* group_of_layer(const std::vector<ChannelGroup>& groups,
                                   const std::string& layer);

// The prunable group of `layer`, or a lathe::Error starting with `where` ("recipe.yaml:3:
// steps[0].prune.layers") that says why: no such layer (with the nearest name), not a
// conv2d / linear / batchnorm layer, or a group that must stay whole (the logits).
const ChannelGroup& prunable_group_of(const nn::Model& model,
                                      const std::vector<ChannelGroup>& groups,
                                      const std::string& layer, const std::string& where);

// The producers of every prunable group, for messages: "conv1, conv2, fc1".
std::string prunable_layer_list(const std::vector<ChannelGroup>& groups);

}  // namespace lathe::compress
