// Quantisation of weight tensors (docs/methods.md M3, and the quantise method of M5): integer
// codes on a per-tensor or per-channel (axis 0) grid, the fake-quantised floats the
// model computes with, and the io::PackedTensor the artifact stores. Every grid is an
// nn::QuantGrid, so weights and activations round the same way, and dequantising the
// packed tensor gives back the fake-quantised floats bit for bit.
//
// This folder (compress/quantize/) holds the quantize recipe step: the quantiser math,
// activation calibration, the counted range-update rule and the QAT hook. It depends on
// nn/, io/ and data/, never on other compression methods.
#pragma once

#include <cstdint>
#include <vector>

#include "io/checkpoint.h"
#include "nn/layers/fake_quant.h"
#include "tensor/tensor.h"

namespace lathe::compress::quantize {

struct WeightQuantSpec {
  int bits = 8;            // 2..8
  bool symmetric = true;   // signed levels around 0, else a zero point per grid
  bool per_channel = false;  // one grid per index of axis 0 (output channel / unit)
};

struct QuantizedTensor {
  int bits = 8;
  Shape shape;
  std::vector<std::uint8_t> codes;  // one unpacked code per element, row-major
  std::vector<nn::QuantGrid> grids;  // 1 (per tensor) or shape[0] (per channel)
  Tensor values;                     // grid.value(code): what the model computes with
};

// The grids a tensor's own range gives: min/max per tensor or per axis-0 slice.
std::vector<nn::QuantGrid> weight_grids(const Tensor& weights, const WeightQuantSpec& spec);
// Rounds `weights` onto given grids (1, or one per axis-0 slice).
QuantizedTensor quantize_on_grids(const Tensor& weights, int bits,
                                  std::vector<nn::QuantGrid> grids);
// Both steps: the grids from the tensor's range, then the codes.
QuantizedTensor quantize_weights(const Tensor& weights, const WeightQuantSpec& spec);

// Bit-packed codes with their scales and zero points (io/checkpoint.h's formula).
io::PackedTensor to_packed_tensor(const QuantizedTensor& quantized);
// value = scales[c] * (code - zero_points[c]), as a reader of the artifact computes it.
Tensor dequantize(const io::PackedTensor& packed);

}  // namespace lathe::compress::quantize
