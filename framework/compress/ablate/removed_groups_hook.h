// Keeps removed groups removed while the simplified model is fine-tuned (docs/methods.md M1
// step 6, ours): the optimiser would move zeroed weights away from zero, so the hook
// zeroes them again after every update (and once at the start). Parameters are found by
// name each time, so the hook survives a rebuilt Model.
#pragma once

#include <vector>

#include "compress/ablate/ablation_group.h"
#include "nn/training_hook.h"

namespace lathe::compress::ablate {

class RemovedGroupsHook final : public nn::TrainingHook {
 public:
  RemovedGroupsHook(std::vector<ParameterEdit> edits, std::string where)
      : edits_(std::move(edits)), where_(std::move(where)) {}

  void on_train_start(Backend& backend, nn::Model& model, std::int64_t total_steps) override;
  void after_update(Backend& backend, nn::Model& model) override;

  [[nodiscard]] const std::vector<ParameterEdit>& edits() const { return edits_; }
  // The edits come from the step's apply and never change: nothing to save.
  [[nodiscard]] bool pausable() const override { return true; }

 private:
  std::vector<ParameterEdit> edits_;
  std::string where_;
};

}  // namespace lathe::compress::ablate
