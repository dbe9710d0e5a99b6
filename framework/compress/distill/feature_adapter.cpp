#include "compress/distill/feature_adapter.h"

#include <random>
#include <vector>

#include "core/error.h"
#include "nn/init.h"

namespace lathe::compress::distill {
namespace {

// Items and positions per item of an N x C [x H x W] activation of C channels.
struct ChannelLayout {
  std::int64_t items = 0;
  std::int64_t positions = 0;
};

ChannelLayout layout_of(const Tensor& activation, std::int64_t channels) {
  const Shape& shape = activation.shape();
  LATHE_CHECK((shape.rank() == 2 || shape.rank() == 4) && shape[1] == channels,
              "hint adapter: expected an activation of ", channels,
              " channels (N x C or N x C x H x W), got ", shape.to_string());
  return {shape[0], shape.elements_per_item() / channels};
}

Shape with_channels(const Shape& shape, std::int64_t channels) {
  std::vector<std::int64_t> dims = shape.dims();
  dims[1] = channels;
  return Shape(dims);
}

}  // namespace

FeatureAdapter::FeatureAdapter(std::int64_t student_channels, std::int64_t teacher_channels,
                               std::uint64_t seed)
    : student_channels_(student_channels), teacher_channels_(teacher_channels) {
  LATHE_CHECK(student_channels > 0 && teacher_channels > 0,
              "hint adapter: channel counts must be positive, got ", student_channels, " and ",
              teacher_channels);
  if (is_identity()) return;
  weight_ = Tensor(Shape{teacher_channels, student_channels});
  weight_grad_ = Tensor(weight_.shape());
  std::mt19937_64 rng(seed);
  nn::initialize_weight(weight_, "xavier", student_channels, teacher_channels, rng);
}

const Tensor& FeatureAdapter::forward(Backend& backend, const Tensor& student_activation) {
  if (is_identity()) return student_activation;
  const ChannelLayout layout = layout_of(student_activation, student_channels_);
  adapted_.resize(with_channels(student_activation.shape(), teacher_channels_));
  const int cs = static_cast<int>(student_channels_);
  const int ct = static_cast<int>(teacher_channels_);
  const int positions = static_cast<int>(layout.positions);
  // Per item: adapted (C_t x P) = W (C_t x C_s) * student (C_s x P).
  for (std::int64_t n = 0; n < layout.items; ++n) {
    backend.gemm(false, false, ct, positions, cs, 1.0F, weight_.data(), cs,
                 student_activation.data() + n * cs * positions, positions, 0.0F,
                 adapted_.data() + n * ct * positions, positions);
  }
  return adapted_;
}

void FeatureAdapter::backward(Backend& backend, const Tensor& student_activation,
                              const Tensor& grad_adapted, Tensor& grad_student) {
  grad_student.resize(student_activation.shape());
  if (is_identity()) {
    backend.copy(grad_adapted.size(), grad_adapted.data(), grad_student.data());
    return;
  }
  const ChannelLayout layout = layout_of(student_activation, student_channels_);
  LATHE_CHECK(grad_adapted.shape() == with_channels(student_activation.shape(), teacher_channels_),
              "hint adapter: gradient of shape ", grad_adapted.shape().to_string(),
              " does not match the adapted activation");
  const int cs = static_cast<int>(student_channels_);
  const int ct = static_cast<int>(teacher_channels_);
  const int positions = static_cast<int>(layout.positions);
  for (std::int64_t n = 0; n < layout.items; ++n) {
    const float* grad_item = grad_adapted.data() + n * ct * positions;
    const float* student_item = student_activation.data() + n * cs * positions;
    // d student (C_s x P) = W^T * d adapted (C_t x P).
    backend.gemm(true, false, cs, positions, ct, 1.0F, weight_.data(), cs, grad_item, positions,
                 0.0F, grad_student.data() + n * cs * positions, positions);
    // d W (C_t x C_s) += d adapted (C_t x P) * student^T (P x C_s).
    backend.gemm(false, true, ct, cs, positions, 1.0F, grad_item, positions, student_item,
                 positions, n == 0 ? 0.0F : 1.0F, weight_grad_.data(), cs);
  }
}

void FeatureAdapter::sgd_step(Backend& backend, float lr) {
  if (is_identity()) return;
  backend.axpy(weight_.size(), -lr, weight_grad_.data(), weight_.data());
}

}  // namespace lathe::compress::distill
