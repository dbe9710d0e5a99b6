// The keys of a `prune:` step with `method: filter` (docs/methods.md M4), declared once: the
// reader, the checks and the docs all come from visit().
//
// ratio is either a number (every group) or a mapping {default: 0.5, conv2: 0.3} with
// per-layer ratios, read as quantize's weight_bits is (config/by_layer_numbers.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compress/prune/filter_saliency.h"
#include "config/field_checks.h"

namespace lathe::compress {

// The prune methods a recipe may name; each has its own keys and factory.
inline const config::Choices& prune_methods() {
  static const config::Choices methods{"filter", "ablation"};
  return methods;
}

struct FilterPruneParams {
  std::string method = "filter";
  std::string saliency = "l1";
  std::string select = "knee";  // (ours) default
  double ratio = 0.5;           // (ours) default, for select: ratio
  std::map<std::string, double> ratio_by_layer;  // from the mapping form, not `visit`
  double threshold = 0.1;       // (ours) default, for select: threshold
  std::vector<std::string> layers;
  int batches = 4;              // (ours) default
  int min_channels = 1;         // (ours)

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.choice("method", method, prune_methods(),
             "filter: saliency-ranked filters (M4); ablation: leave-one-out groups (M1)");
    v.choice("saliency", saliency, saliency_rules(),
             "filter score: l1 / l2 norm of the filter, taylor (|sum w dL/dw| over the "
             "channel's weights), removal (validation loss with the channel zeroed minus the "
             "reference loss)");
    v.choice("select", select, {"knee", "ratio", "threshold"},
             "how many to prune per group: the knee of the sorted saliency curve, a ratio of "
             "the channels, or those below a threshold");
    v.number("ratio", ratio, Range::half_open(0.0, 1.0),
             "select: ratio: prune floor(ratio * channels) per group, at least one; or a "
             "mapping {default: 0.5, conv2: 0.3} with per-layer ratios (a layer stands for "
             "its group)");
    v.number("threshold", threshold, Range::at_least(0.0),
             "select: threshold: prune channels whose saliency divided by the group's largest "
             "is below this (at least one is pruned)");
    v.texts("layers", layers,
            "conv2d / linear layers (or their batchnorms) whose groups are pruned; default: "
            "every prunable group");
    v.number("batches", batches, Range::closed(1, 100000),
             "batches scored by the taylor (training) and removal (validation) saliencies");
    v.number("min_channels", min_channels, Range::closed(1, 1 << 16),
             "never leave a group with fewer channels than this");
  }
};

}  // namespace lathe::compress
