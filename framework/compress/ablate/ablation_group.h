// docs/methods.md M1: ablation importance, "leave one parameter group out". This folder
// enumerates a model's parameter groups, removes one at a time in place (and restores it
// bit-exactly), scores each removal on deployment data, keeps the sorted table (HDF5 and
// text), selects the removable groups and applies the selection as a recipe step.
// It depends on nn/, data/, io/ and config/ only; never on other compression methods.
//
// A group is plain data: what removing it does to named parameters (zero a tensor or one
// channel of it, or make a weight the identity map) and, for a structural removal, which
// spec layers disappear. Groups are found by name each time, so they survive a rebuilt
// Model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/model.h"

namespace lathe::compress::ablate {

// The granularity of a group (`groups:` in the recipe).
//   filters: one output channel of a conv2d or one output unit of a linear layer (ours);
//            channels tied by residual adds form one group.
//   layers:  a whole weight matrix of a conv2d or linear layer (the method's own group).
//   blocks:  the residual branch of an add layer (ours).
enum class GroupKind { filters, layers, blocks };

// How a removed group leaves the model (the table's `removal` column):
//   zeroed:   its output is zero (a layer outputs its bias only; a filter's channel is
//             zero; a block's residual branch is zero, so the add passes its shortcut,
//             a projection where the shortcut has one);
//   bypassed: it is replaced by the identity (a layer whose input and output shapes are
//             equal; a block with an identity shortcut).
enum class Removal { zeroed, bypassed };

// One change to one parameter ("conv1/weight"). `channel` < 0 means the whole tensor,
// else the slice at that index of axis 0 (an output channel or unit).
struct ParameterEdit {
  enum class Action { zero, identity };
  std::string parameter;
  std::int64_t channel = -1;
  Action action = Action::zero;
};

// A spec edit that removes layers physically: `dropped` layers disappear and every
// input that named `rewired_from` names `rewired_to` instead.
struct SpecBypass {
  std::vector<std::string> dropped;
  std::string rewired_from;
  std::string rewired_to;
};

// One output channel of one layer (conv2d or linear), for the pruning compaction.
struct FilterRef {
  std::string layer;
  std::int64_t channel = 0;
  bool operator==(const FilterRef&) const = default;
};

struct AblationGroup {
  std::string name;           // "conv1[3]", "stem_conv+s1a_conv2[3]", "conv1", "s1a_add"
  GroupKind kind = GroupKind::layers;
  std::string layer;          // the layer (producers joined by '+' for tied filters; the add for blocks)
  std::int64_t index = -1;    // the channel or unit for filters, -1 otherwise
  Removal removal = Removal::zeroed;
  std::vector<ParameterEdit> edits;  // in-place removal, exact for the evaluation
  // Set where the removal is exactly a pass-through (bypassed layers, blocks): the
  // simplified model drops these layers instead of keeping zeros.
  std::vector<SpecBypass> structural;
  // Filters only: the (layer, channel) of every producer the group zeroes.
  std::vector<FilterRef> filters;
};

[[nodiscard]] const char* group_kind_name(GroupKind kind);
[[nodiscard]] const char* removal_name(Removal removal);
// Parses "filters" | "units" (the same as filters) | "layers" | "blocks"; `where`
// names the source in the error.
[[nodiscard]] GroupKind parse_group_kind(const std::string& text, const std::string& where);
[[nodiscard]] Removal parse_removal(const std::string& text, const std::string& where);

// Every group of `kind` in the model, in spec order. The logits layer (every conv2d or
// linear whose output reaches the model output through parameter-free layers only) is
// never a group. `allow_bypass` = false zeroes layers even where they could be bypassed.
[[nodiscard]] std::vector<AblationGroup> enumerate_groups(const nn::Model& model, GroupKind kind,
                                                          bool allow_bypass = true);

// The group of `kind` called `name` in the model; fails naming `where` when there is none.
[[nodiscard]] AblationGroup find_group(const std::vector<AblationGroup>& groups, const std::string& name,
                                       const std::string& where);

}  // namespace lathe::compress::ablate
