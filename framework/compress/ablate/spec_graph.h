// Read-only queries over a model spec's DAG that group enumeration needs: who consumes a
// layer's output, which layers lie upstream of another, and which layer types keep a
// zero channel zero.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nn/layer_spec.h"

namespace lathe::compress::ablate {

class SpecGraph {
 public:
  explicit SpecGraph(const nn::ModelSpec& spec);

  [[nodiscard]] const nn::ModelSpec& spec() const { return *spec_; }
  [[nodiscard]] const nn::LayerSpec& layer(std::size_t index) const { return spec_->layers[index]; }
  [[nodiscard]] std::size_t size() const { return spec_->layers.size(); }
  // The index of a layer, or nullopt for the model input (or an unknown name).
  [[nodiscard]] std::optional<std::size_t> index_of(const std::string& name) const;
  // Indices of the layers that take this layer's output as an input.
  [[nodiscard]] const std::vector<std::size_t>& consumers(std::size_t index) const {
    return consumers_[index];
  }
  // Every layer upstream of `name` (not itself); the model input is not a layer.
  [[nodiscard]] std::set<std::size_t> ancestors(const std::string& name) const;

 private:
  const nn::ModelSpec* spec_;
  std::vector<std::vector<std::size_t>> consumers_;
};

// Layers with weights that a group can remove.
[[nodiscard]] bool is_weighted(const nn::LayerSpec& layer);
// Parameter-free layers that map a zero channel to a zero channel and keep the channel
// index (relu, pooling, dropout, global average pooling).
[[nodiscard]] bool keeps_channels_and_zeros(const nn::LayerSpec& layer);
// Whether a conv2d or linear layer has a bias parameter (`bias:` defaults to true).
[[nodiscard]] bool has_bias(const nn::LayerSpec& layer);
// An integer key of a layer's own params, or `fallback` when absent.
[[nodiscard]] int layer_int(const nn::LayerSpec& layer, const char* key, int fallback);

}  // namespace lathe::compress::ablate
