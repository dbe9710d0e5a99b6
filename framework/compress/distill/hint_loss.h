// The hint term of feature distillation: hint_weight * the mean over all elements of
// (adapted student activation - teacher activation)^2, as PyTorch's mse_loss.
#pragma once

#include "tensor/tensor.h"

namespace lathe::compress::distill {

// Returns the weighted loss and writes its gradient with respect to `adapted` into
// `grad_adapted`. The shapes must match.
float hint_loss(const Tensor& adapted, const Tensor& teacher_activation, float hint_weight,
                Tensor& grad_adapted);

}  // namespace lathe::compress::distill
