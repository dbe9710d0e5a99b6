// Small models and data for the pruning tests: specs written inline (a plain CNN, a
// residual block with a projection, conv -> flatten -> linear), seeded random inputs,
// randomised batchnorm statistics so that slicing them matters, and error-text checks.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "core/error.h"
#include "data/data_config.h"
#include "nn/model.h"
#include "support/synthetic_data.h"

namespace lathe::compress::test {

inline nn::ModelSpec model_config(const std::string& name) {
  return nn::load_model_spec(std::string(LATHE_SOURCE_DIR) + "/configs/models/" + name + ".yaml");
}

// Two residual blocks on 8x8 images: an identity block, then a strided block whose
// shortcut is a 1x1 projection; global pooling and a classifier.
inline const char* kResidualSpec = R"(name: tiny_residual
input: {channels: 1, height: 8, width: 8}
layers:
  - {name: stem, type: conv2d, out_channels: 6, kernel: 3, padding: 1}
  - {name: stem_bn, type: batchnorm}
  - {name: stem_relu, type: relu}
  - {name: a_conv1, type: conv2d, out_channels: 5, kernel: 3, padding: 1}
  - {name: a_bn1, type: batchnorm}
  - {name: a_relu1, type: relu}
  - {name: a_conv2, type: conv2d, out_channels: 6, kernel: 3, padding: 1}
  - {name: a_bn2, type: batchnorm}
  - {name: a_add, type: add, inputs: [a_bn2, stem_relu]}
  - {name: a_relu2, type: relu}
  - {name: b_conv1, type: conv2d, out_channels: 8, kernel: 3, stride: 2, padding: 1}
  - {name: b_relu1, type: relu}
  - {name: b_conv2, type: conv2d, out_channels: 8, kernel: 3, padding: 1}
  - {name: b_proj, type: conv2d, out_channels: 8, kernel: 1, stride: 2, inputs: [a_relu2]}
  - {name: b_add, type: add, inputs: [b_conv2, b_proj]}
  - {name: b_relu2, type: relu}
  - {name: gap, type: global_avgpool}
  - {name: fc, type: linear, out_features: 4}
)";

// conv -> bn -> relu -> pool -> flatten -> bn(features) -> linear -> bn -> relu ->
// dropout -> linear: each conv channel is a 4x4 block of flat_bn's entries and fc1's inputs.
inline const char* kFlattenSpec = R"(name: conv_flatten_linear
input: {channels: 2, height: 8, width: 8}
layers:
  - {name: conv, type: conv2d, out_channels: 5, kernel: 3, padding: 1}
  - {name: bn, type: batchnorm}
  - {name: relu, type: relu}
  - {name: pool, type: maxpool, kernel: 2}
  - {name: flatten, type: flatten}
  - {name: flat_bn, type: batchnorm}
  - {name: fc1, type: linear, out_features: 7}
  - {name: fc1_bn, type: batchnorm}
  - {name: fc1_relu, type: relu}
  - {name: drop, type: dropout}
  - {name: fc2, type: linear, out_features: 3}
)";

inline nn::ModelSpec spec_of(const char* yaml) { return nn::parse_model_spec(yaml, "test"); }

inline Tensor random_images(std::int64_t batch, const Shape& item, std::uint64_t seed) {
  Tensor images(Shape{batch, item[0], item[1], item[2]});
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  for (float& v : images.values()) v = normal(rng);
  return images;
}

// Batchnorm statistics and affine parameters away from their identity defaults, and
// biases away from zero, so a wrong slice changes the outputs.
inline void randomise_state(nn::Model& model, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(0.5F, 1.5F);
  std::normal_distribution<float> normal(0.0F, 0.3F);
  for (const nn::NamedParameter& named : model.named_parameters()) {
    const std::string& name = named.parameter->name;
    for (float& v : named.parameter->value.values()) {
      if (name == "running_var" || (name == "weight" && named.parameter->value.shape().rank() == 1)) {
        v = uniform(rng);
      } else if (name == "running_mean" || name == "bias") {
        v = normal(rng);
      }
    }
  }
}

inline float max_abs_difference(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  float largest = 0.0F;
  for (std::int64_t i = 0; i < a.size() && i < b.size(); ++i) {
    largest = std::max(largest, std::abs(a[i] - b[i]));
  }
  return largest;
}

inline data::DataSplits synthetic_splits(int channels = 1, int classes = 4) {
  return test_support::synthetic_splits({.classes = classes, .channels = channels, .train_size = 256,
                                         .test_size = 64, .validation_fraction = 0.25});
}

// The message of the lathe::Error `run` throws ("" when it throws none).
inline std::string error_of(const std::function<void()>& run) {
  try {
    run();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace lathe::compress::test
