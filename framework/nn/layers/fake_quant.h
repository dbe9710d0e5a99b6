// Fake quantisation of activations (docs/methods.md M3): the layer rounds its input to the
// 2^bits levels of a range [min, max] and returns the dequantised floats, so training
// and evaluation see the deployed precision. The range is a non-trainable parameter
// ("range" = [min, max]) saved in checkpoints; compress/quantize/ calibrates it and
// moves it during quantisation-aware training from the statistics this layer records.
//
// QuantGrid is the one definition of the integer grid, shared with the weight
// quantiser so that activations and weights round the same way and a dequantised
// packed tensor (io/checkpoint.h: value = scale * (code - zero_point)) equals the fake
// quantised float exactly.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>

#include "nn/layer.h"
#include "nn/layer_spec.h"

namespace lathe::nn {

// Unsigned codes min_code..max_code; value(code) = scale * (code - zero_point).
//  asymmetric: codes 0..2^bits-1, scale = (max - min) / (2^bits - 1) over the range
//              widened to contain 0, zero_point = round(-min / scale) so 0 is exact.
//  symmetric:  signed levels -(2^(bits-1)-1)..2^(bits-1)-1 stored offset by
//              zero_point = 2^(bits-1), scale = max(|min|, |max|) / (2^(bits-1)-1).
struct QuantGrid {
  float scale = 1.0F;
  int zero_point = 0;
  int min_code = 0;
  int max_code = 255;

  // A range of width 0 (all zeros) gets scale 1: every value is then the exact 0 level.
  static QuantGrid for_range(float min, float max, int bits, bool symmetric);
  [[nodiscard]] int code(float x) const;
  [[nodiscard]] float value(int code_value) const {
    return scale * static_cast<float>(code_value - zero_point);
  }
  [[nodiscard]] float fake(float x) const { return value(code(x)); }
  // The same grid for Backend::fake_quantize (no clamp before rounding).
  [[nodiscard]] FakeQuantGrid for_backend() const {
    return {scale, zero_point, min_code, max_code, -std::numeric_limits<float>::infinity(),
            std::numeric_limits<float>::infinity()};
  }
};

inline constexpr int kMinQuantBits = 2;
inline constexpr int kMaxQuantBits = 8;

class FakeQuant final : public Layer {
 public:
  FakeQuant(const LayerSpec& spec, int bits, bool symmetric, const Shape& input);

  [[nodiscard]] Shape output_shape(std::int64_t batch) const override;
  // Quantising: y = grid.fake(clamp(x, min, max)); in training mode the batch's min and
  // max are recorded first. Observing (calibration): y = x, min and max recorded in any
  // mode. A range with max <= min has not been calibrated yet: values pass unchanged.
  void forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
               const RunMode& mode) override;
  // Straight-through estimator: dx = dy where min <= x <= max, else 0 (identity while
  // observing or uncalibrated).
  void backward(Backend& backend, std::span<const Tensor* const> inputs, const Tensor& output,
                const Tensor& grad_output, std::span<Tensor* const> grad_inputs) override;
  std::vector<Parameter*> parameters() override { return {&range_}; }
  // The range stays on the host wherever the model goes: host code reads it every step
  // to build the grid, and it is two floats.
  void place(DeviceMemory* /*memory*/) override {}
  void initialize(std::mt19937_64& rng) override;

  [[nodiscard]] float range_min() const { return range_.value[0]; }
  [[nodiscard]] float range_max() const { return range_.value[1]; }
  // Orders the two bounds, so a range is always min <= max.
  void set_range(float min, float max);
  [[nodiscard]] bool calibrated() const { return range_max() > range_min(); }
  [[nodiscard]] int bits() const { return bits_; }
  // 2..8; changed at run time by the intermediate-bit schedule.
  void set_bits(int bits);
  [[nodiscard]] bool symmetric() const { return symmetric_; }
  [[nodiscard]] QuantGrid grid() const;

  void set_observing(bool observing) { observing_ = observing; }
  [[nodiscard]] bool observing() const { return observing_; }
  // The min and max of the input in the last forward that recorded them, and how many
  // forwards have recorded so far (a hook sees whether a new observation arrived).
  [[nodiscard]] float last_observed_min() const { return observed_min_; }
  [[nodiscard]] float last_observed_max() const { return observed_max_; }
  [[nodiscard]] std::int64_t observation_count() const { return observations_; }

 private:
  void record(Backend& backend, const Tensor& input);

  Shape item_;
  int bits_;
  bool symmetric_;
  bool observing_ = false;
  bool passed_through_ = true;  // the last forward left values unchanged
  float observed_min_ = 0.0F;
  float observed_max_ = 0.0F;
  std::int64_t observations_ = 0;
  Parameter range_;
};

}  // namespace lathe::nn
