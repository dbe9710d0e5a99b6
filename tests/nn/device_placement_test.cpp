// Tensors and models placed in a backend's memory: the engine hands the backend only
// pointers into that memory, keeps a whole fine-tune there, and brings the model back
// to the host afterwards. Checked on the emulated device (tests/support/emulated_device.h),
// so CI proves on CPU what the CUDA backend relies on.
#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "nn/model.h"
#include "nn/model_placement.h"
#include "nn/trainer.h"
#include "support/emulated_device.h"
#include "support/synthetic_data.h"
#include "tensor/index_buffer.h"

namespace lathe {
namespace {

const char* kSpec =
    "name: small\ninput: {channels: 1, height: 8, width: 8}\nlayers:\n"
    "  - {name: conv1, type: conv2d, out_channels: 6, kernel: 3, padding: 1}\n"
    "  - {name: bn1, type: batchnorm}\n"
    "  - {name: relu1, type: relu}\n"
    "  - {name: pool1, type: maxpool, kernel: 2}\n"
    "  - {name: flatten, type: flatten}\n"
    "  - {name: drop, type: dropout, p: 0.2}\n"
    "  - {name: fc, type: linear, out_features: 4}\n";

TEST(TensorPlacement, PlacedValuesComeBackUnchanged) {
  test::EmulatedDeviceMemory device;
  Tensor t(Shape{2, 3});
  for (std::int64_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(i) * 0.5F - 1.0F;
  const std::vector<float> before(t.values().begin(), t.values().end());
  t.place(&device);
  EXPECT_EQ(t.memory(), &device);
  EXPECT_TRUE(device.contains(t.data(), sizeof(float) * 6));
  EXPECT_EQ(t.to_host_vector(), before);
  const Tensor copy = t;  // a copy lives where the original does
  EXPECT_EQ(copy.memory(), &device);
  EXPECT_EQ(copy.to_host_vector(), before);
  t.place(nullptr);
  EXPECT_TRUE(t.on_host());
  EXPECT_EQ(std::vector<float>(t.values().begin(), t.values().end()), before);
}

TEST(TensorPlacement, HostCodeCannotReadADeviceTensorInPlace) {
  test::EmulatedDeviceMemory device;
  Tensor t(Shape{4}, &device);
  try {
    (void)t.values();
    FAIL() << "values() of a device tensor did not throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lives in 'emulated-device' memory"), std::string::npos)
        << e.what();
  }
}

TEST(TensorPlacement, FillAndCopyFromHostWorkWhereverTheTensorLives) {
  test::EmulatedDeviceMemory device;
  Tensor t(Shape{3}, &device);
  t.fill(2.5F);
  EXPECT_EQ(t.to_host_vector(), (std::vector<float>{2.5F, 2.5F, 2.5F}));
  const std::vector<float> values = {1.0F, -2.0F, 3.0F};
  t.copy_from_host(values);
  EXPECT_EQ(t.to_host_vector(), values);
  IndexBuffer labels(&device);
  labels.assign(std::vector<std::int32_t>{3, 1, 2});
  EXPECT_TRUE(device.contains(labels.data()));
}

TEST(ModelPlacement, AModelOnTheHostIsRefusedByADeviceBackend) {
  test::EmulatedDeviceBackend device;
  nn::Model model(nn::parse_model_spec(kSpec, "small.yaml"), 1);
  const Tensor images(Shape{2, 1, 8, 8});
  try {
    (void)model.forward(device, images, nn::RunMode{});
    FAIL() << "a host model ran on a device backend";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("place it on the backend first"), std::string::npos)
        << e.what();
  }
}

// Same seed, same data, the CPU arithmetic behind both: the losses must be identical,
// and the emulated device would have thrown at the first host pointer.
TEST(ModelPlacement, TrainingOnADeviceBackendMatchesTheCpuAndLeavesNothingOnTheDevice) {
  const data::DataSplits data = test_support::synthetic_splits();
  nn::TrainingOptions options;
  options.epochs = 2;
  options.batch_size = 16;
  options.seed = 5;

  const auto cpu = make_cpu_backend(1);
  nn::Model on_cpu(nn::parse_model_spec(kSpec, "small.yaml"), 3);
  const nn::TrainingResult cpu_result =
      nn::train_model(on_cpu, *cpu, data.train, data.validation, options);

  test::EmulatedDeviceBackend device;
  {
    nn::Model on_device(nn::parse_model_spec(kSpec, "small.yaml"), 3);
    const nn::TrainingResult device_result =
        nn::train_model(on_device, device, data.train, data.validation, options);
    ASSERT_EQ(device_result.epochs.size(), cpu_result.epochs.size());
    for (std::size_t e = 0; e < cpu_result.epochs.size(); ++e) {
      EXPECT_EQ(device_result.epochs[e].train_loss, cpu_result.epochs[e].train_loss);
      EXPECT_EQ(device_result.epochs[e].validation_accuracy,
                cpu_result.epochs[e].validation_accuracy);
    }
    EXPECT_EQ(on_device.memory(), nullptr);  // back on the host after the run
    for (nn::Parameter* p : on_device.all_parameters()) EXPECT_TRUE(p->value.on_host());
  }
  EXPECT_EQ(device.device().live_allocations(), 0U);
  // Batches went up; parameters moved twice, not once per step.
  EXPECT_GT(device.device().uploads(), 0);
}

}  // namespace
}  // namespace lathe
