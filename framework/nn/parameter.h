// A named tensor a layer owns: trainable weights with their gradient, or state such as
// batchnorm's running statistics (not trained, but saved in checkpoints).
#pragma once

#include <string>

#include "tensor/tensor.h"

namespace lathe::nn {

struct Parameter {
  std::string name;  // "weight", "bias", "running_mean", ...
  Tensor value;
  Tensor grad;       // same shape as value when trainable, empty otherwise
  bool trainable = true;

  Parameter(std::string parameter_name, Shape shape, bool is_trainable = true)
      : name(std::move(parameter_name)),
        value(shape),
        grad(is_trainable ? Tensor(shape) : Tensor()),
        trainable(is_trainable) {}
};

}  // namespace lathe::nn
