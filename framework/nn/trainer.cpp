#include "nn/trainer.h"

#include <chrono>
#include <cmath>
#include <limits>

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
  if (options.continuation) {
    LATHE_CHECK(options.continuation->epochs_done < options.epochs &&
                    options.continuation->steps_done == steps_per_epoch * options.continuation->epochs_done,
                "training: a continuation after epoch ", options.continuation->epochs_done, " (step ",
                options.continuation->steps_done, ") does not fit a run of ", options.epochs, " epochs of ",
                steps_per_epoch, " steps");
    first_epoch = options.continuation->epochs_done;
    step = options.continuation->steps_done;
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
      if (past(options.deadline)) {
        result.timed_out = true;
        break;
      }
    }
    // Past the deadline the validation is skipped too, and the unfinished epoch gets no
    // report (its loss would cover part of the data only).
    if (!result.diverged && past(options.deadline)) result.timed_out = true;
    if (result.timed_out) break;
    const double train_seconds = seconds_since(epoch_start);
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
    report.seconds = seconds_since(epoch_start);
    result.epochs.push_back(report);
    if (on_epoch) on_epoch(report);
    if (options.stop != nullptr && options.stop->load() && epoch + 1 < options.epochs && !result.diverged) {
      result.paused = TrainingOptions::Continuation{epoch + 1, step, optimizer.state()};
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
