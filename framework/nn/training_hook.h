// Points where a compression method joins the training loop (docs/methods.md): masks that
// keep pruned weights at zero, fake quantisers, the mixture prior's gradient, a
// teacher's distillation loss. The plain trainer runs with none.
//
// Hooks keep the model's weights in their constrained form at every step (masked,
// quantised, snapped), so that validation during training and the saved model see what
// will be deployed; a hook that needs float master weights keeps them itself and
// rewrites the weights in after_update.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "nn/model.h"

namespace lathe::nn {

// What a hook may add to the loss's gradient: d loss / d logits, and gradients at named
// intermediate activations (feature distillation), which Model::backward adds in.
// `task_loss` is the batch's mean cross-entropy already in `logits`' gradient; a hook
// that reweights it (distillation's alpha) scales the gradient and returns the change.
struct LossGradients {
  Tensor& logits;
  const std::vector<std::int32_t>& labels;
  float task_loss = 0.0F;
  std::vector<ActivationGradient> activations;
};

// What a hook must carry over a pause so that a run continued in another process (from
// recipe/paused_state_file.h) takes the same steps: named host tensors and numbers.
// Numbers are doubles, stored as such; tensors hold floats.
struct HookState {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, double> numbers;

  // A list of doubles as numbers `key/size`, `key/0`, `key/1`, ... (bit for bit, which a
  // float tensor could not hold).
  void put_numbers(const std::string& key, const std::vector<double>& values);
  // The look-ups a hook's load_state makes; a missing entry (or, for number_list, a list
  // of another length) throws lathe::Error naming `owner` (the step) and the key.
  [[nodiscard]] double number(const std::string& key, const std::string& owner) const;
  [[nodiscard]] std::vector<double> number_list(const std::string& key, std::size_t expected_size,
                                                const std::string& owner) const;
  [[nodiscard]] const Tensor& tensor(const std::string& key, const std::string& owner) const;
};

class TrainingHook {
 public:
  TrainingHook() = default;
  TrainingHook(const TrainingHook&) = delete;
  TrainingHook& operator=(const TrainingHook&) = delete;
  virtual ~TrainingHook() = default;

  // Once before the first step of a training run of `total_steps` optimiser steps.
  virtual void on_train_start(Backend& /*backend*/, Model& /*model*/, std::int64_t /*total_steps*/) {}
  // After the model's forward, before backward: may add to the loss gradients and
  // returns what it adds to the reported loss (distillation, priors), 0 by default.
  virtual float add_loss_gradient(Backend& /*backend*/, Model& /*model*/,
                                  const Tensor& /*images*/, LossGradients& /*gradients*/) {
    return 0.0F;
  }
  // After backward, before the optimiser step: may change parameter gradients.
  virtual void after_backward(Backend& /*backend*/, Model& /*model*/) {}
  // After the optimiser step: may constrain the weights (masks, shared values, quantisers).
  virtual void after_update(Backend& /*backend*/, Model& /*model*/) {}
  // Once after the last step (also after a divergence); not after a pause.
  virtual void on_train_end(Backend& /*backend*/, Model& /*model*/) {}

  // Pausing (a preemption): whether save_state and load_state carry everything this hook
  // keeps beyond what its step's apply() rebuilds, so that a run paused after any
  // optimiser step (mid-epoch too) or between recipe steps, and continued elsewhere,
  // equals one never paused. A hook that keeps state
  // it cannot save says false (the default), and a candidate using it is not paused.
  [[nodiscard]] virtual bool pausable() const { return false; }
  virtual void save_state(HookState& /*state*/) const {}
  // After on_train_start of the continued run (or, between runs, after apply): puts the
  // saved state back and makes the model agree with it.
  virtual void load_state(const HookState& /*state*/, Model& /*model*/) {}
};

}  // namespace lathe::nn
