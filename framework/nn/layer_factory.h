// Maps a layer spec's `type` to the builder of that layer.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "nn/layer.h"
#include "nn/layer_spec.h"

namespace lathe::nn {

// Builds the layer for inputs of the given per-item shapes; an unknown type is an error
// naming the spec line and suggesting the nearest known type.
std::unique_ptr<Layer> make_layer(const LayerSpec& spec, std::span<const Shape> input_item_shapes);
std::vector<std::string> known_layer_types();

}  // namespace lathe::nn
