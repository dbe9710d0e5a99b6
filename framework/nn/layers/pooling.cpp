// Pooling layers: max and average over square windows, and global average pooling
// (the whole plane, giving one feature per channel).
#include "nn/layers/fusable.h"
#include "nn/layers/layer_builders.h"
#include "tensor/index_buffer.h"

namespace lathe::nn {
namespace {

struct PoolParams {
  int kernel = 2;
  int stride = 0;  // 0: the kernel size
  int padding = 0;
  template <class V>
  void visit(V& v) {
    v.number("kernel", kernel, config::Range::closed(1, 64), "square window size");
    v.number("stride", stride, config::Range::closed(0, 64), "stride (0: same as kernel)");
    v.number("padding", padding, config::Range::closed(0, 32), "padding on each side");
  }
};

Pool2dGeometry make_geometry(const LayerSpec& spec, const PoolParams& params, const Shape& input) {
  Pool2dGeometry g;
  g.channels = static_cast<int>(input[0]);
  g.in_height = static_cast<int>(input[1]);
  g.in_width = static_cast<int>(input[2]);
  g.kernel = params.kernel;
  g.stride = params.stride == 0 ? params.kernel : params.stride;
  g.padding = params.padding;
  LATHE_CHECK(2 * g.padding <= g.kernel, spec.where, ": layers.", spec.name,
              ".padding: expected at most half the kernel (", g.kernel, "), got ", g.padding);
  // Compared before dividing: (in + 2p - k) / s truncates toward zero, so a window larger
  // than its input would still seem to give one output.
  LATHE_CHECK(g.in_height + 2 * g.padding >= g.kernel && g.in_width + 2 * g.padding >= g.kernel, spec.where,
              ": layers.", spec.name, ": a ", g.kernel, "x", g.kernel, " window with padding ", g.padding,
              " does not fit an input of ", input.to_string(), " (channels x height x width)");
  return g;
}

class MaxPool final : public Layer, public FusableMaxPool {
 public:
  MaxPool(const LayerSpec& spec, const Pool2dGeometry& g) : Layer(spec.name, spec.type), geometry_(g) {}
  Pool2dGeometry max_pool_geometry() const override { return geometry_; }
  Shape output_shape(std::int64_t batch) const override {
    return {batch, geometry_.channels, geometry_.out_height(), geometry_.out_width()};
  }
  void forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
               const RunMode& /*mode*/) override {
    const Pool2dGeometry g = for_batch(geometry_, *inputs[0]);
    output.resize(output_shape(g.batch));
    argmax_.resize(output.size());
    backend.maxpool_forward(g, inputs[0]->data(), output.data(), argmax_.data());
  }
  void backward(Backend& backend, std::span<const Tensor* const> inputs, const Tensor& /*output*/,
                const Tensor& grad_output, std::span<Tensor* const> grad_inputs) override {
    if (grad_inputs[0] == nullptr) return;
    const Pool2dGeometry g = for_batch(geometry_, *inputs[0]);
    grad_inputs[0]->resize(inputs[0]->shape());
    backend.maxpool_backward(g, grad_output.data(), argmax_.data(), grad_inputs[0]->data());
  }

 private:
  Pool2dGeometry geometry_;
  IndexBuffer argmax_;
  void place_buffers(DeviceMemory* memory) override { argmax_.place(memory); }
};

// Average pooling; global average pooling is the window covering the whole plane,
// flattened to one feature per channel.
class AvgPool final : public Layer {
 public:
  AvgPool(const LayerSpec& spec, const Pool2dGeometry& g, bool global)
      : Layer(spec.name, spec.type), geometry_(g), global_(global) {}
  Shape output_shape(std::int64_t batch) const override {
    if (global_) return {batch, geometry_.channels};
    return {batch, geometry_.channels, geometry_.out_height(), geometry_.out_width()};
  }
  void forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
               const RunMode& /*mode*/) override {
    const Pool2dGeometry g = for_batch(geometry_, *inputs[0]);
    output.resize(output_shape(g.batch));
    backend.avgpool_forward(g, inputs[0]->data(), output.data());
  }
  void backward(Backend& backend, std::span<const Tensor* const> inputs, const Tensor& /*output*/,
                const Tensor& grad_output, std::span<Tensor* const> grad_inputs) override {
    if (grad_inputs[0] == nullptr) return;
    const Pool2dGeometry g = for_batch(geometry_, *inputs[0]);
    grad_inputs[0]->resize(inputs[0]->shape());
    backend.avgpool_backward(g, grad_output.data(), grad_inputs[0]->data());
  }

 private:
  Pool2dGeometry geometry_;
  bool global_;
};

}  // namespace

std::unique_ptr<Layer> build_maxpool(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  expect_input_rank(spec, inputs[0], 3, "images (channels x height x width)");
  return std::make_unique<MaxPool>(spec, make_geometry(spec, read_layer_params<PoolParams>(spec), inputs[0]));
}

std::unique_ptr<Layer> build_avgpool(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  expect_input_rank(spec, inputs[0], 3, "images (channels x height x width)");
  return std::make_unique<AvgPool>(
      spec, make_geometry(spec, read_layer_params<PoolParams>(spec), inputs[0]), false);
}

std::unique_ptr<Layer> build_global_avgpool(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  expect_input_rank(spec, inputs[0], 3, "images (channels x height x width)");
  expect_no_layer_params(spec);
  Pool2dGeometry g;
  g.channels = static_cast<int>(inputs[0][0]);
  g.in_height = static_cast<int>(inputs[0][1]);
  g.in_width = static_cast<int>(inputs[0][2]);
  LATHE_CHECK(g.in_height == g.in_width, spec.where, ": layers.", spec.name,
              ": global_avgpool expects square planes, got ", inputs[0].to_string());
  g.kernel = g.in_height;
  g.stride = g.in_height;
  return std::make_unique<AvgPool>(spec, g, true);
}

}  // namespace lathe::nn
