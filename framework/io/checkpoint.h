// What a model checkpoint holds, independent of the engine's classes: the model spec
// (YAML text), every weight as a named tensor ("conv1/weight"), the input
// normalisation, and the training metadata. io/checkpoint_file.h writes and reads it as
// HDF5 (layout in docs/checkpoint-format.md); nn/ converts a Model to and from it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace lathe::io {

struct NamedTensor {
  std::string name;  // "<layer>/<parameter>", e.g. "conv1/weight", "bn1/running_mean"
  Tensor value;
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
