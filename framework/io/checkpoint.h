// What a model checkpoint holds, independent of the engine's classes: the model spec
// (YAML text), every weight as a named tensor ("conv1/weight"), the input
// normalisation, and the training metadata. io/checkpoint_file.h writes and reads it as
// HDF5 (layout in docs/checkpoint-format.md); nn/ converts a Model to and from it.
//
// A compressed artifact is the same structure with some tensors `packed`: quantised
// integer codes with their scales, or indices into a codebook of shared values. The file
// stores only the packed form; reading decodes it into `value` as well, so every model
// loads the same way. docs/stored-size.md defines the bytes each form counts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace lathe::io {

// Integer codes of `bits` bits each, bit-packed (io/bit_packing.h), one per element of
// `shape` in row-major order.
struct PackedTensor {
  enum class Encoding {
    // value = scales[c] * (code - zero_points[c]); c is the index along axis 0 when
    // scales has shape[0] entries (per channel), else 0 (one scale for the tensor).
    // Symmetric quantisation stores codes offset by zero_points = 2^(bits-1).
    quantized,
    // value = codebook[code]; the codebook holds at most 2^bits shared values.
    codebook,
  };
  Encoding encoding = Encoding::quantized;
  int bits = 8;  // 1..8
  Shape shape;
  std::vector<std::uint8_t> codes;  // ceil(elements * bits / 8) bytes
  std::vector<float> scales;        // quantized only: 1 or shape[0] entries
  std::vector<std::uint8_t> zero_points;  // quantized only: same count as scales
  std::vector<float> codebook;      // codebook only
};

struct NamedTensor {
  NamedTensor() = default;
  NamedTensor(std::string tensor_name, Tensor tensor_value,
              std::optional<PackedTensor> packed_form = std::nullopt)
      : name(std::move(tensor_name)), value(std::move(tensor_value)), packed(std::move(packed_form)) {}

  std::string name;  // "<layer>/<parameter>", e.g. "conv1/weight", "bn1/running_mean"
  Tensor value;      // always the float values (decoded when packed)
  std::optional<PackedTensor> packed;  // how the file stores it, when not float32
};

struct Checkpoint {
  std::string model_spec_yaml;
  std::vector<NamedTensor> tensors;
  // Per-channel input normalisation applied before the first layer: x' = (x - mean) / std.
  std::vector<float> normalization_mean;
  std::vector<float> normalization_std;
  // Training metadata: text (config, dates, versions) and numbers (epochs, accuracy).
  std::map<std::string, std::string> text_metadata;
  std::map<std::string, double> number_metadata;
};

}  // namespace lathe::io
