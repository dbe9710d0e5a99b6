// A training run stopped after a chosen optimiser step (mid-epoch, at an epoch's last
// step, in the last epoch) and continued from what it returned, in a fresh model and
// trainer as another process would: the same weights, bit for bit, and the same epoch
// reports as the run never stopped; with SGD and Adam, dropout, batchnorm and a batch
// count that leaves a short last batch. A continuation that does not fit the run is
// refused with a message.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "nn/model_checkpoint.h"
#include "nn/trainer.h"
#include "support/synthetic_data.h"

namespace lathe::nn {
namespace {

// tiny_cnn with dropout: its mask is drawn from the step, so a continued run must number
// its steps as the uninterrupted one did.
const char* kSpec =
    "name: tiny_dropout\ninput: {channels: 1, height: 8, width: 8}\nlayers:\n"
    "  - {name: conv1, type: conv2d, out_channels: 4, kernel: 3, padding: 1}\n"
    "  - {name: bn1, type: batchnorm}\n"
    "  - {name: relu1, type: relu}\n"
    "  - {name: pool1, type: maxpool, kernel: 2}\n"
    "  - {name: flatten, type: flatten}\n"
    "  - {name: drop, type: dropout, p: 0.2}\n"
    "  - {name: fc, type: linear, out_features: 4}\n";

// 480 training images in batches of 50: 10 steps an epoch, the last one of 30 images.
constexpr int kBatch = 50;
constexpr std::int64_t kStepsPerEpoch = 10;
constexpr int kEpochs = 3;

const data::DataSplits& splits() {
  static const data::DataSplits data = test_support::synthetic_splits();
  return data;
}

TrainingOptions options_for(const std::string& optimizer) {
  TrainingOptions options;
  options.epochs = kEpochs;
  options.batch_size = kBatch;
  options.seed = 5;
  options.optimizer.kind = optimizer;
  options.optimizer.lr = optimizer == "adam" ? 0.005 : 0.05;
  return options;
}

struct TrainedRun {
  TrainingResult result;
  io::Checkpoint model;  // every weight, batchnorm statistics included
};

TrainedRun train(Model model, TrainingOptions options) {
  const auto backend = make_cpu_backend(1);
  TrainedRun run;
  run.result = train_model(model, *backend, splits().train, splits().validation, options);
  run.model = make_checkpoint(model);
  return run;
}

Model fresh_model() { return Model(parse_model_spec(kSpec, "tiny_dropout.yaml"), 3); }

// The run with its stop request raised after optimiser step `stop_after`.
TrainedRun stopped_after(std::int64_t stop_after, const std::string& optimizer) {
  std::atomic<bool> stop{false};
  TrainingOptions options = options_for(optimizer);
  options.stop = &stop;
  options.after_step = [&](std::int64_t steps) {
    if (steps == stop_after) stop = true;
  };
  return train(fresh_model(), options);
}

// The paused run continued in a model rebuilt from its saved weights.
TrainedRun continued(const TrainedRun& paused, const std::string& optimizer) {
  Model model = model_from_checkpoint(paused.model, "paused.h5");
  TrainingOptions options = options_for(optimizer);
  options.continuation = paused.result.paused;
  return train(std::move(model), options);
}

void expect_same_weights(const io::Checkpoint& a, const io::Checkpoint& b) {
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    ASSERT_EQ(a.tensors[i].name, b.tensors[i].name);
    const std::span<const float> x = a.tensors[i].value.values();
    const std::span<const float> y = b.tensors[i].value.values();
    EXPECT_EQ(std::vector<float>(x.begin(), x.end()), std::vector<float>(y.begin(), y.end())) << a.tensors[i].name;
  }
}

void expect_same_report(const EpochReport& a, const EpochReport& b) {
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.learning_rate, b.learning_rate);
  EXPECT_EQ(a.train_loss, b.train_loss);
  EXPECT_EQ(a.train_accuracy, b.train_accuracy);
  EXPECT_EQ(a.validation_loss, b.validation_loss);
  EXPECT_EQ(a.validation_accuracy, b.validation_accuracy);
}

struct StopCase {
  std::int64_t stop_after;  // the optimiser step after which the stop request comes
  std::int64_t paused_at;   // the step the run pauses after
  bool mid_epoch;
};

class PausedTraining : public testing::TestWithParam<std::tuple<StopCase, const char*>> {};

