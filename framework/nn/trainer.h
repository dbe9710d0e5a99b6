// The training loop: seeded shuffled batches, forward, softmax cross-entropy, backward,
// hooks, optimiser step under a learning-rate schedule; one report per epoch with the
// validation loss and accuracy. A non-finite loss stops the run as diverged instead of
// training on NaNs; a deadline stops it as timed out; a stop request pauses it at the end
// of an epoch, and a paused run continues from what it returned, to the same numbers.
#pragma once

#include <atomic>
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
  // Read at the end of every epoch that leaves epochs to run: once true, the run pauses
  // there (TrainingResult::paused). Null: never.
  const std::atomic<bool>* stop = nullptr;
  // A paused run continued: it starts at epoch `epochs_done` and step `steps_done` with the
  // optimiser's state as it was (the batch order and dropout are functions of the seed,
  // the epoch and the step, so nothing else is needed from the trainer).
  struct Continuation {
    int epochs_done = 0;
    std::int64_t steps_done = 0;
    std::vector<Tensor> optimizer_state;
  };
  std::optional<Continuation> continuation;
  // Called once after every hook's on_train_start (a continued run puts the hooks' saved
  // state back here).
  std::function<void()> after_train_start;
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
  std::int64_t steps = 0;  // optimiser steps taken (those of the run continued included)
  double seconds = 0.0;
  // Stopped by options.stop after epoch `paused->epochs_done`: the hooks got no
  // on_train_end and keep their state as at that step, for TrainingHook::save_state.
  std::optional<TrainingOptions::Continuation> paused;
};

TrainingResult train_model(Model& model, Backend& backend, const data::Dataset& train,
                           const data::Dataset& validation, const TrainingOptions& options,
                           std::span<TrainingHook* const> hooks = {},
                           const std::function<void(const EpochReport&)>& on_epoch = {});

}  // namespace lathe::nn
