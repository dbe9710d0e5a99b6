#include "nn/layers/integer_layer.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

#include "nn/layers/batchnorm_affine.h"
#include "nn/layers/weight_levels.h"

#ifdef LATHE_HAVE_ONEDNN
#include "backend/onednn/int8_support.h"
#endif

namespace lathe::nn {
namespace {

#ifdef LATHE_HAVE_ONEDNN

// The quantiser's rounding as FakeQuant::forward applies it.
FakeQuantGrid input_grid(const FakeQuant& quantizer) {
  FakeQuantGrid grid = quantizer.grid().for_backend();
  grid.clamp_low = quantizer.range_min();
  grid.clamp_high = quantizer.range_max();
  return grid;
}

// y[o] = (s_x s_w[o] sum k (c - z) + b[o]) * g[o] + h[o] with the batchnorm's affine map
// (g, h), or g = 1, h = 0 without one.
bool fold_weights(WeightLevels levels, const Tensor* bias, PreparedIntegerLayer& layer,
                  std::string& why_not) {
  const IntegerChain& chain = layer.chain;
  const float input_scale = chain.quantizer->grid().scale;
  const std::size_t outputs = levels.scales.size();
  std::vector<float> bias_values(outputs, 0.0F);
  if (bias != nullptr) bias_values = bias->to_host_vector();
  std::optional<ChannelAffine> affine;
  if (chain.norm != nullptr) affine = batchnorm_affine(*chain.norm);
  layer.levels = std::move(levels.levels);
  layer.scales.resize(outputs);
  layer.bias.resize(outputs);
  for (std::size_t o = 0; o < outputs; ++o) {
    const float g = affine ? affine->scale[o] : 1.0F;
    layer.scales[o] = input_scale * levels.scales[o] * g;
    layer.bias[o] = affine ? bias_values[o] * g + affine->shift[o] : bias_values[o];
    if (!std::isfinite(layer.scales[o]) || layer.scales[o] == 0.0F || !std::isfinite(layer.bias[o])) {
      why_not = "output " + std::to_string(o) + " has a folded scale of " +
                std::to_string(layer.scales[o]);
      return false;
    }
  }
  return true;
}

// Without VNNI the kernels add pairs of products in saturating 16-bit sums
// (backend/onednn/int8_support.h): a layer runs on them only if no pair can clip.
bool levels_fit_pair_sums(const std::vector<std::int8_t>& levels, const FakeQuantGrid& grid,
                          std::string& why_not) {
  int largest = 0;
  for (const std::int8_t k : levels) largest = std::max(largest, std::abs(static_cast<int>(k)));
  const int limit = onednn::largest_exact_level(grid.max_code);
  if (largest <= limit) return true;
  why_not = "its weight levels reach +-" + std::to_string(largest) + " and its input codes " +
            std::to_string(grid.max_code) + ", so the int8 kernels of this CPU (" +
            onednn::int8_sums_description() + ") could clip them: levels within +-" +
            std::to_string(limit) + " run on them (weights of 7 bits or fewer, or 7-bit activations)";
  return false;
}

#endif  // LATHE_HAVE_ONEDNN

}  // namespace

std::string why_no_integer_kernels() {
#ifndef LATHE_HAVE_ONEDNN
  return "this build has no oneDNN (LATHE_WITH_ONEDNN off)";
#else
  static const std::string why = onednn::why_no_int8_kernels();  // the CPU does not change
  return why;
#endif
}

std::optional<PreparedIntegerLayer> prepare_integer_layer(const IntegerChain& chain,
                                                          const io::PackedTensor& stored,
                                                          const Backend& backend,
                                                          std::string& why_not) {
#ifndef LATHE_HAVE_ONEDNN
  (void)chain;
  (void)stored;
  (void)backend;
  why_not = "this build has no oneDNN (LATHE_WITH_ONEDNN off)";
  return std::nullopt;
#else
  if (backend.name() != "cpu" || backend.memory() != nullptr) {
    why_not = "integer kernels run on the CPU backend only, not " + std::string(backend.name());
    return std::nullopt;
  }
  if (const std::string& why = why_no_integer_kernels(); !why.empty()) {
    why_not = why;
    return std::nullopt;
  }
  if (chain.quantizer == nullptr || !chain.quantizer->calibrated() || chain.quantizer->observing()) {
    why_not = "its input quantiser is not calibrated";
    return std::nullopt;
  }
  const Tensor& weight = chain.convolution != nullptr ? chain.convolution->convolution_weight()
                                                      : chain.linear->linear_weight();
  const Tensor* bias = chain.convolution != nullptr ? chain.convolution->convolution_bias()
                                                    : chain.linear->linear_bias();
  std::optional<WeightLevels> levels = weight_levels(stored, weight, why_not);
  if (!levels) return std::nullopt;
  PreparedIntegerLayer layer;
  layer.chain = chain;
  layer.input_grid = input_grid(*chain.quantizer);
  if (!levels_fit_pair_sums(levels->levels, layer.input_grid, why_not)) return std::nullopt;
  if (!fold_weights(std::move(*levels), bias, layer, why_not)) return std::nullopt;
  return layer;
#endif
}

}  // namespace lathe::nn
