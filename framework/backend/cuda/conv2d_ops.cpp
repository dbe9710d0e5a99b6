// Convolution by cuDNN (legacy API): NCHW float tensors, cross-correlation, FP32 FMA math,
// one algorithm per geometry and direction (conv_algorithms.h) and one workspace buffer
// grown to the largest an algorithm asked for.
#include <cstdint>

#include "backend/cuda/cuda_backend.h"
#include "backend/cuda/cuda_check.h"
#include "backend/geometry_checks.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {


constexpr float kOne = 1.0F;
constexpr float kZero = 0.0F;

}  // namespace

ConvDescriptors CudaBackend::set_conv_descriptors(const Conv2dGeometry& g, const char* operation) {
  set_nchw(input_descriptor_.get(), g.batch, g.in_channels, g.in_height, g.in_width, operation);
  set_nchw(output_descriptor_.get(), g.batch, g.out_channels, g.out_height(), g.out_width(),
           operation);
  set_filter(filter_descriptor_.get(), g.out_channels, g.in_channels, g.kernel_height,
             g.kernel_width, operation);
  set_convolution(convolution_descriptor_.get(), g.padding, g.stride, operation);
  return {input_descriptor_.get(), filter_descriptor_.get(), convolution_descriptor_.get(),
          output_descriptor_.get()};
}

void CudaBackend::conv2d_forward(const Conv2dGeometry& g, const float* input, const float* weight,
                                 const float* bias, float* output) {
  constexpr const char* kOperation = "conv2d forward";
  check_conv2d_geometry(g, "cuda");
  if (g.batch == 0) return;
  use_device();
  const ConvDescriptors d = set_conv_descriptors(g, kOperation);
  const auto choice = conv_algorithms_.forward(
      cudnn_.get(), g, d, [this](std::size_t bytes) { return reserve_workspace(bytes); });
  LATHE_CHECK(reserve_workspace(choice.workspace_bytes), "cuda ", kOperation, ": no room for a ",
              choice.workspace_bytes, "-byte cuDNN workspace");
  cudnn_check(cudnnConvolutionForward(cudnn_.get(), &kOne, d.input, input, d.weight, weight,
                                      d.convolution, choice.algorithm, workspace_.data(),
                                      choice.workspace_bytes, &kZero, d.output, output),
              "cudnnConvolutionForward", kOperation);
  if (bias != nullptr) {
    set_nchw(channel_descriptor_.get(), 1, g.out_channels, 1, 1, kOperation);
    // output += bias, broadcast over the batch and positions.
    cudnn_check(cudnnAddTensor(cudnn_.get(), &kOne, channel_descriptor_.get(), bias, &kOne,
                               d.output, output),
                "cudnnAddTensor", kOperation);
  }
}

void CudaBackend::conv2d_backward_data(const Conv2dGeometry& g, const float* grad_output,
                                       const float* weight, float* grad_input) {
  constexpr const char* kOperation = "conv2d backward data";
  check_conv2d_geometry(g, "cuda");
  if (g.batch == 0) return;
  use_device();
  const ConvDescriptors d = set_conv_descriptors(g, kOperation);
  const auto choice = conv_algorithms_.backward_data(
      cudnn_.get(), g, d, [this](std::size_t bytes) { return reserve_workspace(bytes); });
  LATHE_CHECK(reserve_workspace(choice.workspace_bytes), "cuda ", kOperation, ": no room for a ",
              choice.workspace_bytes, "-byte cuDNN workspace");
  cudnn_check(
      cudnnConvolutionBackwardData(cudnn_.get(), &kOne, d.weight, weight, d.output, grad_output,
                                   d.convolution, choice.algorithm, workspace_.data(),
                                   choice.workspace_bytes, &kZero, d.input, grad_input),
      "cudnnConvolutionBackwardData", kOperation);
}

void CudaBackend::conv2d_backward_filter(const Conv2dGeometry& g, const float* input,
                                         const float* grad_output, float* grad_weight,
                                         float* grad_bias, bool accumulate) {
  constexpr const char* kOperation = "conv2d backward filter";
  check_conv2d_geometry(g, "cuda");
  use_device();
  if (g.batch == 0) {  // an empty sum: zeros, or the accumulated values as they are
    if (!accumulate) {
      const std::int64_t weights =
          std::int64_t{g.out_channels} * g.in_channels * g.kernel_height * g.kernel_width;
      launch_fill(stream_.get(), weights, 0.0F, grad_weight);
      if (grad_bias != nullptr) launch_fill(stream_.get(), g.out_channels, 0.0F, grad_bias);
    }
    return;
  }
  // beta = 1 adds to what the gradients hold, beta = 0 overwrites them unread.
  const float beta = accumulate ? 1.0F : 0.0F;
  const ConvDescriptors d = set_conv_descriptors(g, kOperation);
  const auto choice = conv_algorithms_.backward_filter(
      cudnn_.get(), g, d, [this](std::size_t bytes) { return reserve_workspace(bytes); });
  LATHE_CHECK(reserve_workspace(choice.workspace_bytes), "cuda ", kOperation, ": no room for a ",
              choice.workspace_bytes, "-byte cuDNN workspace");
  cudnn_check(
      cudnnConvolutionBackwardFilter(cudnn_.get(), &kOne, d.input, input, d.output, grad_output,
                                     d.convolution, choice.algorithm, workspace_.data(),
                                     choice.workspace_bytes, &beta, d.weight, grad_weight),
      "cudnnConvolutionBackwardFilter", kOperation);
  if (grad_bias != nullptr) {
    set_nchw(channel_descriptor_.get(), 1, g.out_channels, 1, 1, kOperation);
    // Sums the output gradient over the batch and positions per channel. Not among the
    // routines cuDNN's reproducibility notes name as non-deterministic.
    cudnn_check(cudnnConvolutionBackwardBias(cudnn_.get(), &kOne, d.output, grad_output, &beta,
                                             channel_descriptor_.get(), grad_bias),
                "cudnnConvolutionBackwardBias", kOperation);
  }
}

}  // namespace lathe::cuda
