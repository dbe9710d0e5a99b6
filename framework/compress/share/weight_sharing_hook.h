// The share step's training hook, active in every finetune after the step.
//
// Before the snap (the first finetune): docs/methods.md M2 step 3, soft weight-sharing. The
// loss gains prior_scale * NLL(shared weights | mixture); its gradient joins the weight
// gradients after backward, and the mixture's means, variances and mixing weights take
// one step of their own Adam after each optimiser step.
//
// After the snap (later finetunes): M2 step 6, (ours) tied fine-tuning. The weights of
// one cluster (one codebook entry) share one value: each weight's gradient is replaced by
// the mean of its cluster's gradients, so the shared value moves as one weight would, and
// after the update every member is re-set to its cluster's mean, so float drift in the
// optimiser can never untie them. The codebook follows the updated values.
//
// Pausing (TrainingHook::save_state) carries the mixture and its Adam's moments (as
// doubles), whether the weights are snapped, the codebooks and, inside a tied run, each
// weight's cluster: clusters are not re-derived from the weights on continuing, since two
// clusters whose shared values came to be equal floats would then merge.
#pragma once

#include <cstdint>
#include <vector>

#include "compress/share/share_state.h"
#include "nn/training_hook.h"

namespace lathe::compress::share {

class WeightSharingHook final : public nn::TrainingHook {
 public:
  explicit WeightSharingHook(ShareState& state) : state_(state) {}

  void on_train_start(Backend& backend, nn::Model& model, std::int64_t total_steps) override;
  float add_loss_gradient(Backend& backend, nn::Model& model, const Tensor& images,
                          nn::LossGradients& gradients) override;
  void after_backward(Backend& backend, nn::Model& model) override;
  void after_update(Backend& backend, nn::Model& model) override;
  void on_train_end(Backend& backend, nn::Model& model) override;

  [[nodiscard]] bool pausable() const override { return true; }
  void save_state(nn::HookState& state) const override;
  void load_state(const nn::HookState& state, nn::Model& model) override;

 private:
  ShareState& state_;
  // Before the snap: d NLL / d w per shared layer, and d mean-NLL / d mixture.
  std::vector<Tensor> prior_gradients_;  // per layer, in the backend's memory
  MixtureGradient mixture_gradient_;
  // After the snap: each weight's cluster (codebook index) and each cluster's size.
  std::vector<std::vector<std::uint32_t>> clusters_;
  std::vector<std::vector<std::int64_t>> cluster_sizes_;
};

}  // namespace lathe::compress::share
