// Small models and data shared by the ablation tests: a hand-checkable linear model, a
// tiny residual network with an identity and a projection block, random weights and
// random data, and a helper that returns an error's message.
#pragma once

#include <bit>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "data/dataset.h"
#include "nn/model.h"

namespace lathe::compress::ablate::test {

// flatten -> hidden (2 -> 2) -> out (2 -> 2): with identity weights and zero biases the
// logits are the input, so every removal's loss can be worked out by hand.
inline nn::Model identity_linear_model() {
  nn::Model model(nn::parse_model_spec(R"(
name: two_linear
input: {channels: 1, height: 1, width: 2}
layers:
  - {name: flat, type: flatten}
  - {name: hidden, type: linear, out_features: 2}
  - {name: out, type: linear, out_features: 2}
)",
                                       "two_linear"),
                  1);
  for (const nn::NamedParameter& named : model.named_parameters()) {
    Tensor& value = named.parameter->value;
    value.fill(0.0F);
    if (value.shape().rank() == 2) value[0] = value[3] = 1.0F;  // identity
  }
  return model;
}

// Items (2, 0) with label 0 and (0, 1) with label 1.
inline data::Dataset two_items() {
  data::Dataset data;
  data.images = Tensor(Shape{2, 1, 1, 2});
  data.images[0] = 2.0F;
  data.images[3] = 1.0F;
  data.labels = {0, 1};
  data.classes = 2;
  data.source = "two items";
  return data;
}

// stem (1 -> 3) + identity block a (a_conv 3 -> 3 same padding, a_bn, add to stem_relu),
// projection block b (b_conv stride 2, b_bn; shortcut b_proj 1x1 stride 2), gap, fc.
inline const char* kTinyResnetYaml = R"(
name: tiny_resnet
input: {channels: 1, height: 4, width: 4}
layers:
  - {name: stem, type: conv2d, out_channels: 3, kernel: 3, padding: 1}
  - {name: stem_bn, type: batchnorm}
  - {name: stem_relu, type: relu}
  - {name: a_conv, type: conv2d, out_channels: 3, kernel: 3, padding: 1}
  - {name: a_bn, type: batchnorm}
  - {name: a_add, type: add, inputs: [a_bn, stem_relu]}
  - {name: a_relu, type: relu}
  - {name: b_conv, type: conv2d, out_channels: 4, kernel: 3, padding: 1, stride: 2}
  - {name: b_bn, type: batchnorm}
  - {name: b_proj, type: conv2d, out_channels: 4, kernel: 1, stride: 2, bias: false, inputs: [a_relu]}
  - {name: b_add, type: add, inputs: [b_bn, b_proj]}
  - {name: gap, type: global_avgpool}
  - {name: fc, type: linear, out_features: 3}
)";

// Every parameter random (running variances positive), so no removal is trivially exact.
inline void randomize(nn::Model& model, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0F, 1.0F);
  for (const nn::NamedParameter& named : model.named_parameters()) {
    const bool variance = named.name.ends_with("running_var");
    for (float& v : named.parameter->value.values()) v = variance ? 0.5F + 0.5F * (uniform(rng) + 1.0F) : uniform(rng);
  }
}

inline nn::Model tiny_resnet(std::uint64_t seed = 3) {
  nn::Model model(nn::parse_model_spec(kTinyResnetYaml, "tiny_resnet"), seed);
  randomize(model, seed);
  return model;
}

inline data::Dataset random_images(std::int64_t items, int channels, int height, int width, int classes,
                                   std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  data::Dataset data;
  data.images = Tensor(Shape{items, channels, height, width});
  for (float& v : data.images.values()) v = normal(rng);
  for (std::int64_t i = 0; i < items; ++i) data.labels.push_back(static_cast<std::int32_t>(rng() % classes));
  data.classes = classes;
  data.source = "random images";
  return data;
}

// Every parameter value's bit pattern (so -0 and 0 differ), in parameter order.
inline std::vector<std::uint32_t> weight_bits(nn::Model& model) {
  std::vector<std::uint32_t> bits;
  for (const nn::NamedParameter& p : model.named_parameters()) {
    for (const float v : p.parameter->value.values()) bits.push_back(std::bit_cast<std::uint32_t>(v));
  }
  return bits;
}

// The message of the lathe::Error `action` throws, or "" when it throws none.
inline std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace lathe::compress::ablate::test
