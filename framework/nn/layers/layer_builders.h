// One builder per layer type: reads and checks the type's keys, checks the input
// shapes (per item, without the batch dimension) and returns the built layer.
#pragma once

#include <memory>
#include <span>

#include "config/yaml_reader.h"
#include "core/error.h"
#include "nn/layer.h"
#include "nn/layer_spec.h"

namespace lathe::nn {

using LayerBuilder = std::unique_ptr<Layer> (*)(const LayerSpec&, std::span<const Shape>);

std::unique_ptr<Layer> build_conv2d(const LayerSpec&, std::span<const Shape>);
std::unique_ptr<Layer> build_linear(const LayerSpec&, std::span<const Shape>);
std::unique_ptr<Layer> build_batchnorm(const LayerSpec&, std::span<const Shape>);
std::unique_ptr<Layer> build_relu(const LayerSpec&, std::span<const Shape>);
std::unique_ptr<Layer> build_maxpool(const LayerSpec&, std::span<const Shape>);
std::unique_ptr<Layer> build_avgpool(const LayerSpec&, std::span<const Shape>);
std::unique_ptr<Layer> build_global_avgpool(const LayerSpec&, std::span<const Shape>);
std::unique_ptr<Layer> build_flatten(const LayerSpec&, std::span<const Shape>);
std::unique_ptr<Layer> build_add(const LayerSpec&, std::span<const Shape>);
std::unique_ptr<Layer> build_dropout(const LayerSpec&, std::span<const Shape>);
std::unique_ptr<Layer> build_fake_quant(const LayerSpec&, std::span<const Shape>);

// Reads a layer's own keys into its params struct (unknown keys are errors).
template <class Params>
Params read_layer_params(const LayerSpec& spec) {
  Params params;
  config::YamlReader::read(spec.params, params, spec.where, "layers." + spec.name + ".");
  return params;
}

// For layer types without keys of their own: any key is an unknown-key error.
void expect_no_layer_params(const LayerSpec& spec);

// Input checks shared by the builders; messages name the spec line and the layer.
void expect_input_count(const LayerSpec& spec, std::span<const Shape> inputs, std::size_t count);
void expect_input_rank(const LayerSpec& spec, const Shape& input, std::size_t rank,
                       const char* what);

// A layer's fixed geometry with the batch size of this input (Conv2dGeometry,
// Pool2dGeometry, BatchNormGeometry all carry `batch`).
template <class Geometry>
Geometry for_batch(Geometry geometry, const Tensor& input) {
  geometry.batch = static_cast<int>(input.shape()[0]);
  return geometry;
}

// Prepends the batch dimension to a per-item shape.
Shape with_batch(std::int64_t batch, const Shape& item);

}  // namespace lathe::nn
