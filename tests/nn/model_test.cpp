#include "nn/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/error.h"
#include "nn/model_checkpoint.h"

namespace lathe::nn {
namespace {

std::string spec_error(const std::string& yaml) {
  try {
    Model model(parse_model_spec(yaml, "spec.yaml"), 1);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

const char* kHeader = "input: {channels: 1, height: 8, width: 8}\nlayers:\n";

Tensor random_images(std::int64_t batch, const Shape& item, std::uint64_t seed) {
  Tensor images(Shape{batch, item[0], item[1], item[2]});
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  for (float& v : images.values()) v = normal(rng);
  return images;
}

TEST(ModelSpec, UnknownLayerTypeNamesLineLayerAndSuggestion) {
  const std::string message = spec_error(std::string(kHeader) + "  - {name: c, type: conv2x, out_channels: 2, kernel: 3}\n");
  EXPECT_NE(message.find("spec.yaml:3: layers.c.type: unknown layer type 'conv2x' (did you mean 'conv2d'?)"),
            std::string::npos) << message;
}

TEST(ModelSpec, UnknownLayerKeyIsRejectedWithSuggestion) {
  const std::string message = spec_error(std::string(kHeader) + "  - {name: c, type: conv2d, out_chanels: 2, kernel: 3}\n");
  EXPECT_NE(message.find("layers.c.out_chanels: unknown key (did you mean 'out_channels'?)"), std::string::npos)
      << message;
}

TEST(ModelSpec, KeyOnALayerTypeWithoutKeysIsRejected) {
  const std::string message = spec_error(std::string(kHeader) + "  - {name: r, type: relu, inplace: true}\n");
  EXPECT_NE(message.find("layers.r.inplace: unknown key"), std::string::npos) << message;
}

TEST(ModelSpec, InputsMustNameEarlierLayers) {
  const std::string message = spec_error(std::string(kHeader) +
                                         "  - {name: a, type: relu, inputs: [b]}\n  - {name: b, type: relu}\n");
  EXPECT_NE(message.find("layers.a.inputs: 'b' is not the name of an earlier layer"), std::string::npos) << message;
}

TEST(ModelSpec, DuplicateLayerNamesAreRejected) {
  EXPECT_NE(spec_error(std::string(kHeader) + "  - {name: a, type: relu}\n  - {name: a, type: relu}\n")
                .find("layers.a: duplicate layer name"),
            std::string::npos);
}

TEST(ModelSpec, LinearOnImagesAsksForFlatten) {
  EXPECT_NE(spec_error(std::string(kHeader) + "  - {name: fc, type: linear, out_features: 10}\n")
                .find("add a flatten or global_avgpool before it"),
            std::string::npos);
}

TEST(ModelSpec, KernelLargerThanInputIsRejected) {
  EXPECT_NE(spec_error(std::string(kHeader) + "  - {name: c, type: conv2d, out_channels: 2, kernel: 9}\n")
                .find("does not fit an input of [1, 8, 8]"),
            std::string::npos);
}

TEST(ModelSpec, LastLayerMustOutputClassScores) {
  EXPECT_NE(spec_error(std::string(kHeader) + "  - {name: r, type: relu}\n")
                .find("must output one score per class"),
            std::string::npos);
}

TEST(ModelSpec, AddOfDifferentShapesIsRejected) {
  const std::string message = spec_error(std::string(kHeader) +
      "  - {name: c, type: conv2d, out_channels: 2, kernel: 3}\n"
      "  - {name: j, type: add, inputs: [c, input]}\n");
  EXPECT_NE(message.find("every input of an add must have the same shape"), std::string::npos) << message;
}

TEST(ModelSpec, BadValueTypeNamesTheLayerKey) {
  const std::string message = spec_error(std::string(kHeader) + "  - {name: c, type: conv2d, out_channels: two, kernel: 3}\n");
  EXPECT_NE(message.find("layers.c.out_channels: expected an integer"), std::string::npos) << message;
}

TEST(ShippedModels, BuildWithTheExpectedParameterCounts) {
  // Counts match PyTorch's for the same architectures (bench/torch_peer.py).
  const std::vector<std::pair<std::string, std::int64_t>> expected = {
      {"lenet5", 61706}, {"vgg_small", 140778}, {"resnet8", 0}};
  for (const auto& [name, count] : expected) {
    Model model(load_model_spec(std::string(LATHE_SOURCE_DIR) + "/configs/models/" + name + ".yaml"), 1);
    EXPECT_EQ(model.classes(), 10) << name;
    if (count > 0) {
      EXPECT_EQ(model.trainable_parameter_count(), count) << name;
    }
    const auto backend = make_cpu_backend(1);
    const Tensor images = random_images(2, model.input_item_shape(), 3);
    const Tensor& logits = model.forward(*backend, images, RunMode{false, 0});
    EXPECT_EQ(logits.shape(), (Shape{2, 10})) << name;
  }
}

// A DAG where one output feeds two layers and a residual add: the model's
// accumulated gradients must match finite differences of the whole loss.
TEST(ModelBackward, FanOutGradientsMatchFiniteDifferences) {
  const std::string yaml = std::string(kHeader) +
      "  - {name: c1, type: conv2d, out_channels: 3, kernel: 3, padding: 1}\n"
      "  - {name: r1, type: relu}\n"
      "  - {name: c2, type: conv2d, out_channels: 3, kernel: 3, padding: 1}\n"
      "  - {name: c3, type: conv2d, out_channels: 3, kernel: 1, inputs: [r1]}\n"
      "  - {name: j, type: add, inputs: [c2, c3, r1]}\n"
      "  - {name: g, type: global_avgpool}\n"
      "  - {name: fc, type: linear, out_features: 4}\n";
  Model model(parse_model_spec(yaml, "dag.yaml"), 5);
  const auto backend = make_cpu_backend(1);
  const Tensor images = random_images(2, model.input_item_shape(), 9);
  const std::vector<std::int32_t> labels = {1, 3};
  Tensor grad_logits(Shape{2, 4});
  const Tensor& logits = model.forward(*backend, images, RunMode{true, 0});
  backend->softmax_cross_entropy(2, 4, logits.data(), labels.data(), grad_logits.data(), nullptr);
  model.backward(*backend, grad_logits);
  auto loss = [&] {
    const Tensor& out = model.forward(*backend, images, RunMode{true, 0});
    return double{backend->softmax_cross_entropy(2, 4, out.data(), labels.data(), nullptr, nullptr)};
  };
  for (const NamedParameter& named : model.named_parameters()) {
    Parameter& p = *named.parameter;
    for (std::int64_t i = 0; i < p.value.size(); i += 3) {
      const float saved = p.value[i];
      p.value[i] = saved + 1e-3F;
      const double up = loss();
      p.value[i] = saved - 1e-3F;
      const double down = loss();
      p.value[i] = saved;
      EXPECT_NEAR(p.grad[i], (up - down) / 2e-3, 2e-3) << named.name << "[" << i << "]";
    }
  }
}

TEST(ModelCheckpoint, RoundTripReproducesTheSameLogits) {
  const ModelSpec spec = load_model_spec(std::string(LATHE_SOURCE_DIR) + "/configs/models/resnet8.yaml");
  Model original(spec, 11);
  Model other(spec, 12);
  load_weights(other, make_checkpoint(original), "in-memory");
  const auto backend = make_cpu_backend(1);
  const Tensor images = random_images(3, original.input_item_shape(), 4);
  const Tensor a = original.forward(*backend, images, RunMode{false, 0});
  const Tensor b = other.forward(*backend, images, RunMode{false, 0});
  for (std::int64_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]);
}

TEST(ModelCheckpoint, WeightsThatDoNotFitTheSpecAreRejected) {
  const ModelSpec spec = load_model_spec(std::string(LATHE_SOURCE_DIR) + "/configs/models/lenet5.yaml");
  Model model(spec, 1);
  io::Checkpoint wrong_shape = make_checkpoint(model);
  wrong_shape.tensors[0].value = Tensor(Shape{6, 1, 3, 3});
  try {
    load_weights(model, wrong_shape, "bad.h5");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.h5: weights/conv1/weight: expected shape [6, 1, 5, 5] from the model spec, found [6, 1, 3, 3]"),
              std::string::npos) << e.what();
  }
  io::Checkpoint missing = make_checkpoint(model);
  missing.tensors.pop_back();
  EXPECT_THROW(load_weights(model, missing, "bad.h5"), Error);
  io::Checkpoint extra = make_checkpoint(model);
  extra.tensors.push_back({"ghost/weight", Tensor(Shape{1})});
  EXPECT_THROW(load_weights(model, extra, "bad.h5"), Error);
}

}  // namespace
}  // namespace lathe::nn
