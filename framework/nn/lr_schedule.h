// Learning-rate schedules, evaluated per step: constant, step decay (multiply by gamma
// every step_epochs epochs) and cosine annealing to min_lr over the whole run, each with
// an optional linear warm-up.
#pragma once

#include <cstdint>
#include <string>

#include "config/field_checks.h"

namespace lathe::nn {

struct ScheduleConfig {
  std::string kind = "cosine";
  int step_epochs = 2;
  double gamma = 0.1;
  double min_lr = 0.0;
  double warmup_epochs = 0.0;
  template <class V>
  void visit(V& v) {
    v.choice("kind", kind, {"constant", "step", "cosine"}, "learning-rate schedule");
    v.number("step_epochs", step_epochs, config::Range::at_least(1), "step: epochs between decays");
    v.number("gamma", gamma, config::Range{0.0, 1.0, false, true}, "step: decay factor");
    v.number("min_lr", min_lr, config::Range::at_least(0.0), "cosine: final learning rate");
    v.number("warmup_epochs", warmup_epochs, config::Range::at_least(0.0),
             "linear warm-up from 0 over this many epochs (fractions allowed)");
  }
};

// The learning rate at `step` (0-based) of a run of `total_steps` with
// `steps_per_epoch` steps per epoch, for base rate `base_lr`.
double learning_rate_at(const ScheduleConfig& schedule, double base_lr, std::int64_t step,
                        std::int64_t steps_per_epoch, std::int64_t total_steps);

}  // namespace lathe::nn
