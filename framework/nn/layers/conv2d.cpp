// 2-D convolution, weights O x C x kh x kw (PyTorch's layout), optional bias.
#include <cstdint>

#include "nn/init.h"
#include "nn/layers/fusable.h"
#include "nn/layers/layer_builders.h"

namespace lathe::nn {
namespace {

struct Conv2dParams {
  int out_channels = 0;
  int kernel = 0;
  int stride = 1;
  int padding = 0;
  bool bias = true;
  std::string init = "kaiming";
  template <class V>
  void visit(V& v) {
    v.number("out_channels", out_channels, config::Range::closed(1, 1 << 16), "output channels",
             config::Presence::required);
    v.number("kernel", kernel, config::Range::closed(1, 64), "square kernel size",
             config::Presence::required);
    v.number("stride", stride, config::Range::closed(1, 64), "stride");
    v.number("padding", padding, config::Range::closed(0, 64), "zero padding on each side");
    v.flag("bias", bias, "add a learned bias per output channel");
    v.choice("init", init, kInitChoices, "weight initialisation");
  }
};

class Conv2d final : public Layer, public FusableConvolution {
 public:
  Conv2d(const LayerSpec& spec, const Conv2dParams& params, const Shape& input)
      : Layer(spec.name, spec.type),
        init_(params.init),
        weight_("weight", Shape{params.out_channels, input[0], params.kernel, params.kernel}),
        bias_("bias", params.bias ? Shape{params.out_channels} : Shape{}) {
    geometry_.in_channels = static_cast<int>(input[0]);
    geometry_.in_height = static_cast<int>(input[1]);
    geometry_.in_width = static_cast<int>(input[2]);
    geometry_.out_channels = params.out_channels;
    geometry_.kernel_height = params.kernel;
    geometry_.kernel_width = params.kernel;
    geometry_.stride = params.stride;
    geometry_.padding = params.padding;
    // Compared before dividing: (in + 2p - k) / s truncates toward zero, so a kernel one
    // cell too large would still give an output of 1 with a stride above 1.
    LATHE_CHECK(input[1] + 2 * params.padding >= params.kernel && input[2] + 2 * params.padding >= params.kernel,
                spec.where,
                ": layers.", spec.name, ": a ", params.kernel, "x", params.kernel,
                " kernel with padding ", params.padding, " does not fit an input of ",
                input.to_string());
    has_bias_ = params.bias;
  }

  Shape output_shape(std::int64_t batch) const override {
    return {batch, geometry_.out_channels, geometry_.out_height(), geometry_.out_width()};
  }

  void forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
               const RunMode& /*mode*/) override {
    const Conv2dGeometry g = for_batch(geometry_, *inputs[0]);
    output.resize(output_shape(g.batch));
    backend.conv2d_forward(g, inputs[0]->data(), weight_.value.data(),
                           has_bias_ ? bias_.value.data() : nullptr, output.data());
  }

  void backward(Backend& backend, std::span<const Tensor* const> inputs, const Tensor& /*output*/,
                const Tensor& grad_output, std::span<Tensor* const> grad_inputs) override {
    const Conv2dGeometry g = for_batch(geometry_, *inputs[0]);
    backend.conv2d_backward_filter(g, inputs[0]->data(), grad_output.data(), weight_.grad.data(),
                                   has_bias_ ? bias_.grad.data() : nullptr, false);
    if (grad_inputs[0] != nullptr) {
      grad_inputs[0]->resize(inputs[0]->shape());
      backend.conv2d_backward_data(g, grad_output.data(), weight_.value.data(),
                                   grad_inputs[0]->data());
    }
  }

  Conv2dGeometry convolution_geometry() const override { return geometry_; }
  const Tensor& convolution_weight() const override { return weight_.value; }
  const Tensor* convolution_bias() const override { return has_bias_ ? &bias_.value : nullptr; }

  std::vector<Parameter*> parameters() override {
    if (has_bias_) return {&weight_, &bias_};
    return {&weight_};
  }

  void initialize(std::mt19937_64& rng) override {
    const std::int64_t taps = std::int64_t{geometry_.kernel_height} * geometry_.kernel_width;
    initialize_weight(weight_.value, init_, geometry_.in_channels * taps,
                      geometry_.out_channels * taps, rng);
    bias_.value.fill(0.0F);
  }

  std::int64_t macs_per_item() const override {
    return std::int64_t{geometry_.out_channels} * geometry_.out_height() * geometry_.out_width() *
           geometry_.in_channels * geometry_.kernel_height * geometry_.kernel_width;
  }

 private:
  Conv2dGeometry geometry_;
  std::string init_;
  bool has_bias_ = true;
  Parameter weight_;
  Parameter bias_;
};

}  // namespace

std::unique_ptr<Layer> build_conv2d(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  expect_input_rank(spec, inputs[0], 3, "images (channels x height x width)");
  return std::make_unique<Conv2d>(spec, read_layer_params<Conv2dParams>(spec), inputs[0]);
}

}  // namespace lathe::nn
