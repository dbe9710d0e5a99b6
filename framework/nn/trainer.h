// The training loop: seeded shuffled batches, forward, softmax cross-entropy, backward,
// hooks, optimiser step under a learning-rate schedule; one report per epoch with the
// validation loss and accuracy. A non-finite loss stops the run as diverged instead of
// training on NaNs; a deadline stops it as timed out.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "backend/backend.h"
#include "data/dataset.h"
#include "nn/lr_schedule.h"
#include "nn/model.h"
#include "nn/optimizer.h"
#include "nn/training_hook.h"

namespace lathe::nn {

struct TrainingOptions {
  int epochs = 5;
  int batch_size = 128;
  std::uint64_t seed = 1;
  OptimizerConfig optimizer;
  ScheduleConfig schedule;
  // Checked after every step and before each epoch's validation: once it has passed the
  // run stops (timed_out) instead of finishing its epochs. None: no limit.
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct EpochReport {
  int epoch = 0;  // 1-based
  double learning_rate = 0.0;  // at the epoch's last step
  double train_loss = 0.0;
  double train_accuracy = 0.0;
  double validation_loss = 0.0;      // NaN when there is no validation set
  double validation_accuracy = 0.0;  // NaN when there is no validation set
  double seconds = 0.0;
  double images_per_second = 0.0;
};

struct TrainingResult {
  std::vector<EpochReport> epochs;  // completed epochs only (a timed-out one is not)
  bool diverged = false;
  // The deadline passed in epoch epochs.size() + 1; `epochs` holds those finished before.
  bool timed_out = false;
  std::int64_t steps = 0;  // optimiser steps taken
  double seconds = 0.0;
};

TrainingResult train_model(Model& model, Backend& backend, const data::Dataset& train,
                           const data::Dataset& validation, const TrainingOptions& options,
                           std::span<TrainingHook* const> hooks = {},
                           const std::function<void(const EpochReport&)>& on_epoch = {});

}  // namespace lathe::nn
