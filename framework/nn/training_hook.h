// Points where a compression method joins the training loop (METHODS.md): masks that
// keep pruned weights at zero, fake quantisers, the mixture prior's gradient, a
// teacher's distillation loss. The plain trainer runs with none.
#pragma once

#include "backend/backend.h"
#include "nn/model.h"

namespace lathe::nn {

class TrainingHook {
 public:
  TrainingHook() = default;
  TrainingHook(const TrainingHook&) = delete;
  TrainingHook& operator=(const TrainingHook&) = delete;
  virtual ~TrainingHook() = default;

  // After the model's forward, before backward: may add to d loss / d logits and
  // returns the loss it adds (distillation, priors), 0 by default.
  virtual float add_loss_gradient(Backend& /*backend*/, Model& /*model*/,
                                  const Tensor& /*images*/, Tensor& /*grad_logits*/) {
    return 0.0F;
  }
  // After backward, before the optimiser step: may change parameter gradients.
  virtual void after_backward(Backend& /*backend*/, Model& /*model*/) {}
  // After the optimiser step: may constrain the weights (masks, shared values).
  virtual void after_update(Backend& /*backend*/, Model& /*model*/) {}
};

}  // namespace lathe::nn
