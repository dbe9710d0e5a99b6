#include "nn/trainer.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "core/error.h"
#include "data/batch_loader.h"
#include "nn/evaluation.h"
#include "nn/init.h"
#include "nn/model_placement.h"

namespace lathe::nn {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool past(const std::optional<Clock::time_point>& deadline) {
  return deadline && Clock::now() >= *deadline;
}

bool stop_requested(const TrainingOptions& options) { return options.stop != nullptr && options.stop->load(); }

// A continuation fits this run when it lies inside it and, paused inside an epoch, sums
// up exactly the steps it took there (full batches only: the short one ends an epoch).
void check_continuation(const TrainingOptions::Continuation& c, const TrainingOptions& options,
                        std::int64_t steps_per_epoch) {
  const std::int64_t into_epoch = c.partial_epoch ? c.partial_epoch->steps : 0;
  const bool fits =
      c.epochs_done >= 0 && c.epochs_done < options.epochs &&
      c.steps_done == steps_per_epoch * c.epochs_done + into_epoch && into_epoch < steps_per_epoch &&
      (!c.partial_epoch || (into_epoch >= 1 && c.partial_epoch->seen == into_epoch * options.batch_size));
  LATHE_CHECK(fits, "training: a continuation after epoch ", c.epochs_done, " and step ", c.steps_done,
              c.partial_epoch ? " (" + std::to_string(into_epoch) + " steps and " +
                                    std::to_string(c.partial_epoch->seen) + " images into the next epoch)"
                              : std::string(),
              " does not fit a run of ", options.epochs, " epochs of ", steps_per_epoch, " steps of ",
              options.batch_size, " images");
}

}  // namespace

