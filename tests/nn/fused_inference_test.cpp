// Inference with conv2d + batchnorm + ReLU chains fused (nn/layers/fused_inference.h)
// against the unfused Model::forward on the benchmark models, with batchnorm statistics
// far from their initial identity so that folding them changes the weights.
#include "nn/layers/fused_inference.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "nn/model.h"

#include "support/max_error.h"

namespace lathe::nn {
namespace {

Model model_with_trained_looking_statistics(const std::string& name) {
  Model model(load_model_spec(std::string(LATHE_SOURCE_DIR) + "/configs/models/" + name + ".yaml"),
              3);
  std::mt19937 generator(11);
  std::uniform_real_distribution<float> uniform(0.2F, 1.8F);
  for (const NamedParameter& p : model.named_parameters()) {
    const bool statistic = p.name.ends_with("running_mean") || p.name.ends_with("running_var");
    const bool affine = p.name.find("bn") != std::string::npos;
    if (!statistic && !affine) continue;
    for (float& v : p.parameter->value.values()) {
      v = p.name.ends_with("running_mean") ? uniform(generator) - 1.0F : uniform(generator);
    }
  }
  return model;
}

Tensor random_images(const Model& model, int batch) {
  const Shape item = model.input_item_shape();
  Tensor images(Shape{batch, item[0], item[1], item[2]});
  std::mt19937 generator(12);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  for (float& v : images.values()) v = normal(generator);
  return images;
}

using testing::max_error;

struct Case {
  const char* model;
  int fused_chains;  // conv + batchnorm + ReLU (vgg_small); conv + ReLU, linear + ReLU (lenet5)
};

TEST(FusedInference, GivesTheUnfusedLogitsOnTheBenchmarkModels) {
  const auto backend = make_cpu_backend(2);
  for (const Case& c : {Case{"vgg_small", 5}, Case{"lenet5", 4}}) {
    Model model = model_with_trained_looking_statistics(c.model);
    const Tensor images = random_images(model, 5);
    const Tensor unfused = model.forward(*backend, images, RunMode{false, 0});
    FusedInference fused(model, *backend);
    EXPECT_EQ(fused.fused_chains(), c.fused_chains) << c.model;
    const Tensor logits = fused.forward(*backend, images);
    // Folding rounds the scaled weights once instead of scaling each output: a few
    // float roundings relative to values of order 1-10.
    EXPECT_LT(max_error(logits, unfused), 1e-4) << c.model;
    EXPECT_EQ(fused.forward(*backend, images).to_host_vector(), logits.to_host_vector())
        << c.model << ": a second run of the same plan";
  }
}

TEST(FusedInference, ResnetFusesOnlyChainsWhoseOutputsFeedOneLayer) {
  const auto backend = make_cpu_backend(1);
  Model model = model_with_trained_looking_statistics("resnet8");
  FusedInference fused(model, *backend);
  // Every convolution in resnet8 feeds its batchnorm alone, so each folds one; a ReLU
  // joins only where nothing else reads the batchnorm's output (not before an add, not
  // where a shortcut reads the ReLU's input).
  const auto convolutions = std::count_if(model.spec().layers.begin(), model.spec().layers.end(),
                                          [](const LayerSpec& l) { return l.type == "conv2d"; });
  EXPECT_EQ(fused.fused_chains(), convolutions);
  const Tensor images = random_images(model, 3);
  const Tensor unfused = model.forward(*backend, images, RunMode{false, 0});
  EXPECT_LT(max_error(fused.forward(*backend, images), unfused), 1e-4);
}

}  // namespace
}  // namespace lathe::nn
