// fake_quant: per-tensor activation quantiser with a straight-through gradient.
#include "nn/layers/fake_quant.h"

#include <algorithm>
#include <cmath>

#include "nn/layers/layer_builders.h"

namespace lathe::nn {

QuantGrid QuantGrid::for_range(float min, float max, int bits, bool symmetric) {
  LATHE_CHECK(bits >= kMinQuantBits && bits <= kMaxQuantBits, "quantisation to ", bits,
              " bits: expected 2 to 8 bits");
  QuantGrid grid;
  if (symmetric) {
    const int half_levels = (1 << (bits - 1)) - 1;
    const float bound = std::max(std::fabs(min), std::fabs(max));
    grid.scale = bound > 0.0F ? bound / static_cast<float>(half_levels) : 1.0F;
    grid.zero_point = 1 << (bits - 1);
    grid.min_code = 1;
    grid.max_code = (1 << bits) - 1;
    return grid;
  }
  // The grid must hold 0 exactly (zero padding, ReLU zeros), so the range is widened to 0.
  const float low = std::min(min, 0.0F);
  const float high = std::max(max, 0.0F);
  const int levels = (1 << bits) - 1;
  grid.min_code = 0;
  grid.max_code = levels;
  grid.scale = high > low ? (high - low) / static_cast<float>(levels) : 1.0F;
  grid.zero_point = std::clamp(static_cast<int>(std::round(-low / grid.scale)), 0, levels);
  return grid;
}

int QuantGrid::code(float x) const {
  const float level = std::round(x / scale) + static_cast<float>(zero_point);
  return static_cast<int>(
      std::clamp(level, static_cast<float>(min_code), static_cast<float>(max_code)));
}

namespace {

struct FakeQuantParams {
  int bits = 8;
  bool symmetric = false;
  template <class V>
  void visit(V& v) {
    v.number("bits", bits, config::Range::closed(kMinQuantBits, kMaxQuantBits),
             "bits per activation value (2^bits levels)");
    v.flag("symmetric", symmetric,
           "signed levels symmetric around 0 instead of an asymmetric grid with a zero point");
  }
};

}  // namespace

FakeQuant::FakeQuant(const LayerSpec& spec, int bits, bool symmetric, const Shape& input)
    : Layer(spec.name, spec.type),
      item_(input),
      bits_(bits),
      symmetric_(symmetric),
      range_("range", Shape{2}, false) {}

Shape FakeQuant::output_shape(std::int64_t batch) const { return with_batch(batch, item_); }

void FakeQuant::initialize(std::mt19937_64& /*rng*/) { range_.value.fill(0.0F); }

void FakeQuant::set_range(float min, float max) {
  range_.value[0] = std::min(min, max);
  range_.value[1] = std::max(min, max);
}

void FakeQuant::set_bits(int bits) {
  LATHE_CHECK(bits >= kMinQuantBits && bits <= kMaxQuantBits, "layers.", name(),
              ": fake_quant bits must be 2 to 8, got ", bits);
  bits_ = bits;
}

QuantGrid FakeQuant::grid() const {
  return QuantGrid::for_range(range_min(), range_max(), bits_, symmetric_);
}

void FakeQuant::record(Backend& backend, const Tensor& input) {
  if (input.empty()) return;
  backend.min_max_rows(1, input.size(), input.data(), &observed_min_, &observed_max_);
  ++observations_;
}

void FakeQuant::forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
                        const RunMode& mode) {
  const Tensor& input = *inputs[0];
  output.resize(input.shape());
  if (observing_ || mode.training) record(backend, input);
  passed_through_ = observing_ || !calibrated();
  if (passed_through_) {
    backend.copy(output.size(), input.data(), output.data());
    return;
  }
  FakeQuantGrid g = grid().for_backend();
  g.clamp_low = range_min();
  g.clamp_high = range_max();
  backend.fake_quantize(1, input.size(), input.data(), std::span(&g, 1), output.data());
}

void FakeQuant::backward(Backend& backend, std::span<const Tensor* const> inputs,
                         const Tensor& /*output*/, const Tensor& grad_output,
                         std::span<Tensor* const> grad_inputs) {
  if (grad_inputs[0] == nullptr) return;
  Tensor& grad_input = *grad_inputs[0];
  grad_input.resize(grad_output.shape());
  if (passed_through_) {
    backend.copy(grad_output.size(), grad_output.data(), grad_input.data());
    return;
  }
  // The range cannot change between forward and backward (hooks move it after the
  // optimiser step), so the forward's clamp bounds are the current ones.
  backend.fake_quantize_backward(grad_output.size(), inputs[0]->data(), range_min(), range_max(),
                                 grad_output.data(), grad_input.data());
}

std::unique_ptr<Layer> build_fake_quant(const LayerSpec& spec, std::span<const Shape> inputs) {
  expect_input_count(spec, inputs, 1);
  const FakeQuantParams params = read_layer_params<FakeQuantParams>(spec);
  return std::make_unique<FakeQuant>(spec, params.bits, params.symmetric, inputs[0]);
}

}  // namespace lathe::nn
