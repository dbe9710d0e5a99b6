// Add: the elementwise sum of two or more same-shaped inputs (residual joins); the
// gradient flows unchanged to every input.
#include "nn/layers/layer_builders.h"

namespace lathe::nn {
namespace {

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

}  // namespace

std::unique_ptr<Layer> build_add(const LayerSpec& spec, std::span<const Shape> inputs) {
  LATHE_CHECK(inputs.size() >= 2, spec.where, ": layers.", spec.name,
              ": an add layer joins at least 2 inputs (list them under inputs:), got ",
              inputs.size());
  for (const Shape& input : inputs) {
    LATHE_CHECK(input == inputs[0], spec.where, ": layers.", spec.name,
                ": every input of an add must have the same shape; got ", inputs[0].to_string(),
                " and ", input.to_string());
  }
  expect_no_layer_params(spec);
  return std::make_unique<Add>(spec, inputs[0]);
}

}  // namespace lathe::nn
