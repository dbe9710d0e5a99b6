#include "nn/layers/weight_levels.h"

#include "io/bit_packing.h"

namespace lathe::nn {

std::optional<WeightLevels> weight_levels(const io::PackedTensor& packed, const Tensor& weight,
                                          std::string& why_not) {
  if (packed.encoding != io::PackedTensor::Encoding::quantized) {
    why_not = "its weights are stored as a codebook, not on a quantisation grid";
    return std::nullopt;
  }
  const Shape& shape = weight.shape();
  const std::size_t outputs = shape.rank() > 0 ? static_cast<std::size_t>(shape[0]) : 0;
  if (packed.shape != shape || outputs == 0 ||
      (packed.scales.size() != 1 && packed.scales.size() != outputs) ||
      packed.zero_points.size() != packed.scales.size()) {
    why_not = "its stored weights have shape " + packed.shape.to_string() + " and " +
              std::to_string(packed.scales.size()) + " scales, the layer's weight " +
              shape.to_string();
    return std::nullopt;
  }
  const auto count = static_cast<std::size_t>(weight.size());
  const std::vector<std::uint8_t> codes = io::unpack_codes(packed.codes, count, packed.bits);
  const std::size_t per_output = count / outputs;
  const bool per_channel = packed.scales.size() == outputs;
  WeightLevels result;
  result.levels.resize(count);
  result.scales.resize(outputs);
  for (std::size_t o = 0; o < outputs; ++o) {
    const std::size_t grid = per_channel ? o : 0;
    const float scale = packed.scales[grid];
    const int zero_point = packed.zero_points[grid];
    result.scales[o] = scale;
    for (std::size_t k = o * per_output; k < (o + 1) * per_output; ++k) {
      const int level = int{codes[k]} - zero_point;
      if (level < -128 || level > 127) {
        why_not = "its " + std::to_string(packed.bits) + "-bit levels reach " +
                  std::to_string(level) + ", outside s8 (an asymmetric 8-bit grid)";
        return std::nullopt;
      }
      if (scale * static_cast<float>(level) != weight[static_cast<std::int64_t>(k)]) {
        why_not = "its weights differ from the stored codes";
        return std::nullopt;
      }
      result.levels[k] = static_cast<std::int8_t>(level);
    }
  }
  return result;
}

}  // namespace lathe::nn
