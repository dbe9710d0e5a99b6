#include "nn/layers/integer_layer.h"

#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "nn/layers/batchnorm_affine.h"
#include "nn/layers/weight_levels.h"

#ifdef LATHE_HAVE_ONEDNN
#include "backend/onednn/int8_convolution.h"
#include "backend/onednn/int8_inner_product.h"
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

class IntegerConvolution final : public IntegerLayer {
 public:
  IntegerConvolution(const Conv2dGeometry& g, const FakeQuantGrid& grid,
                     onednn::Int8LayerWeights weights)
      : geometry_(g), conv_(g, grid, std::move(weights)) {}

  void forward(Backend& backend, const Tensor& input, Tensor& output) override {
    const auto batch = static_cast<int>(input.shape()[0]);
    output.resize(Shape{batch, geometry_.out_channels, geometry_.out_height(), geometry_.out_width()});
    conv_.forward(batch, input.data(), output.data(), backend.threads());
  }
  std::string implementation(const Backend& backend, int batch) override {
    return conv_.implementation(batch, backend.threads());
  }

 private:
  Conv2dGeometry geometry_;
  onednn::Int8Convolution conv_;
};

class IntegerLinear final : public IntegerLayer {
 public:
  IntegerLinear(int in_features, int out_features, const FakeQuantGrid& grid,
                onednn::Int8LayerWeights weights)
      : out_features_(out_features), product_(in_features, out_features, grid, std::move(weights)) {}

  void forward(Backend& backend, const Tensor& input, Tensor& output) override {
    const auto batch = static_cast<int>(input.shape()[0]);
    output.resize(Shape{batch, out_features_});
    product_.forward(batch, input.data(), output.data(), backend.threads());
  }
  std::string implementation(const Backend& backend, int batch) override {
    return product_.implementation(batch, backend.threads());
  }

 private:
  int out_features_;
  onednn::Int8InnerProduct product_;
};

// y[o] = (s_x s_w[o] sum k (c - z) + b[o]) * g[o] + h[o] with the batchnorm's affine map
// (g, h), or g = 1, h = 0 without one.
std::optional<onednn::Int8LayerWeights> folded_weights(const IntegerChain& chain, WeightLevels levels,
                                                       const Tensor* bias, std::string& why_not) {
  const float input_scale = chain.quantizer->grid().scale;
  const std::size_t outputs = levels.scales.size();
  std::vector<float> bias_values(outputs, 0.0F);
  if (bias != nullptr) bias_values = bias->to_host_vector();
  std::optional<ChannelAffine> affine;
  if (chain.norm != nullptr) affine = batchnorm_affine(*chain.norm);
  onednn::Int8LayerWeights weights;
  weights.levels = std::move(levels.levels);
  weights.relu = chain.relu;
  weights.scales.resize(outputs);
  weights.bias.resize(outputs);
  for (std::size_t o = 0; o < outputs; ++o) {
    const float g = affine ? affine->scale[o] : 1.0F;
    weights.scales[o] = input_scale * levels.scales[o] * g;
    weights.bias[o] = affine ? bias_values[o] * g + affine->shift[o] : bias_values[o];
    if (!std::isfinite(weights.scales[o]) || weights.scales[o] == 0.0F ||
        !std::isfinite(weights.bias[o])) {
      why_not = "output " + std::to_string(o) + " has a folded scale of " +
                std::to_string(weights.scales[o]);
      return std::nullopt;
    }
  }
  return weights;
}

#endif  // LATHE_HAVE_ONEDNN

}  // namespace

std::string why_no_integer_kernels() {
#ifndef LATHE_HAVE_ONEDNN
  return "this build has no oneDNN (LATHE_WITH_ONEDNN off)";
#else
  static const std::string why = onednn::why_int8_sums_are_inexact();  // the CPU does not change
  return why;
#endif
}

std::unique_ptr<IntegerLayer> make_integer_layer(const IntegerChain& chain,
                                                 const io::PackedTensor& stored,
                                                 const Backend& backend, std::string& why_not) {
#ifndef LATHE_HAVE_ONEDNN
  (void)chain;
  (void)stored;
  (void)backend;
  why_not = "this build has no oneDNN (LATHE_WITH_ONEDNN off)";
  return nullptr;
#else
  if (backend.name() != "cpu" || backend.memory() != nullptr) {
    why_not = "integer kernels run on the CPU backend only, not " + std::string(backend.name());
    return nullptr;
  }
  if (const std::string& why = why_no_integer_kernels(); !why.empty()) {
    why_not = why;
    return nullptr;
  }
  if (chain.quantizer == nullptr || !chain.quantizer->calibrated() || chain.quantizer->observing()) {
    why_not = "its input quantiser is not calibrated";
    return nullptr;
  }
  const Tensor& weight = chain.convolution != nullptr ? chain.convolution->convolution_weight()
                                                      : chain.linear->linear_weight();
  const Tensor* bias = chain.convolution != nullptr ? chain.convolution->convolution_bias()
                                                    : chain.linear->linear_bias();
  std::optional<WeightLevels> levels = weight_levels(stored, weight, why_not);
  if (!levels) return nullptr;
  std::optional<onednn::Int8LayerWeights> weights =
      folded_weights(chain, std::move(*levels), bias, why_not);
  if (!weights) return nullptr;
  const FakeQuantGrid grid = input_grid(*chain.quantizer);
  if (chain.convolution != nullptr) {
    return std::make_unique<IntegerConvolution>(chain.convolution->convolution_geometry(), grid,
                                                std::move(*weights));
  }
  return std::make_unique<IntegerLinear>(chain.linear->in_features(), chain.linear->out_features(),
                                         grid, std::move(*weights));
#endif
}

}  // namespace lathe::nn
