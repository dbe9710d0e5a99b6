// LeNet-5 fine-tuned for one epoch on the CPU backend and on the CUDA backend from the
// same seed with nn::train_model: the loss curves and the validation accuracy agree, and
// two deterministic GPU runs give the same bits. Skips, saying why, where there is no GPU.
//
// Data: the synthetic 28 x 28 ten-class problem (tests/support/synthetic_data.h), 3,000
// training images, noisy enough that one epoch leaves it part-learnt (about 70%
// validation accuracy on the CPU), where a wrong gradient shows. Real Fashion-MNIST
// would need files the test machines may lack, and take longer.
//
// The trainer reports per epoch; the per-step losses come from a hook that records the
// task loss of every step, so whole curves are compared, not only the epoch's means.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/cuda_support.h"
#include "nn/trainer.h"
#include "nn/training_hook.h"
#include "support/gpu_available.h"
#include "support/synthetic_data.h"

namespace lathe::nn {
namespace {

// ---- tolerances ----
// Step 1 sees the same weights and the same batch on both backends: only float rounding
// differs.
constexpr double kFirstStepLossRelative = 1e-4;
// Later steps drift apart a little (rounding differences feed back through the
// updates): the mean loss over each window of steps agrees within this.
constexpr int kWindowSteps = 10;
constexpr double kWindowLossRelative = 0.03;
// The epoch's reports.
constexpr double kEpochTrainLossRelative = 0.01;
constexpr double kValidationAccuracyPoints = 0.01;  // 1 percentage point

// Records the task loss of every step (the trainer reports per epoch only).
class StepLossRecorder : public TrainingHook {
 public:
  float add_loss_gradient(Backend& /*backend*/, Model& /*model*/, const Tensor& /*images*/,
                          LossGradients& gradients) override {
    losses.push_back(gradients.task_loss);
    return 0.0F;
  }
  std::vector<float> losses;
};

struct TrainingRun {
  std::vector<float> step_losses;
  std::vector<EpochReport> epochs;
  std::vector<float> weights;  // every parameter, in order, after training
  bool diverged = false;
};

const data::DataSplits& fashion_sized_data() {
  static const data::DataSplits data = [] {
    test_support::SyntheticSplitsOptions options;
    options.classes = 10;
    options.height = 28;
    options.width = 28;
    options.train_size = 3000;
    options.test_size = 200;
    options.noise = 0.3;
    options.validation_fraction = 0.2;
    return test_support::synthetic_splits(options);
  }();
  return data;
}

TrainingRun fine_tune_lenet5(Backend& backend) {
  Model model(load_model_spec(std::string(LATHE_SOURCE_DIR) + "/configs/models/lenet5.yaml"), 7);
  TrainingOptions options;
  options.epochs = 1;
  options.batch_size = 64;
  options.seed = 7;
  options.optimizer.lr = 0.05;
  StepLossRecorder recorder;
  TrainingHook* hooks[] = {&recorder};
  TrainingRun run;
  const data::DataSplits& data = fashion_sized_data();
  const TrainingResult result =
      train_model(model, backend, data.train, data.validation, options, hooks,
                  [&run](const EpochReport& report) { run.epochs.push_back(report); });
  run.diverged = result.diverged;
  run.step_losses = recorder.losses;
  // train_model hands the model back in host memory.
  for (const NamedParameter& p : model.named_parameters()) {
    const std::vector<float> values = p.parameter->value.to_host_vector();
    run.weights.insert(run.weights.end(), values.begin(), values.end());
  }
  return run;
}

double relative_difference(double a, double b) { return std::abs(a - b) / std::max(1e-12, std::abs(b)); }

TEST(CudaTraining, Lenet5LossCurveAndAccuracyMatchTheCpu) {
  LATHE_SKIP_WITHOUT_GPU();
  const auto cpu_backend = make_cpu_backend(1);
  const auto cuda_backend = make_cuda_backend(CudaBackendOptions{0, true});
  const TrainingRun cpu = fine_tune_lenet5(*cpu_backend);
  const TrainingRun gpu = fine_tune_lenet5(*cuda_backend);
  ASSERT_FALSE(cpu.diverged);
  ASSERT_FALSE(gpu.diverged);
  ASSERT_EQ(gpu.step_losses.size(), cpu.step_losses.size());
  ASSERT_GE(cpu.step_losses.size(), static_cast<std::size_t>(2 * kWindowSteps));

  EXPECT_LE(relative_difference(gpu.step_losses[0], cpu.step_losses[0]), kFirstStepLossRelative)
      << "step 1: cuda " << gpu.step_losses[0] << ", cpu " << cpu.step_losses[0];
  for (std::size_t start = 0; start + kWindowSteps <= cpu.step_losses.size(); start += kWindowSteps) {
    double cpu_sum = 0.0, gpu_sum = 0.0;
    for (std::size_t i = start; i < start + kWindowSteps; ++i) {
      cpu_sum += cpu.step_losses[i];
      gpu_sum += gpu.step_losses[i];
    }
    EXPECT_LE(relative_difference(gpu_sum, cpu_sum), kWindowLossRelative)
        << "steps " << start + 1 << "-" << start + kWindowSteps << ": mean loss cuda "
        << gpu_sum / kWindowSteps << ", cpu " << cpu_sum / kWindowSteps;
  }

  ASSERT_EQ(gpu.epochs.size(), 1U);
  ASSERT_EQ(cpu.epochs.size(), 1U);
  EXPECT_LE(relative_difference(gpu.epochs[0].train_loss, cpu.epochs[0].train_loss), kEpochTrainLossRelative)
      << "epoch train loss: cuda " << gpu.epochs[0].train_loss << ", cpu " << cpu.epochs[0].train_loss;
  EXPECT_NEAR(gpu.epochs[0].validation_accuracy, cpu.epochs[0].validation_accuracy, kValidationAccuracyPoints);
  // The run learnt something (chance is 10%), so the comparison means something.
  EXPECT_GT(cpu.epochs[0].validation_accuracy, 0.3);
}

TEST(CudaTraining, DeterministicRunsOnOneGpuGiveTheSameBits) {
  LATHE_SKIP_WITHOUT_GPU();
  const auto first_backend = make_cuda_backend(CudaBackendOptions{0, true});
  const TrainingRun first = fine_tune_lenet5(*first_backend);
  const auto second_backend = make_cuda_backend(CudaBackendOptions{0, true});
  const TrainingRun second = fine_tune_lenet5(*second_backend);
  EXPECT_EQ(first.step_losses, second.step_losses);
  EXPECT_EQ(first.weights, second.weights);
}

}  // namespace
}  // namespace lathe::nn
