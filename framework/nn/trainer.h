// The training loop: seeded shuffled batches, forward, softmax cross-entropy, backward,
// hooks, optimiser step under a learning-rate schedule; one report per epoch with the
// validation loss and accuracy. A non-finite loss stops the run as diverged instead of
// training on NaNs; a deadline stops it as timed out; a stop request pauses it after the
// optimiser step in flight (mid-epoch too), and a paused run continues from what it
// returned, to the same weights and the same epoch reports.
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
  // Read after every optimiser step that leaves steps to run, and at the end of every
  // epoch that leaves epochs to run (after its validation): once true, the run pauses
  // there (TrainingResult::paused). Null: never.
  const std::atomic<bool>* stop = nullptr;
  // A paused run continued: it starts at step `steps_done`, in epoch `epochs_done` (0-based:
  // the epochs before it are done), with the optimiser's state as it was. The batch order
  // is a function of the seed and the epoch, and dropout one of the seed and the step, so
  // the trainer needs nothing else but, for a pause inside an epoch, what that epoch's
  // report has summed so far.
  struct Continuation {
    // The part of epoch `epochs_done` done before a pause inside it.
    struct PartialEpoch {
      std::int64_t steps = 0;   // its optimiser steps taken, in [1, steps per epoch)
      double loss_sum = 0.0;    // sum over those steps of the batch's loss x its images
      std::int64_t correct = 0; // images classified right
      std::int64_t seen = 0;    // images (steps x batch size: only the last batch is short)
      double seconds = 0.0;     // time spent in it, for the report's timing only
    };
    int epochs_done = 0;
    std::int64_t steps_done = 0;  // epochs_done x steps per epoch, plus partial_epoch's steps
    std::vector<Tensor> optimizer_state;
    std::optional<PartialEpoch> partial_epoch;  // none: paused between epochs
  };
  std::optional<Continuation> continuation;
  // Called after every optimiser step with the steps taken so far (this run's and those of
  // the run continued), before the deadline and the stop request are read: progress, or a
  // test raising the stop request at a chosen step, as a signal arriving then would.
  std::function<void(std::int64_t)> after_step;
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
  // Stopped by options.stop after step `paused->steps_done` (inside an epoch when
  // `paused->partial_epoch` is set): the hooks got no on_train_end and keep their state
  // as at that step, for TrainingHook::save_state.
  std::optional<TrainingOptions::Continuation> paused;
};

TrainingResult train_model(Model& model, Backend& backend, const data::Dataset& train,
                           const data::Dataset& validation, const TrainingOptions& options,
                           std::span<TrainingHook* const> hooks = {},
                           const std::function<void(const EpochReport&)>& on_epoch = {});

}  // namespace lathe::nn
