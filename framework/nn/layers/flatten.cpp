// Flatten: one feature vector per item (a copy, so layers never alias buffers).
#include "nn/layers/layer_builders.h"

namespace lathe::nn {
namespace {

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

}  // namespace

std::unique_ptr<Layer> build_flatten(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  expect_no_layer_params(spec);
  return std::make_unique<Flatten>(spec, inputs[0]);
}

}  // namespace lathe::nn
