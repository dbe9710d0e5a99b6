// Quantisation-aware training (docs/methods.md M3 steps 2-6). The model's weights are
// fake-quantised at every step while the hook keeps the float master weights: the
// forward and backward run at the quantised weights (a straight-through estimator for
// the rounding), the optimiser's change is added to the master, and the master is
// quantised again:
//   master += value - last_q;  value = q(master);  last_q = value
// Each activation quantiser's range follows the batches it observes through its
// RangeRule (the counted rule by default), updated after every iteration. With an
// intermediate start, weights and activations use intermediate_bits(target)
// until switch_fraction of the first training run's steps, then the target.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "compress/quantize/model_lookup.h"
#include "compress/quantize/quantization_plan.h"
#include "nn/layers/fake_quant.h"
#include "nn/training_hook.h"

namespace lathe::compress::quantize {

class QuantizationHook final : public nn::TrainingHook {
 public:
  explicit QuantizationHook(QuantizationPlan plan);

  // Takes the model's float weights as masters and puts the weights and activation
  // quantisers at the starting bits (the step's apply calls this).
  void start(nn::Model& model);

  // Keeps masters whose weights are still exactly the last quantised values (the
  // weights of an earlier run), else takes the current weights as the masters.
  void on_train_start(Backend& backend, nn::Model& model, std::int64_t total_steps) override;
  void after_update(Backend& backend, nn::Model& model) override;
  // A run shorter than the switch point still ends at the target bits.
  void on_train_end(Backend& backend, nn::Model& model) override;
  // A pause keeps the masters, the last quantised weights, the step, the switch point and
  // every range rule's counts.
  [[nodiscard]] bool pausable() const override { return true; }
  void save_state(nn::HookState& state) const override;
  void load_state(const nn::HookState& state, nn::Model& model) override;

  [[nodiscard]] bool at_target_bits() const { return !intermediate_active_; }
  // The step count (of the current run) at which the target bits apply.
  [[nodiscard]] std::int64_t switch_step() const { return switch_step_; }
  [[nodiscard]] int weight_bits_now(const WeightTarget& target) const;
  [[nodiscard]] int act_bits_now() const;
  // The float master of a weight ("conv1/weight"), or null before start.
  [[nodiscard]] const Tensor* master(const std::string& parameter) const;

 private:
  void requantize_weights(nn::Model& model);
  void set_quantizer_bits(nn::Model& model);
  void switch_to_target(nn::Model& model);

  QuantizationPlan plan_;
  bool intermediate_active_ = false;
  bool first_run_done_ = false;
  std::int64_t step_ = 0;
  std::int64_t switch_step_ = 0;
  std::map<std::string, Tensor> master_;
  std::map<std::string, Tensor> last_quantized_;
  struct TrackedQuantizer {
    std::unique_ptr<RangeRule> rule;
    std::int64_t seen_observations = 0;
  };
  std::map<std::string, TrackedQuantizer> ranges_;
};

}  // namespace lathe::compress::quantize
