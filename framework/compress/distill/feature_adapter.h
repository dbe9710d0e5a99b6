// The learned 1x1 map of hint distillation (FitNets' regressor, docs/methods.md M5 "hint /
// feature"): when the student's hint layer has C_s channels and the teacher's C_t, the
// student activation (N x C_s [x H x W]) is mapped to N x C_t [x H x W] by a weight
// C_t x C_s (a 1x1 convolution without bias, or a linear map for N x C activations)
// before it is compared with the teacher's. With equal widths it passes the activation
// through unchanged. The adapter is the hook's own: trained by plain SGD on the hint
// loss, never part of the saved model.
#pragma once

#include <cstdint>

#include "backend/backend.h"
#include "tensor/tensor.h"

namespace lathe::compress::distill {

class FeatureAdapter {
 public:
  // Xavier-initialised from `seed` when the widths differ.
  FeatureAdapter(std::int64_t student_channels, std::int64_t teacher_channels, std::uint64_t seed);

  [[nodiscard]] bool is_identity() const { return student_channels_ == teacher_channels_; }
  [[nodiscard]] std::int64_t student_channels() const { return student_channels_; }
  [[nodiscard]] std::int64_t teacher_channels() const { return teacher_channels_; }
  // C_t x C_s; empty for the identity.
  [[nodiscard]] Tensor& weight() { return weight_; }
  [[nodiscard]] const Tensor& weight() const { return weight_; }
  [[nodiscard]] const Tensor& weight_grad() const { return weight_grad_; }

  // The adapted activation; the input itself for the identity. Valid until the next call.
  const Tensor& forward(Backend& backend, const Tensor& student_activation);
  // From d loss / d adapted: writes d loss / d student activation into `grad_student`
  // and d loss / d weight into weight_grad().
  void backward(Backend& backend, const Tensor& student_activation, const Tensor& grad_adapted,
                Tensor& grad_student);
  // weight -= lr * weight_grad (nothing for the identity).
  void sgd_step(Backend& backend, float lr);

 private:
  std::int64_t student_channels_;
  std::int64_t teacher_channels_;
  Tensor weight_;
  Tensor weight_grad_;
  Tensor adapted_;
};

}  // namespace lathe::compress::distill