TrainingResult train_model(Model& model, Backend& backend, const data::Dataset& train,
                           const data::Dataset& validation, const TrainingOptions& options,
                           std::span<TrainingHook* const> hooks,
                           const std::function<void(const EpochReport&)>& on_epoch) {
  LATHE_CHECK(train.size() > 0, train.source, ": the training set is empty");
  LATHE_CHECK(train.classes <= model.classes(), train.source, ": labels have ", train.classes,
              " classes but the model '", model.spec().name, "' outputs ", model.classes());
  data::BatchLoader loader(train, options.batch_size, true, options.seed);
  // The whole run on the backend's memory: parameters, optimiser state and activations
  // stay there; batches go in, the loss and the correct count come out.
  ModelOnBackend on_backend(model, backend);
  StagedBatch staged(backend);
  Optimizer optimizer(options.optimizer, model.trainable_parameters());
  const std::int64_t steps_per_epoch = loader.batches_per_epoch();
  const std::int64_t total_steps = steps_per_epoch * options.epochs;

  TrainingResult result;
  const Clock::time_point run_start = Clock::now();
  Tensor images;
  Tensor grad_logits(Shape{}, backend.memory());
  std::vector<std::int32_t> labels;
  std::int64_t step = 0;
  int first_epoch = 0;
  std::optional<TrainingOptions::Continuation::PartialEpoch> partial;
  if (options.continuation) {
    check_continuation(*options.continuation, options, steps_per_epoch);
    first_epoch = options.continuation->epochs_done;
    step = options.continuation->steps_done;
    partial = options.continuation->partial_epoch;
    optimizer.restore_state(options.continuation->optimizer_state, step);
  }
  for (TrainingHook* hook : hooks) hook->on_train_start(backend, model, total_steps);
  if (options.after_train_start) options.after_train_start();
  for (int epoch = first_epoch; epoch < options.epochs && !result.diverged && !result.timed_out; ++epoch) {
    const Clock::time_point epoch_start = Clock::now();
    loader.start_epoch(epoch);
    EpochReport report;
    report.epoch = epoch + 1;
    double loss_sum = 0.0;
    std::int64_t correct_sum = 0;
    std::int64_t seen = 0;
    double seconds_before = 0.0;  // spent in this epoch before a pause
    if (partial) {
      // The epoch's order is drawn whole at its start: serving (and dropping) the batches
      // already trained on puts the loader where the pause left it.
      for (std::int64_t done = 0; done < partial->steps; ++done) (void)loader.next(images, labels);
      loss_sum = partial->loss_sum;
      correct_sum = partial->correct;
      seen = partial->seen;
      seconds_before = partial->seconds;
      partial.reset();
    }
    const std::int64_t epoch_end_step = steps_per_epoch * (epoch + 1);
    while (loader.next(images, labels)) {
      const int batch = static_cast<int>(labels.size());
      const float lr = static_cast<float>(learning_rate_at(
          options.schedule, options.optimizer.lr, step, steps_per_epoch, total_steps));
      const RunMode mode{true, mix_seed(options.seed ^ mix_seed(static_cast<std::uint64_t>(step)))};
      staged.stage(images, labels);
      const Tensor& logits = model.forward(backend, staged.images(), mode);
      grad_logits.resize(logits.shape());
      int correct = 0;
      float loss = backend.softmax_cross_entropy(batch, model.classes(), logits.data(),
                                                 staged.labels(), grad_logits.data(), &correct);
      LossGradients gradients{grad_logits, labels, loss, {}};
      for (TrainingHook* hook : hooks) {
        loss += hook->add_loss_gradient(backend, model, staged.images(), gradients);
      }
      if (!std::isfinite(loss)) {
        result.diverged = true;
        break;
      }
      model.backward(backend, grad_logits, gradients.activations);
      for (TrainingHook* hook : hooks) hook->after_backward(backend, model);
      optimizer.step(backend, lr);
      for (TrainingHook* hook : hooks) hook->after_update(backend, model);
      loss_sum += static_cast<double>(loss) * batch;
      correct_sum += correct;
      seen += batch;
      report.learning_rate = lr;
      ++step;
      if (options.after_step) options.after_step(step);
      if (past(options.deadline)) {
        result.timed_out = true;
        break;
      }
      // Mid-epoch: a stop after the epoch's last step waits for its validation below.
      if (stop_requested(options) && step < epoch_end_step) {
        result.paused = TrainingOptions::Continuation{
            epoch, step, optimizer.state(),
            TrainingOptions::Continuation::PartialEpoch{step - steps_per_epoch * epoch, loss_sum, correct_sum,
                                                        seen, seconds_before + seconds_since(epoch_start)}};
        break;
      }
    }
    if (result.paused) break;
    // Past the deadline the validation is skipped too, and the unfinished epoch gets no
    // report (its loss would cover part of the data only).
    if (!result.diverged && past(options.deadline)) result.timed_out = true;
    if (result.timed_out) break;
    const double train_seconds = seconds_before + seconds_since(epoch_start);
    report.train_loss = seen > 0 ? loss_sum / static_cast<double>(seen) : std::nan("");
    report.train_accuracy = seen > 0 ? static_cast<double>(correct_sum) / static_cast<double>(seen) : 0.0;
    report.images_per_second = static_cast<double>(seen) / train_seconds;
    report.validation_loss = std::numeric_limits<double>::quiet_NaN();
    report.validation_accuracy = std::numeric_limits<double>::quiet_NaN();
    if (!result.diverged && validation.size() > 0) {
      const EvaluationResult v = evaluate(model, backend, validation, options.batch_size);
      report.validation_loss = v.loss;
      report.validation_accuracy = v.accuracy;
    }
    report.seconds = seconds_before + seconds_since(epoch_start);
    result.epochs.push_back(report);
    if (on_epoch) on_epoch(report);
    if (stop_requested(options) && epoch + 1 < options.epochs && !result.diverged) {
      result.paused = TrainingOptions::Continuation{epoch + 1, step, optimizer.state(), std::nullopt};
      break;
    }
  }
  if (!result.paused) {
    for (TrainingHook* hook : hooks) hook->on_train_end(backend, model);
  }
  on_backend.finish();
  result.steps = step;
  result.seconds = seconds_since(run_start);
  return result;
}

}  // namespace lathe::nn
