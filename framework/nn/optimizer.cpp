#include "nn/optimizer.h"

namespace lathe::nn {

Optimizer::Optimizer(const OptimizerConfig& config, std::vector<Parameter*> parameters)
    : config_(config), parameters_(std::move(parameters)) {
  for (Parameter* p : parameters_) {
    first_state_.emplace_back(p->value.shape(), p->value.memory());
    if (config_.kind == "adam") second_state_.emplace_back(p->value.shape(), p->value.memory());
  }
}

void Optimizer::step(Backend& backend, float lr) {
  ++steps_;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    Parameter& p = *parameters_[i];
    if (config_.kind == "adam") {
      backend.adam_update(p.value.size(), lr, static_cast<float>(config_.beta1),
                          static_cast<float>(config_.beta2), static_cast<float>(config_.epsilon),
                          static_cast<float>(config_.weight_decay), steps_, p.value.data(),
                          p.grad.data(), first_state_[i].data(), second_state_[i].data());
    } else {
      backend.sgd_update(p.value.size(), lr, static_cast<float>(config_.momentum),
                         static_cast<float>(config_.weight_decay), config_.nesterov,
                         p.value.data(), p.grad.data(), first_state_[i].data());
    }
  }
}

}  // namespace lathe::nn
