// Batch normalisation over channels: 2-d for images (N x C x H x W), 1-d for features
// (N x F), chosen by the input's rank. Parameter names follow PyTorch (weight = gamma,
// bias = beta, running_mean, running_var) so checkpoints map onto its state dicts.
#include "nn/layers/fusable.h"
#include "nn/layers/layer_builders.h"

namespace lathe::nn {
namespace {

struct BatchNormParams {
  double epsilon = 1e-5;
  double momentum = 0.1;
  template <class V>
  void visit(V& v) {
    v.number("epsilon", epsilon, config::Range::positive(), "added to the variance");
    v.number("momentum", momentum, config::Range{0.0, 1.0, false, true},
             "weight of the batch in the running statistics");
  }
};

class BatchNorm final : public Layer, public FoldableBatchNorm {
 public:
  BatchNorm(const LayerSpec& spec, const BatchNormParams& params, const Shape& input)
      : Layer(spec.name, spec.type),
        item_shape_(input),
        // Per channel: H*W values per item for images, one for features.
        geometry_{0, static_cast<int>(input[0]),
                  input.rank() == 1 ? 1 : static_cast<int>(input.elements_per_item())},
        epsilon_(static_cast<float>(params.epsilon)),
        momentum_(static_cast<float>(params.momentum)),
        gamma_("weight", Shape{input[0]}),
        beta_("bias", Shape{input[0]}),
        running_mean_("running_mean", Shape{input[0]}, false),
        running_var_("running_var", Shape{input[0]}, false),
        saved_mean_(Shape{input[0]}),
        saved_inv_std_(Shape{input[0]}) {}

  Shape output_shape(std::int64_t batch) const override { return with_batch(batch, item_shape_); }

  void forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
               const RunMode& mode) override {
    const BatchNormGeometry g = for_batch(geometry_, *inputs[0]);
    output.resize(inputs[0]->shape());
    if (mode.training) {
      backend.batchnorm_forward_training(g, inputs[0]->data(), gamma_.value.data(),
                                         beta_.value.data(), epsilon_, momentum_, output.data(),
                                         saved_mean_.data(), saved_inv_std_.data(),
                                         running_mean_.value.data(), running_var_.value.data());
    } else {
      backend.batchnorm_forward_inference(g, inputs[0]->data(), gamma_.value.data(),
                                          beta_.value.data(), running_mean_.value.data(),
                                          running_var_.value.data(), epsilon_, output.data());
    }
  }

  void backward(Backend& backend, std::span<const Tensor* const> inputs, const Tensor& /*output*/,
                const Tensor& grad_output, std::span<Tensor* const> grad_inputs) override {
    const BatchNormGeometry g = for_batch(geometry_, *inputs[0]);
    // The backend computes dx together with dgamma and dbeta; a model input needs no dx,
    // so it goes to scratch.
    Tensor* dx = grad_inputs[0] != nullptr ? grad_inputs[0] : &scratch_;
    dx->resize(inputs[0]->shape());
    backend.batchnorm_backward(g, inputs[0]->data(), grad_output.data(), gamma_.value.data(),
                               saved_mean_.data(), saved_inv_std_.data(), dx->data(),
                               gamma_.grad.data(), beta_.grad.data(), false);
  }

  bool normalises_images() const override { return item_shape_.rank() == 3; }
  Statistics statistics() const override {
    return {&gamma_.value, &beta_.value, &running_mean_.value, &running_var_.value, epsilon_};
  }

  std::vector<Parameter*> parameters() override {
    return {&gamma_, &beta_, &running_mean_, &running_var_};
  }

  void initialize(std::mt19937_64& /*rng*/) override {
    gamma_.value.fill(1.0F);
    beta_.value.fill(0.0F);
    running_mean_.value.fill(0.0F);
    running_var_.value.fill(1.0F);
  }

  std::int64_t macs_per_item() const override { return item_shape_.elements(); }

 private:
  Shape item_shape_;
  BatchNormGeometry geometry_;
  float epsilon_;
  float momentum_;
  Parameter gamma_;
  Parameter beta_;
  Parameter running_mean_;
  Parameter running_var_;
  Tensor saved_mean_;
  Tensor saved_inv_std_;
  Tensor scratch_;
  void place_buffers(DeviceMemory* memory) override {
    saved_mean_.place(memory);
    saved_inv_std_.place(memory);
    scratch_.place(memory);
  }
};

}  // namespace

std::unique_ptr<Layer> build_batchnorm(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  LATHE_CHECK(inputs[0].rank() == 1 || inputs[0].rank() == 3, spec.where, ": layers.", spec.name,
              ": batchnorm expects images (C x H x W) or features (F) per item, got ",
              inputs[0].to_string());
  return std::make_unique<BatchNorm>(spec, read_layer_params<BatchNormParams>(spec), inputs[0]);
}

}  // namespace lathe::nn
