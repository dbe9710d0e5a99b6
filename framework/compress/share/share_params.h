// The keys of the `share` recipe step (docs/methods.md M2, mixture weight sharing), declared
// once: the YAML reader checks them, `--help` and docs list them from here.
#pragma once

#include <string>
#include <vector>

#include "config/field_checks.h"

namespace lathe::compress::share {

struct ShareParams {
  // K components whose means start evenly spaced over the preset [a, b].
  int components = 16;
  // (ours) [-0.5, 0.5]: covers nearly every weight of a trained CNN; weights outside
  // the range still join the nearest end component.
  std::vector<double> range = {-0.5, 0.5};
  // (ours) Ullrich et al. 2017's tau: the loss adds prior_weight * NLL(weights) / N_train,
  // i.e. the prior counted once per pass over the N_train training items, as the mean
  // cross-entropy per item is.
  double prior_weight = 0.005;
  // A component is a layer's snap target when it has MORE than this many members.
  int min_members = 4;
  // `sample`: fresh weights drawn from the mixture; (ours, default) `base`:
  // start from the trained base weights.
  std::string init = "base";
  // (ours) 0 = half the spacing of neighbouring means.
  double initial_std = 0.0;
  // (ours) Adam learning rate of the mixture's means, log variances and mixing logits.
  double mixture_lr = 5e-4;
  // (ours) one more component pinned at mean 0, as in Ullrich et al. 2017; the K means
  // keep their even grid (when the grid already has 0, that grid point is the pinned one).
  bool zero_component = true;
  // conv2d / linear layers whose `weight` is shared; empty = all of them.
  std::vector<std::string> layers;

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.number("components", components, Range::closed(2, 256),
             "mixture components K; their means start at a + k (b - a) / (K - 1)");
    v.numbers("range", range, Range::unbounded(),
              "[a, b]: the preset range the K initial means span, both ends included");
    v.number("prior_weight", prior_weight, Range::at_least(0),
             "weight of the mixture's negative log-likelihood, divided by the training set size");
    v.number("min_members", min_members, Range::at_least(0),
             "a component is kept in a layer when more than this many weights are nearest to it");
    v.choice("init", init, {"base", "sample"},
             "start from the trained weights (base) or draw every shared weight from the mixture");
    v.number("initial_std", initial_std, Range::at_least(0),
             "initial standard deviation of every component (0 = half the spacing of the means)");
    v.number("mixture_lr", mixture_lr, Range::positive(),
             "Adam learning rate of the mixture's means, variances and mixing weights");
    v.flag("zero_component", zero_component,
           "add a component pinned at 0 (the grid point at 0 when the grid has one)");
    v.texts("layers", layers, "conv2d / linear layers to share (default: all of them)");
  }
};

}  // namespace lathe::compress::share
