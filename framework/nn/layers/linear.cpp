// Fully connected layer, y = x W^T + b with W of shape out x in (PyTorch's layout).
#include "nn/init.h"
#include "nn/layers/fusable.h"
#include "nn/layers/layer_builders.h"

namespace lathe::nn {
namespace {

struct LinearParams {
  int out_features = 0;
  bool bias = true;
  std::string init = "kaiming";
  template <class V>
  void visit(V& v) {
    v.number("out_features", out_features, config::Range::closed(1, 1 << 24), "output features",
             config::Presence::required);
    v.flag("bias", bias, "add a learned bias per output feature");
    v.choice("init", init, kInitChoices, "weight initialisation");
  }
};

class Linear final : public Layer, public FusableLinear {
 public:
  Linear(const LayerSpec& spec, const LinearParams& params, std::int64_t in_features)
      : Layer(spec.name, spec.type),
        in_features_(static_cast<int>(in_features)),
        out_features_(params.out_features),
        has_bias_(params.bias),
        init_(params.init),
        weight_("weight", Shape{params.out_features, in_features}),
        bias_("bias", params.bias ? Shape{params.out_features} : Shape{}) {}

  Shape output_shape(std::int64_t batch) const override { return {batch, out_features_}; }

  void forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
               const RunMode& /*mode*/) override {
    const int batch = static_cast<int>(inputs[0]->shape()[0]);
    output.resize(output_shape(batch));
    backend.gemm(false, true, batch, out_features_, in_features_, 1.0F, inputs[0]->data(),
                 in_features_, weight_.value.data(), in_features_, 0.0F, output.data(),
                 out_features_);
    if (has_bias_) backend.add_bias_rows(batch, out_features_, bias_.value.data(), output.data());
  }

  void backward(Backend& backend, std::span<const Tensor* const> inputs, const Tensor& /*output*/,
                const Tensor& grad_output, std::span<Tensor* const> grad_inputs) override {
    const int batch = static_cast<int>(inputs[0]->shape()[0]);
    // dW = dY^T X: (out x batch) (batch x in)
    backend.gemm(true, false, out_features_, in_features_, batch, 1.0F, grad_output.data(),
                 out_features_, inputs[0]->data(), in_features_, 0.0F, weight_.grad.data(),
                 in_features_);
    if (has_bias_) backend.sum_rows(batch, out_features_, grad_output.data(), bias_.grad.data(), false);
    if (grad_inputs[0] != nullptr) {
      grad_inputs[0]->resize(inputs[0]->shape());
      // dX = dY W: (batch x out) (out x in)
      backend.gemm(false, false, batch, in_features_, out_features_, 1.0F, grad_output.data(),
                   out_features_, weight_.value.data(), in_features_, 0.0F,
                   grad_inputs[0]->data(), in_features_);
    }
  }

  int in_features() const override { return in_features_; }
  int out_features() const override { return out_features_; }
  const Tensor& linear_weight() const override { return weight_.value; }
  const Tensor* linear_bias() const override { return has_bias_ ? &bias_.value : nullptr; }

  std::vector<Parameter*> parameters() override {
    if (has_bias_) return {&weight_, &bias_};
    return {&weight_};
  }

  void initialize(std::mt19937_64& rng) override {
    initialize_weight(weight_.value, init_, in_features_, out_features_, rng);
    bias_.value.fill(0.0F);
  }

  std::int64_t macs_per_item() const override {
    return std::int64_t{in_features_} * out_features_;
  }

 private:
  int in_features_;
  int out_features_;
  bool has_bias_;
  std::string init_;
  Parameter weight_;
  Parameter bias_;
};

}  // namespace

std::unique_ptr<Layer> build_linear(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  expect_input_rank(spec, inputs[0], 1,
                    "a vector of features per item (add a flatten or global_avgpool before it)");
  return std::make_unique<Linear>(spec, read_layer_params<LinearParams>(spec), inputs[0][0]);
}

}  // namespace lathe::nn
