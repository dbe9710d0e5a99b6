#include "compress/distill/hint_loss.h"

#include <cstdint>

#include "core/error.h"

namespace lathe::compress::distill {

float hint_loss(const Tensor& adapted, const Tensor& teacher_activation, float hint_weight,
                Tensor& grad_adapted) {
  LATHE_CHECK(adapted.shape() == teacher_activation.shape(), "hint loss: the adapted student activation ",
              adapted.shape().to_string(), " and the teacher's ",
              teacher_activation.shape().to_string(), " differ in shape");
  grad_adapted.resize(adapted.shape());
  const std::int64_t count = adapted.size();
  const double scale = static_cast<double>(hint_weight) / static_cast<double>(count);
  double squared_sum = 0.0;
  for (std::int64_t i = 0; i < count; ++i) {
    const double difference = static_cast<double>(adapted[i]) - teacher_activation[i];
    squared_sum += difference * difference;
    grad_adapted[i] = static_cast<float>(2.0 * scale * difference);
  }
  return static_cast<float>(scale * squared_sum);
}

}  // namespace lathe::compress::distill
