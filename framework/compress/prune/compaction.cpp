#include "compress/prune/compaction.h"

#include <algorithm>
#include <yaml-cpp/yaml.h>

#include "core/error.h"
#include "nn/model_checkpoint.h"

namespace lathe::compress {
namespace {

std::vector<std::int64_t> kept_indices(std::int64_t size, const std::vector<std::int64_t>& removed) {
  std::vector<std::int64_t> kept;
  for (std::int64_t i = 0; i < size; ++i) {
    if (!std::binary_search(removed.begin(), removed.end(), i)) kept.push_back(i);
  }
  return kept;
}

// The spec with each pruned producer's width reduced (LayerSpec copies own their
// params, so the masked model's spec does not change).
nn::ModelSpec narrowed_spec(const nn::ModelSpec& spec, const PruneMask& mask) {
  nn::ModelSpec edited = spec;
  for (nn::LayerSpec& layer : edited.layers) {
    for (const GroupPruning& pruning : mask.groups) {
      if (!pruning.group.has_producer(layer.name)) continue;
      const int width = static_cast<int>(pruning.group.channels) -
                        static_cast<int>(pruning.removed.size());
      layer.params[layer.type == "linear" ? "out_features" : "out_channels"] = width;
    }
  }
  return edited;
}

}  // namespace

Tensor slice_kept_entries(const Tensor& value, const ParameterCut& cut) {
  const Shape& shape = value.shape();
  if (shape.rank() == 0) return value;
  const std::vector<std::int64_t> rows = kept_indices(shape[0], cut.removed_by_axis[0]);
  const std::int64_t columns_in = shape.rank() >= 2 ? shape[1] : 1;
  const std::vector<std::int64_t> columns =
      shape.rank() >= 2 ? kept_indices(shape[1], cut.removed_by_axis[1])
                        : std::vector<std::int64_t>{0};
  const std::int64_t inner = shape.rank() >= 2 ? value.size() / (shape[0] * shape[1]) : 1;
  std::vector<std::int64_t> dims = shape.dims();
  dims[0] = static_cast<std::int64_t>(rows.size());
  if (shape.rank() >= 2) dims[1] = static_cast<std::int64_t>(columns.size());
  Tensor sliced{Shape(dims)};
  float* out = sliced.data();
  for (std::int64_t row : rows) {
    for (std::int64_t column : columns) {
      const float* from = value.data() + (row * columns_in + column) * inner;
      out = std::copy_n(from, inner, out);
    }
  }
  return sliced;
}

nn::Model compact(nn::Model& masked, const PruneMask& mask) {
  const nn::ModelSpec& spec = masked.spec();
  nn::Model compacted(nn::rebuilt_model_spec(narrowed_spec(spec, mask), spec.source), 0);
  const ParameterCuts cuts = parameter_cuts(mask, true);
  io::Checkpoint weights;
  for (const nn::NamedParameter& named : masked.named_parameters()) {
    const auto found = cuts.find(named.name);
    weights.tensors.emplace_back(named.name, found == cuts.end()
                                                 ? named.parameter->value
                                                 : slice_kept_entries(named.parameter->value,
                                                                      found->second));
  }
  nn::load_weights(compacted, weights, "compaction of model '" + spec.name + "'");
  return compacted;
}

}  // namespace lathe::compress
