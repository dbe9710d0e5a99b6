// Physical removal of pruned channels (docs/methods.md M4 step 4 (ours): the exported model
// is really smaller and faster). The spec's out_channels / out_features shrink, and every
// weight is sliced: producers' filters and biases, batchnorm entries and statistics,
// consumers' input slices (a flatten's H*W block per channel). The compacted model
// computes what the masked model computes.
#pragma once

#include "compress/prune/prune_mask.h"
#include "nn/model.h"

namespace lathe::compress {

// A new model without the mask's channels, its weights copied from `masked` (whose
// pruned entries need not be zero: they are dropped either way). `masked` is unchanged.
nn::Model compact(nn::Model& masked, const PruneMask& mask);

// `value` without the entries the cut removes along axes 0 and 1.
Tensor slice_kept_entries(const Tensor& value, const ParameterCut& cut);

}  // namespace lathe::compress
