// The parameter-free layers that keep or only reshape their input: relu, flatten,
// add (residual joins), dropout.
#include "nn/init.h"
#include "nn/layers/layer_builders.h"

namespace lathe::nn {
namespace {

struct NoParams {
  template <class V>
  void visit(V& /*v*/) {}
};

class Relu final : public Layer {
 public:
  Relu(const LayerSpec& spec, const Shape& input) : Layer(spec.name, spec.type), item_(input) {}
  Shape output_shape(std::int64_t batch) const override { return with_batch(batch, item_); }
  void forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
               const RunMode& /*mode*/) override {
    output.resize(inputs[0]->shape());
    backend.relu_forward(output.size(), inputs[0]->data(), output.data());
  }
  void backward(Backend& backend, std::span<const Tensor* const> /*inputs*/, const Tensor& output,
                const Tensor& grad_output, std::span<Tensor* const> grad_inputs) override {
    if (grad_inputs[0] == nullptr) return;
    grad_inputs[0]->resize(output.shape());
    backend.relu_backward(output.size(), output.data(), grad_output.data(), grad_inputs[0]->data());
  }

 private:
  Shape item_;
};

class Flatten final : public Layer {
 public:
  Flatten(const LayerSpec& spec, const Shape& input)
      : Layer(spec.name, spec.type), features_(input.elements()) {}
  Shape output_shape(std::int64_t batch) const override { return {batch, features_}; }
  void forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
               const RunMode& /*mode*/) override {
    output.resize(output_shape(inputs[0]->shape()[0]));
    backend.copy(output.size(), inputs[0]->data(), output.data());
  }
  void backward(Backend& backend, std::span<const Tensor* const> inputs, const Tensor& /*output*/,
                const Tensor& grad_output, std::span<Tensor* const> grad_inputs) override {
    if (grad_inputs[0] == nullptr) return;
    grad_inputs[0]->resize(inputs[0]->shape());
    backend.copy(grad_output.size(), grad_output.data(), grad_inputs[0]->data());
  }

 private:
  std::int64_t features_;
};

class Add final : public Layer {
 public:
  Add(const LayerSpec& spec, const Shape& input) : Layer(spec.name, spec.type), item_(input) {}
  Shape output_shape(std::int64_t batch) const override { return with_batch(batch, item_); }
  void forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
               const RunMode& /*mode*/) override {
    output.resize(inputs[0]->shape());
    backend.add(output.size(), inputs[0]->data(), inputs[1]->data(), output.data());
    for (std::size_t i = 2; i < inputs.size(); ++i) {
      backend.axpy(output.size(), 1.0F, inputs[i]->data(), output.data());
    }
  }
  void backward(Backend& backend, std::span<const Tensor* const> /*inputs*/, const Tensor& output,
                const Tensor& grad_output, std::span<Tensor* const> grad_inputs) override {
    for (Tensor* grad : grad_inputs) {
      if (grad == nullptr) continue;
      grad->resize(output.shape());
      backend.copy(output.size(), grad_output.data(), grad->data());
    }
  }

 private:
  Shape item_;
};

struct DropoutParams {
  double p = 0.5;
  template <class V>
  void visit(V& v) {
    v.number("p", p, config::Range::half_open(0.0, 1.0), "probability of dropping a value");
  }
};

class Dropout final : public Layer {
 public:
  Dropout(const LayerSpec& spec, const DropoutParams& params, const Shape& input)
      : Layer(spec.name, spec.type),
        item_(input),
        p_(static_cast<float>(params.p)),
        name_seed_(layer_seed(0, spec.name)) {}
  Shape output_shape(std::int64_t batch) const override { return with_batch(batch, item_); }
  void forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
               const RunMode& mode) override {
    output.resize(inputs[0]->shape());
    masked_ = mode.training && p_ > 0.0F;
    if (!masked_) {
      backend.copy(output.size(), inputs[0]->data(), output.data());
      return;
    }
    mask_.resize(output.shape());
    backend.dropout_forward(output.size(), p_, mix_seed(mode.step_seed ^ name_seed_),
                            inputs[0]->data(), output.data(), mask_.data());
  }
  void backward(Backend& backend, std::span<const Tensor* const> /*inputs*/, const Tensor& output,
                const Tensor& grad_output, std::span<Tensor* const> grad_inputs) override {
    if (grad_inputs[0] == nullptr) return;
    grad_inputs[0]->resize(output.shape());
    if (!masked_) {
      backend.copy(output.size(), grad_output.data(), grad_inputs[0]->data());
      return;
    }
    backend.multiply(output.size(), grad_output.data(), mask_.data(), grad_inputs[0]->data());
  }

 private:
  Shape item_;
  float p_;
  std::uint64_t name_seed_;
  bool masked_ = false;  // whether the last forward applied mask_ (training with p > 0)
  Tensor mask_;
};

}  // namespace

std::unique_ptr<Layer> build_relu(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  read_layer_params<NoParams>(spec);
  return std::make_unique<Relu>(spec, inputs[0]);
}

std::unique_ptr<Layer> build_flatten(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  read_layer_params<NoParams>(spec);
  return std::make_unique<Flatten>(spec, inputs[0]);
}

std::unique_ptr<Layer> build_add(const LayerSpec& spec, std::span<const Shape> inputs) {
  LATHE_CHECK(inputs.size() >= 2, spec.where, ": layers.", spec.name,
              ": an add layer joins at least 2 inputs (list them under inputs:), got ",
              inputs.size());
  for (const Shape& input : inputs) {
    LATHE_CHECK(input == inputs[0], spec.where, ": layers.", spec.name,
                ": every input of an add must have the same shape; got ", inputs[0].to_string(),
                " and ", input.to_string());
  }
  read_layer_params<NoParams>(spec);
  return std::make_unique<Add>(spec, inputs[0]);
}

std::unique_ptr<Layer> build_dropout(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  return std::make_unique<Dropout>(spec, read_layer_params<DropoutParams>(spec), inputs[0]);
}

}  // namespace lathe::nn
