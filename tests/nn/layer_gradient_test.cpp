// Every layer's backward pass against central finite differences of its forward pass,
// for the input gradient and every trainable parameter's gradient. The loss is
// L = sum(output * R) for a fixed random R, so dL/doutput = R.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "nn/layer_factory.h"
#include "nn/layer_spec.h"

namespace lathe::nn {
namespace {

struct GradientCase {
  std::string yaml;               // the layer's spec line
  std::vector<Shape> item_shapes; // per input, without the batch dimension
  bool training = true;
};

LayerSpec layer_spec_from(const std::string& yaml, std::size_t input_count) {
  std::string model = "input: {channels: 1, height: 1, width: 1}\nlayers:\n";
  for (std::size_t i = 0; i < input_count; ++i) {
    model += "  - {name: in" + std::to_string(i) + ", type: relu, inputs: [input]}\n";
  }
  model += "  - " + yaml + "\n";
  ModelSpec spec = parse_model_spec(model, "test");
  return spec.layers.back();
}

void fill_random(Tensor& t, std::mt19937_64& rng) {
  std::uniform_real_distribution<float> uniform(-1.0F, 1.0F);
  for (float& v : t.values()) v = uniform(rng);
}

// Distinct values at least 2/n apart and never near 0, so that no finite-difference step
// crosses a kink of relu or changes which element a max-pool window picks.
void fill_distinct(Tensor& t, std::mt19937_64& rng) {
  const std::int64_t n = t.size();
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (std::int64_t i = 0; i < n; ++i) {
    t[i] = -1.0F + (2.0F * static_cast<float>(order[i]) + 1.0F) / static_cast<float>(n);
  }
}

double loss_of(Layer& layer, Backend& backend, const std::vector<const Tensor*>& inputs,
               const Tensor& weights, bool training) {
  Tensor output;
  layer.forward(backend, inputs, output, RunMode{training, 7});
  double loss = 0.0;
  for (std::int64_t i = 0; i < output.size(); ++i) loss += double{output[i]} * weights[i];
  return loss;
}

void check_gradients(const GradientCase& c) {
  SCOPED_TRACE(c.yaml);
  const auto backend = make_cpu_backend(1);
  const LayerSpec spec = layer_spec_from(c.yaml, c.item_shapes.size());
  std::unique_ptr<Layer> layer = make_layer(spec, c.item_shapes);
  std::mt19937_64 rng(42);
  layer->initialize(rng);
  for (Parameter* p : layer->parameters()) {
    if (p->trainable) fill_random(p->value, rng);  // also moves batchnorm's gamma off 1
  }
  constexpr std::int64_t kBatch = 3;
  std::vector<Tensor> input_storage;
  for (const Shape& item : c.item_shapes) {
    std::vector<std::int64_t> dims = {kBatch};
    dims.insert(dims.end(), item.dims().begin(), item.dims().end());
    input_storage.emplace_back(Shape(dims));
    fill_distinct(input_storage.back(), rng);
  }
  std::vector<const Tensor*> inputs;
  for (const Tensor& t : input_storage) inputs.push_back(&t);

  Tensor output;
  layer->forward(*backend, inputs, output, RunMode{c.training, 7});
  Tensor loss_weights(output.shape());
  fill_random(loss_weights, rng);
  std::vector<Tensor> grads(inputs.size());
  std::vector<Tensor*> grad_ptrs;
  for (Tensor& g : grads) grad_ptrs.push_back(&g);
  layer->backward(*backend, inputs, output, loss_weights, grad_ptrs);

  constexpr float kStep = 1e-3F;
  auto numeric = [&](float& value) {
    const float saved = value;
    value = saved + kStep;
    const double up = loss_of(*layer, *backend, inputs, loss_weights, c.training);
    value = saved - kStep;
    const double down = loss_of(*layer, *backend, inputs, loss_weights, c.training);
    value = saved;
    return (up - down) / (2.0 * kStep);
  };
  auto expect_close = [](double analytic, double numerical, const std::string& what) {
    EXPECT_NEAR(analytic, numerical, 2e-2 * std::max(1.0, std::abs(numerical))) << what;
  };
  for (std::size_t k = 0; k < input_storage.size(); ++k) {
    for (std::int64_t i = 0; i < input_storage[k].size(); ++i) {
      expect_close(grads[k][i], numeric(input_storage[k][i]),
                   "input " + std::to_string(k) + " element " + std::to_string(i));
    }
  }
  for (Parameter* p : layer->parameters()) {
    if (!p->trainable) continue;
    for (std::int64_t i = 0; i < p->value.size(); ++i) {
      expect_close(p->grad[i], numeric(p->value[i]), p->name + " element " + std::to_string(i));
    }
  }
}

TEST(LayerGradients, BackwardMatchesFiniteDifferencesForEveryLayerType) {
  const std::vector<GradientCase> cases = {
      {"{name: l, type: conv2d, out_channels: 3, kernel: 3, padding: 1}", {Shape{2, 5, 4}}},
      {"{name: l, type: conv2d, out_channels: 2, kernel: 3, stride: 2}", {Shape{2, 7, 6}}},
      {"{name: l, type: conv2d, out_channels: 4, kernel: 1, bias: false}", {Shape{3, 3, 3}}},
      {"{name: l, type: conv2d, out_channels: 2, kernel: 5, padding: 2}", {Shape{1, 6, 6}}},
      {"{name: l, type: linear, out_features: 5}", {Shape{7}}},
      {"{name: l, type: linear, out_features: 3, bias: false}", {Shape{4}}},
      {"{name: l, type: batchnorm}", {Shape{3, 2, 2}}},
      {"{name: l, type: batchnorm}", {Shape{4}}},
      {"{name: l, type: relu}", {Shape{2, 3, 3}}},
      {"{name: l, type: maxpool, kernel: 2}", {Shape{2, 4, 6}}},
      {"{name: l, type: maxpool, kernel: 3, stride: 2, padding: 1}", {Shape{1, 5, 5}}},
      {"{name: l, type: avgpool, kernel: 2}", {Shape{2, 4, 4}}},
      {"{name: l, type: avgpool, kernel: 3, stride: 1, padding: 1}", {Shape{1, 4, 4}}},
      {"{name: l, type: global_avgpool}", {Shape{3, 4, 4}}},
      {"{name: l, type: flatten}", {Shape{2, 3, 3}}},
      {"{name: l, type: add, inputs: [in0, in1]}", {Shape{2, 3, 3}, Shape{2, 3, 3}}},
      {"{name: l, type: add, inputs: [in0, in1, in2]}", {Shape{5}, Shape{5}, Shape{5}}},
      {"{name: l, type: dropout, p: 0.3}", {Shape{2, 4, 4}}},
      {"{name: l, type: dropout, p: 0.3}", {Shape{2, 4, 4}}, false},
  };
  for (const GradientCase& c : cases) check_gradients(c);
}

}  // namespace
}  // namespace lathe::nn
