// ReLU: max(x, 0) elementwise; backward passes the gradient where the output is positive.
#include "nn/layers/layer_builders.h"

namespace lathe::nn {
namespace {

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

}  // namespace

std::unique_ptr<Layer> build_relu(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  expect_no_layer_params(spec);
  return std::make_unique<Relu>(spec, inputs[0]);
}

}  // namespace lathe::nn
