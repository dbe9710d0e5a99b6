// Small fixtures shared by the distillation tests: random tensors, tiny specs, a
// reference loss in double precision, and a check on an error's message.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "nn/layer_spec.h"
#include "nn/model.h"
#include "tensor/tensor.h"

namespace lathe::compress::distill::test {

inline Tensor random_tensor(const Shape& shape, std::uint64_t seed, float scale = 1.0F) {
  Tensor t(shape);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0F, scale);
  for (float& v : t.values()) v = normal(rng);
  return t;
}

// A spec for 1 x 4 x 4 images: conv `conv` with `channels` outputs (no relu, so finite
// differences never cross a kink), then flatten and a linear layer to `classes`.
inline std::string conv_linear_yaml(const std::string& name, const std::string& conv,
                                    int channels, int classes) {
  return "name: " + name + "\ninput: {channels: 1, height: 4, width: 4}\nlayers:\n" +
         "  - {name: " + conv + ", type: conv2d, out_channels: " + std::to_string(channels) +
         ", kernel: 3, padding: 1}\n" + "  - {name: flatten, type: flatten}\n" +
         "  - {name: fc, type: linear, out_features: " + std::to_string(classes) + "}\n";
}

inline nn::Model conv_linear_model(const std::string& name, const std::string& conv, int channels,
                                   int classes, std::uint64_t seed) {
  return nn::Model(nn::parse_model_spec(conv_linear_yaml(name, conv, channels, classes), name),
                   seed);
}

// Mean cross-entropy of N x K logits, in double.
inline double reference_cross_entropy(const Tensor& logits, const std::vector<std::int32_t>& labels) {
  const std::int64_t batch = logits.shape()[0];
  const std::int64_t classes = logits.shape()[1];
  double total = 0.0;
  for (std::int64_t n = 0; n < batch; ++n) {
    double largest = -INFINITY;
    for (std::int64_t k = 0; k < classes; ++k) largest = std::max(largest, double{logits[n * classes + k]});
    double sum = 0.0;
    for (std::int64_t k = 0; k < classes; ++k) sum += std::exp(logits[n * classes + k] - largest);
    total += largest + std::log(sum) - logits[n * classes + labels[static_cast<std::size_t>(n)]];
  }
  return total / static_cast<double>(batch);
}

// Mean over items of KL(softmax(t/T) || softmax(s/T)), written out directly.
inline double reference_kl(const Tensor& student, const Tensor& teacher, double temperature) {
  const std::int64_t batch = student.shape()[0];
  const std::int64_t classes = student.shape()[1];
  double total = 0.0;
  for (std::int64_t n = 0; n < batch; ++n) {
    double zs = 0.0;
    double zt = 0.0;
    for (std::int64_t k = 0; k < classes; ++k) {
      zs += std::exp(student[n * classes + k] / temperature);
      zt += std::exp(teacher[n * classes + k] / temperature);
    }
    for (std::int64_t k = 0; k < classes; ++k) {
      const double ps = std::exp(student[n * classes + k] / temperature) / zs;
      const double pt = std::exp(teacher[n * classes + k] / temperature) / zt;
      total += pt * std::log(pt / ps);
    }
  }
  return total / static_cast<double>(batch);
}

// Central difference of `loss` with respect to `value`, which it reads.
inline double numeric_derivative(float& value, const std::function<double()>& loss, float step = 1e-2F) {
  const float saved = value;
  value = saved + step;
  const double up = loss();
  value = saved - step;
  const double down = loss();
  value = saved;
  return (up - down) / (2.0 * static_cast<double>(step));
}

// The message of the lathe::Error `action` throws ("" when it throws none).
inline std::string error_message(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_ERROR_CONTAINS(action, text)                                              \
  do {                                                                                  \
    const std::string message_ = ::lathe::compress::distill::test::error_message(action); \
    EXPECT_NE(message_.find(text), std::string::npos) << "message: '" << message_ << "'"; \
  } while (false)

}  // namespace lathe::compress::distill::test
