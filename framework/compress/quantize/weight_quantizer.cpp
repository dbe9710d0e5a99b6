#include "compress/quantize/weight_quantizer.h"

#include <algorithm>

#include "core/error.h"
#include "io/bit_packing.h"

namespace lathe::compress::quantize {
namespace {

// Elements per grid: the whole tensor, or one axis-0 slice.
std::int64_t slice_size(const Shape& shape, std::size_t grids) {
  return grids == 1 ? shape.elements() : shape.elements() / static_cast<std::int64_t>(grids);
}

}  // namespace

std::vector<nn::QuantGrid> weight_grids(const Tensor& weights, const WeightQuantSpec& spec) {
  LATHE_CHECK(!weights.empty(), "cannot quantise an empty tensor");
  const std::size_t count =
      spec.per_channel ? static_cast<std::size_t>(weights.shape()[0]) : std::size_t{1};
  const std::int64_t per_grid = slice_size(weights.shape(), count);
  std::vector<nn::QuantGrid> grids;
  grids.reserve(count);
  for (std::size_t c = 0; c < count; ++c) {
    const float* begin = weights.data() + static_cast<std::int64_t>(c) * per_grid;
    const auto [low, high] = std::minmax_element(begin, begin + per_grid);
    grids.push_back(nn::QuantGrid::for_range(*low, *high, spec.bits, spec.symmetric));
  }
  return grids;
}

QuantizedTensor quantize_on_grids(const Tensor& weights, int bits,
                                  std::vector<nn::QuantGrid> grids) {
  LATHE_CHECK(grids.size() == 1 || static_cast<std::int64_t>(grids.size()) == weights.shape()[0],
              "quantising a tensor of shape ", weights.shape().to_string(), " with ",
              grids.size(), " grids: expected 1 or one per index of axis 0");
  QuantizedTensor result;
  result.bits = bits;
  result.shape = weights.shape();
  result.values = Tensor(weights.shape());
  result.codes.resize(static_cast<std::size_t>(weights.size()));
  const std::int64_t per_grid = slice_size(weights.shape(), grids.size());
  for (std::int64_t i = 0; i < weights.size(); ++i) {
    const nn::QuantGrid& grid = grids[static_cast<std::size_t>(i / per_grid)];
    const int code = grid.code(weights[i]);
    result.codes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(code);
    result.values[i] = grid.value(code);
  }
  result.grids = std::move(grids);
  return result;
}

QuantizedTensor quantize_weights(const Tensor& weights, const WeightQuantSpec& spec) {
  return quantize_on_grids(weights, spec.bits, weight_grids(weights, spec));
}

io::PackedTensor to_packed_tensor(const QuantizedTensor& quantized) {
  io::PackedTensor packed;
  packed.encoding = io::PackedTensor::Encoding::quantized;
  packed.bits = quantized.bits;
  packed.shape = quantized.shape;
  packed.codes = io::pack_codes(quantized.codes, quantized.bits);
  for (const nn::QuantGrid& grid : quantized.grids) {
    packed.scales.push_back(grid.scale);
    packed.zero_points.push_back(static_cast<std::uint8_t>(grid.zero_point));
  }
  return packed;
}

Tensor dequantize(const io::PackedTensor& packed) {
  LATHE_CHECK(packed.encoding == io::PackedTensor::Encoding::quantized,
              "dequantize: expected a quantized packed tensor, got a codebook one");
  LATHE_CHECK(!packed.scales.empty() && packed.scales.size() == packed.zero_points.size(),
              "dequantize: expected as many zero points as scales (at least one), got ",
              packed.zero_points.size(), " and ", packed.scales.size());
  Tensor values(packed.shape);
  const std::size_t count = static_cast<std::size_t>(values.size());
  const std::vector<std::uint8_t> codes = io::unpack_codes(packed.codes, count, packed.bits);
  const std::size_t per_channel = packed.scales.size() == 1 ? count : count / packed.scales.size();
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t c = i / per_channel;
    values[static_cast<std::int64_t>(i)] =
        packed.scales[c] * static_cast<float>(int{codes[i]} - int{packed.zero_points[c]});
  }
  return values;
}

}  // namespace lathe::compress::quantize
