// The integer form of a quantised weight, read once from the artifact's packed tensor
// (io/checkpoint.h: value = scales[c] * (code - zero_points[c])): the signed levels
// code - zero point that int8 kernels multiply, and one scale per output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/checkpoint.h"
#include "tensor/tensor.h"

namespace lathe::nn {

struct WeightLevels {
  std::vector<std::int8_t> levels;  // row-major, as the weight
  std::vector<float> scales;        // one per index of axis 0 (a per-tensor scale repeated)
};

// The levels of `packed`, or nullopt with `why_not` said when they cannot stand for
// `weight` on s8 kernels: another encoding or shape, levels outside [-128, 127] (an
// 8-bit asymmetric grid whose zero point is not 128), or values that differ from the
// model's weight (the model must compute with exactly what is stored).
std::optional<WeightLevels> weight_levels(const io::PackedTensor& packed, const Tensor& weight,
                                          std::string& why_not);

}  // namespace lathe::nn
