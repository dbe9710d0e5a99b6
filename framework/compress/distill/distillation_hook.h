// The trainer hook of the `distill` step: every training step it runs the teacher in
// inference mode on the student's batch and turns the cross-entropy gradient into the
// gradient of (1 - alpha) * CE + alpha * T^2 * KL (logits distillation), plus, for hint
// distillation, hint_weight * MSE(adapter(student layer), teacher layer) fed back
// through Model::backward's activation gradients. The teacher and its buffers, the
// adapter and its gradient live here from step to step.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "compress/distill/feature_adapter.h"
#include "compress/distill/logit_distillation.h"
#include "nn/model.h"
#include "nn/training_hook.h"

namespace lathe::compress::distill {

struct HintSettings {
  std::string student_layer;
  std::string teacher_layer;
  float weight = 1.0F;
  float adapter_lr = 0.05F;
};

class DistillationHook final : public nn::TrainingHook {
 public:
  // `label` names the step in messages ("recipe.yaml:3: steps[1].distill"); the
  // adapter, when one is needed, is seeded from `seed`.
  DistillationHook(nn::Model teacher, LogitDistillation logits, std::optional<HintSettings> hint,
                   std::uint64_t seed, std::string label);

  void on_train_start(Backend& backend, nn::Model& model, std::int64_t total_steps) override;
  void on_train_end(Backend& backend, nn::Model& model) override;
  float add_loss_gradient(Backend& backend, nn::Model& model, const Tensor& images,
                          nn::LossGradients& gradients) override;
  void after_update(Backend& backend, nn::Model& model) override;
  // Logits distillation keeps only the teacher (inference mode: no state of its own),
  // which the step's apply rebuilds. A hint adapter trains with the student by plain SGD:
  // its weight is all it carries from one step to the next (its gradient is rewritten by
  // every step's backward), so the weight is what a pause saves.
  [[nodiscard]] bool pausable() const override { return true; }
  void save_state(nn::HookState& state) const override;
  void load_state(const nn::HookState& state, nn::Model& model) override;

  // Makes the hint adapter fit the student's hint layer; a student whose layer changed
  // width since (a later step compacted it) gets a fresh seeded adapter.
  void prepare(const nn::Model& student);
  [[nodiscard]] nn::Model& teacher() { return teacher_; }
  // Null without hint distillation or before prepare().
  [[nodiscard]] FeatureAdapter* adapter() { return adapter_.get(); }

 private:
  float add_hint_gradient(Backend& backend, nn::Model& model, nn::LossGradients& gradients);
  [[nodiscard]] std::size_t hint_layer_index(const nn::Model& model, const std::string& name,
                                             const char* role) const;

  nn::Model teacher_;
  LogitDistillation logits_;
  std::optional<HintSettings> hint_;
  std::uint64_t seed_;
  std::string label_;
  std::unique_ptr<FeatureAdapter> adapter_;
  Tensor grad_adapted_;
  // d hint loss / d student activation: Model::backward reads it after this hook returns.
  Tensor grad_student_;
  bool adapter_gradient_pending_ = false;
};

}  // namespace lathe::compress::distill
