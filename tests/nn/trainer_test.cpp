#include "nn/trainer.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <chrono>
#include <cmath>

#include "data/data_config.h"
#include "nn/evaluation.h"
#include "nn/lr_schedule.h"
#include "support/synthetic_data.h"

namespace lathe::nn {
namespace {

data::DataSplits synthetic_splits() { return test_support::synthetic_splits(); }

ModelSpec tiny_spec() {
  return load_model_spec(std::string(LATHE_SOURCE_DIR) + "/configs/tests/tiny_cnn.yaml");
}

TrainingOptions options_for(int epochs) {
  TrainingOptions options;
  options.epochs = epochs;
  options.batch_size = 32;
  options.seed = 7;
  return options;
}

std::vector<float> all_weights(Model& model) {
  std::vector<float> weights;
  for (const NamedParameter& p : model.named_parameters()) {
    weights.insert(weights.end(), p.parameter->value.values().begin(), p.parameter->value.values().end());
  }
  return weights;
}

TEST(Trainer, LearnsASyntheticProblemFarAboveChance) {
  const data::DataSplits data = synthetic_splits();
  Model model(tiny_spec(), 7);
  const auto backend = make_cpu_backend(1);
  const TrainingResult result = train_model(model, *backend, data.train, data.validation, options_for(4));
  ASSERT_FALSE(result.diverged);
  ASSERT_EQ(result.epochs.size(), 4U);
  EXPECT_LT(result.epochs.back().train_loss, result.epochs.front().train_loss);
  EXPECT_GT(evaluate(model, *backend, data.test, 64).accuracy, 0.85);  // chance is 0.25
}

TEST(Trainer, SameSeedGivesBitIdenticalWeights) {
  const data::DataSplits data = synthetic_splits();
  const auto backend = make_cpu_backend(1);
  Model a(tiny_spec(), 7);
  Model b(tiny_spec(), 7);
  train_model(a, *backend, data.train, data.validation, options_for(2));
  train_model(b, *backend, data.train, data.validation, options_for(2));
  EXPECT_EQ(all_weights(a), all_weights(b));
}

TEST(Trainer, TwoThreadsMatchOneThreadClosely) {
  const data::DataSplits data = synthetic_splits();
  Model a(tiny_spec(), 7);
  Model b(tiny_spec(), 7);
  // The thread count belongs to each backend (applied to the calling thread per op, see
  // backend.h), so both live at once on this thread and each run uses its own count.
  const auto one = make_cpu_backend(1);
  const auto two = make_cpu_backend(2);
  const int callers_threads = omp_get_max_threads();
  omp_set_num_threads(3);  // the caller's own setting, which neither run may read or change
  train_model(a, *one, data.train, data.validation, options_for(1));
  train_model(b, *two, data.train, data.validation, options_for(1));
  EXPECT_EQ(omp_get_max_threads(), 3);
  omp_set_num_threads(callers_threads);
  const std::vector<float> wa = all_weights(a);
  const std::vector<float> wb = all_weights(b);
  ASSERT_EQ(wa.size(), wb.size());
  for (std::size_t i = 0; i < wa.size(); ++i) EXPECT_NEAR(wa[i], wb[i], 1e-3F) << i;
}

TEST(Trainer, NonFiniteLossStopsTheRunAsDiverged) {
  const data::DataSplits data = synthetic_splits();
  Model model(tiny_spec(), 7);
  model.named_parameters().front().parameter->value[0] = std::nanf("");
  const auto backend = make_cpu_backend(1);
  const TrainingResult result = train_model(model, *backend, data.train, data.validation, options_for(2));
  EXPECT_TRUE(result.diverged);
  EXPECT_EQ(result.epochs.size(), 1U);
}

TEST(Trainer, PassedDeadlineStopsTheRunAfterTheStepAsTimedOut) {
  const data::DataSplits data = synthetic_splits();
  Model model(tiny_spec(), 7);
  const auto backend = make_cpu_backend(1);
  TrainingOptions options = options_for(50);
  options.deadline = std::chrono::steady_clock::now();
  int reports = 0;
  const TrainingResult result = train_model(model, *backend, data.train, data.validation, options, {},
                                            [&](const EpochReport&) { ++reports; });
  EXPECT_TRUE(result.timed_out);
  EXPECT_FALSE(result.diverged);
  EXPECT_EQ(result.steps, 1);          // the step in flight finishes, no further one starts
  EXPECT_TRUE(result.epochs.empty());  // the unfinished epoch is not reported, nor validated
  EXPECT_EQ(reports, 0);
}

TEST(Trainer, DeadlineDuringTheRunStopsItWithinAStepOrTwo) {
  const data::DataSplits data = synthetic_splits();
  Model model(tiny_spec(), 7);
  const auto backend = make_cpu_backend(1);
  TrainingOptions options = options_for(1000);  // many seconds of work
  const auto start = std::chrono::steady_clock::now();
  options.deadline = start + std::chrono::milliseconds(100);
  const TrainingResult result = train_model(model, *backend, data.train, data.validation, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(result.timed_out);
  EXPECT_GT(result.steps, 0);
  EXPECT_LT(result.steps, 1000 * 15);  // 480 images in batches of 32: 15 steps an epoch
  EXPECT_LT(seconds, 1.5);  // generous: the machine may be busy
}

TEST(Trainer, DeadlineNotReachedChangesNothing) {
  const data::DataSplits data = synthetic_splits();
  const auto backend = make_cpu_backend(1);
  Model a(tiny_spec(), 7);
  Model b(tiny_spec(), 7);
  TrainingOptions far = options_for(2);
  far.deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
  const TrainingResult ra = train_model(a, *backend, data.train, data.validation, options_for(2));
  const TrainingResult rb = train_model(b, *backend, data.train, data.validation, far);
  EXPECT_FALSE(rb.timed_out);
  EXPECT_EQ(rb.epochs.size(), 2U);
  EXPECT_EQ(ra.steps, rb.steps);
  EXPECT_EQ(all_weights(a), all_weights(b));
}

TEST(Trainer, AdamAlsoLearns) {
  const data::DataSplits data = synthetic_splits();
  Model model(tiny_spec(), 7);
  const auto backend = make_cpu_backend(1);
  TrainingOptions options = options_for(4);
  options.optimizer.kind = "adam";
  options.optimizer.lr = 0.01;
  train_model(model, *backend, data.train, data.validation, options);
  EXPECT_GT(evaluate(model, *backend, data.test, 64).accuracy, 0.75);  // chance is 0.25
}

TEST(LearningRateSchedule, CosineStartsAtBaseAndEndsAtMinimum) {
  ScheduleConfig cosine;
  cosine.kind = "cosine";
  cosine.min_lr = 0.001;
  EXPECT_DOUBLE_EQ(learning_rate_at(cosine, 0.1, 0, 10, 100), 0.1);
  EXPECT_NEAR(learning_rate_at(cosine, 0.1, 50, 10, 100), 0.0505, 1e-12);
  EXPECT_NEAR(learning_rate_at(cosine, 0.1, 100, 10, 100), 0.001, 1e-12);
}

TEST(LearningRateSchedule, StepDecaysEveryStepEpochs) {
  ScheduleConfig step;
  step.kind = "step";
  step.step_epochs = 2;
  step.gamma = 0.5;
  EXPECT_DOUBLE_EQ(learning_rate_at(step, 0.1, 19, 10, 100), 0.1);   // epoch 1
  EXPECT_DOUBLE_EQ(learning_rate_at(step, 0.1, 20, 10, 100), 0.05);  // epoch 2
  EXPECT_DOUBLE_EQ(learning_rate_at(step, 0.1, 45, 10, 100), 0.025); // epoch 4
}

TEST(LearningRateSchedule, WarmupRisesLinearlyToTheBaseRate) {
  ScheduleConfig constant;
  constant.kind = "constant";
  constant.warmup_epochs = 1;
  EXPECT_DOUBLE_EQ(learning_rate_at(constant, 0.1, 0, 10, 100), 0.01);
  EXPECT_DOUBLE_EQ(learning_rate_at(constant, 0.1, 9, 10, 100), 0.1);
  EXPECT_DOUBLE_EQ(learning_rate_at(constant, 0.1, 50, 10, 100), 0.1);
}

}  // namespace
}  // namespace lathe::nn
