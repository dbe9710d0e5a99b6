// Inverted dropout: in training, drop each value with probability p and scale the
// rest by 1/(1-p); identity at inference. The mask is a pure function of the step seed.
#include "nn/init.h"
#include "nn/layers/layer_builders.h"

namespace lathe::nn {
namespace {

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
  void place_buffers(DeviceMemory* memory) override { mask_.place(memory); }
};

}  // namespace

std::unique_ptr<Layer> build_dropout(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  return std::make_unique<Dropout>(spec, read_layer_params<DropoutParams>(spec), inputs[0]);
}

}  // namespace lathe::nn