TEST_P(PausedTraining, ContinuesFromTheStepItPausedAtToTheWeightsAndReportsOfTheRunNeverStopped) {
  const auto& [c, optimizer] = GetParam();
  const TrainedRun whole = train(fresh_model(), options_for(optimizer));
  ASSERT_FALSE(whole.result.diverged);
  ASSERT_EQ(whole.result.steps, kStepsPerEpoch * kEpochs);

  const TrainedRun paused = stopped_after(c.stop_after, optimizer);
  ASSERT_TRUE(paused.result.paused.has_value());
  const TrainingOptions::Continuation& at = *paused.result.paused;
  EXPECT_EQ(at.steps_done, c.paused_at);
  EXPECT_EQ(paused.result.steps, c.paused_at);
  EXPECT_EQ(at.epochs_done, static_cast<int>(c.paused_at / kStepsPerEpoch));
  ASSERT_EQ(at.partial_epoch.has_value(), c.mid_epoch);
  if (c.mid_epoch) {
    EXPECT_EQ(at.partial_epoch->steps, c.paused_at % kStepsPerEpoch);
    EXPECT_EQ(at.partial_epoch->seen, at.partial_epoch->steps * kBatch);
  }
  // Reports only for the epochs finished before the pause.
  EXPECT_EQ(paused.result.epochs.size(), static_cast<std::size_t>(at.epochs_done));

  const TrainedRun rest = continued(paused, optimizer);
  EXPECT_FALSE(rest.result.paused.has_value());
  EXPECT_EQ(rest.result.steps, whole.result.steps);
  expect_same_weights(rest.model, whole.model);
  std::vector<EpochReport> reports = paused.result.epochs;
  reports.insert(reports.end(), rest.result.epochs.begin(), rest.result.epochs.end());
  ASSERT_EQ(reports.size(), whole.result.epochs.size());
  for (std::size_t e = 0; e < reports.size(); ++e) expect_same_report(reports[e], whole.result.epochs[e]);
}

INSTANTIATE_TEST_SUITE_P(
    AtSeveralSteps, PausedTraining,
    testing::Combine(testing::Values(StopCase{1, 1, true},     // after the first step
                                     StopCase{6, 6, true},     // in the middle of epoch 1
                                     StopCase{9, 9, true},     // before epoch 1's short last batch
                                     StopCase{10, 10, false},  // at its end: after the validation
                                     StopCase{11, 11, true},   // the first step of epoch 2
                                     StopCase{24, 24, true},   // the last epoch
                                     StopCase{29, 29, true}),  // one step before the end
                     testing::Values("sgd", "adam")),
    [](const testing::TestParamInfo<PausedTraining::ParamType>& param_info) {
      return "after_step_" + std::to_string(std::get<0>(param_info.param).stop_after) + "_" + std::get<1>(param_info.param);
    });

TEST(PausedTrainingRules, AStopAfterTheLastStepLetsTheRunFinish) {
  const TrainedRun finished = stopped_after(kStepsPerEpoch * kEpochs, "sgd");
  EXPECT_FALSE(finished.result.paused.has_value());
  EXPECT_EQ(finished.result.epochs.size(), static_cast<std::size_t>(kEpochs));
  expect_same_weights(finished.model, train(fresh_model(), options_for("sgd")).model);
}

TEST(PausedTrainingRules, AContinuationThatDoesNotFitTheRunIsRefusedWithAMessage) {
  TrainedRun paused = stopped_after(6, "sgd");
  ASSERT_TRUE(paused.result.paused.has_value());
  const auto refusal = [&](const TrainingOptions::Continuation& continuation) -> std::string {
    Model model = model_from_checkpoint(paused.model, "paused.h5");
    TrainingOptions options = options_for("sgd");
    options.continuation = continuation;
    const auto backend = make_cpu_backend(1);
    try {
      (void)train_model(model, *backend, splits().train, splits().validation, options);
    } catch (const Error& e) {
      return e.what();
    }
    return "not refused";
  };
  TrainingOptions::Continuation other_images = *paused.result.paused;
  other_images.partial_epoch->seen += 1;
  EXPECT_NE(refusal(other_images).find("does not fit a run of 3 epochs of 10 steps of 50 images"), std::string::npos)
      << refusal(other_images);
  TrainingOptions::Continuation past_the_epoch = *paused.result.paused;
  past_the_epoch.partial_epoch->steps = kStepsPerEpoch;
  past_the_epoch.steps_done = 2 * kStepsPerEpoch;
  EXPECT_NE(refusal(past_the_epoch).find("does not fit"), std::string::npos);
  TrainingOptions::Continuation without_its_sums = *paused.result.paused;
  without_its_sums.partial_epoch.reset();
  EXPECT_NE(refusal(without_its_sums).find("does not fit"), std::string::npos);
}

}  // namespace
}  // namespace lathe::nn
