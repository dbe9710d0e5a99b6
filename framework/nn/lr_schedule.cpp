#include "nn/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lathe::nn {

double learning_rate_at(const ScheduleConfig& schedule, double base_lr, std::int64_t step,
                        std::int64_t steps_per_epoch, std::int64_t total_steps) {
  const double warmup_steps = schedule.warmup_epochs * static_cast<double>(steps_per_epoch);
  if (warmup_steps > 0.0 && static_cast<double>(step) < warmup_steps) {
    return base_lr * (static_cast<double>(step) + 1.0) / warmup_steps;
  }
  if (schedule.kind == "step") {
    const std::int64_t epoch = step / std::max<std::int64_t>(1, steps_per_epoch);
    return base_lr * std::pow(schedule.gamma, static_cast<double>(epoch / schedule.step_epochs));
  }
  if (schedule.kind == "cosine") {
    const double span = std::max(1.0, static_cast<double>(total_steps) - warmup_steps);
    const double progress = std::clamp((static_cast<double>(step) - warmup_steps) / span, 0.0, 1.0);
    return schedule.min_lr +
           0.5 * (base_lr - schedule.min_lr) * (1.0 + std::cos(std::numbers::pi * progress));
  }
  return base_lr;
}

}  // namespace lathe::nn
