// Keeps pruned entries at zero while fine-tuning (docs/methods.md M4 steps 3-4):
// their gradients are zeroed after backward and the mask is re-applied after every
// optimiser step, so neither momentum nor weight decay can bring them back.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "compress/prune/prune_mask.h"
#include "nn/training_hook.h"

namespace lathe::compress {

class PruneMaskHook final : public nn::TrainingHook {
 public:
  explicit PruneMaskHook(ParameterCuts cuts) : cuts_(std::move(cuts)) {}

  // Finds the masked parameters by name (the Model may have been rebuilt since the mask
  // was made, e.g. with quantisers inserted) and zeroes them.
  void on_train_start(Backend& backend, nn::Model& model, std::int64_t total_steps) override;
  void after_backward(Backend& backend, nn::Model& model) override;
  void after_update(Backend& backend, nn::Model& model) override;

  [[nodiscard]] const ParameterCuts& cuts() const { return cuts_; }
  // The mask comes from the step's apply and never changes: nothing to save.
  [[nodiscard]] bool pausable() const override { return true; }

 private:
  struct Masked {
    nn::Parameter* parameter;
    Tensor keep;  // 1 kept, 0 pruned
  };
  void bind(nn::Model& model);

  ParameterCuts cuts_;
  std::vector<Masked> masked_;
  const nn::Model* bound_to_ = nullptr;
};

}  // namespace lathe::compress
