#include "nn/optimizer.h"

#include "core/error.h"

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

std::vector<Tensor> Optimizer::state() const {
  std::vector<Tensor> state;
  for (const std::vector<Tensor>* moments : {&first_state_, &second_state_}) {
    for (const Tensor& moment : *moments) {
      Tensor copy = moment;
      copy.place(nullptr);
      state.push_back(std::move(copy));
    }
  }
  return state;
}

void Optimizer::restore_state(const std::vector<Tensor>& state, std::int64_t steps_taken) {
  LATHE_CHECK(state.size() == first_state_.size() + second_state_.size(), "optimizer state: expected ",
              first_state_.size() + second_state_.size(), " tensors for ", config_.kind, ", got ", state.size());
  std::size_t next = 0;
  for (std::vector<Tensor>* moments : {&first_state_, &second_state_}) {
    for (Tensor& moment : *moments) {
      const Tensor& saved = state[next++];
      LATHE_CHECK(saved.shape() == moment.shape(), "optimizer state: tensor ", next - 1, " has shape ",
                  saved.shape().to_string(), ", the parameter's is ", moment.shape().to_string());
      moment = saved;  // copy assignment keeps the moment's memory (host or device)
    }
  }
  steps_ = steps_taken;
}

}  // namespace lathe::nn
