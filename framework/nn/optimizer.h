// Optimisers over a model's trainable parameters: SGD with momentum, Nesterov and
// weight decay, and Adam, with PyTorch's update rules (the backend applies them).
// A learning-rate schedule (nn/lr_schedule.h) sets the rate before each step.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "config/field_checks.h"
#include "nn/parameter.h"

namespace lathe::nn {

struct OptimizerConfig {
  std::string kind = "sgd";
  double lr = 0.05;
  double momentum = 0.9;
  double weight_decay = 5e-4;
  bool nesterov = false;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  template <class V>
  void visit(V& v) {
    v.choice("kind", kind, {"sgd", "adam"}, "optimiser");
    v.number("lr", lr, config::Range{0.0, 10.0, false, true}, "base learning rate");
    v.number("momentum", momentum, config::Range::half_open(0.0, 1.0), "SGD momentum");
    v.number("weight_decay", weight_decay, config::Range::closed(0.0, 1.0),
             "L2 penalty added to the gradient");
    v.flag("nesterov", nesterov, "SGD with Nesterov momentum");
    v.number("beta1", beta1, config::Range::half_open(0.0, 1.0), "Adam: first-moment decay");
    v.number("beta2", beta2, config::Range::half_open(0.0, 1.0), "Adam: second-moment decay");
    v.number("epsilon", epsilon, config::Range::positive(), "Adam: denominator term");
  }
};

class Optimizer {
 public:
  Optimizer(const OptimizerConfig& config, std::vector<Parameter*> parameters);
  // Applies one update with learning rate `lr` to every parameter from its grad.
  void step(Backend& backend, float lr);
  [[nodiscard]] std::int64_t steps_taken() const { return steps_; }
  // The per-parameter state (SGD velocity; Adam's moments, first then second) and the
  // step count, for a paused run to continue exactly: host copies, in parameter order.
  [[nodiscard]] std::vector<Tensor> state() const;
  // Puts state() back; throws lathe::Error when the count or a shape does not fit.
  void restore_state(const std::vector<Tensor>& state, std::int64_t steps_taken);

 private:
  OptimizerConfig config_;
  std::vector<Parameter*> parameters_;
  std::vector<Tensor> first_state_;   // SGD velocity, or Adam's first moment
  std::vector<Tensor> second_state_;  // Adam's second moment
  std::int64_t steps_ = 0;
};

}  // namespace lathe::nn
