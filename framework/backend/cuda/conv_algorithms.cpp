#include "backend/cuda/conv_algorithms.h"

#include <vector>

#include "backend/cuda/cuda_check.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {

// cuDNN fills `perf` with up to its algorithm count of entries, ranked (Get: by its
// heuristics; Find: by measured time), through `rank(requested, &returned, perf)`.
// Returns the first entry that ran, is full FP32, is deterministic when asked, and
// whose workspace (asked again per algorithm: the ranking's figure has been wrong in
// some cuDNN versions) can be had.
template <class Perf, class Rank, class WorkspaceSize>
auto first_usable(int algorithm_count, Rank&& rank, WorkspaceSize&& workspace_size,
                  bool deterministic, const WorkspaceFits& fits, const char* call,
                  const char* operation) -> std::optional<AlgorithmChoice<decltype(Perf::algo)>> {
  std::vector<Perf> ranked(static_cast<std::size_t>(algorithm_count));
  int returned = 0;
  cudnn_check(rank(algorithm_count, &returned, ranked.data()), call, operation);
  for (int i = 0; i < returned; ++i) {
    const Perf& perf = ranked[static_cast<std::size_t>(i)];
    if (perf.status != CUDNN_STATUS_SUCCESS) continue;
    if (deterministic && perf.determinism != CUDNN_DETERMINISTIC) continue;
    // FMA_MATH is what the descriptor allows; anything else (tensor-op math) would round
    // FP32 operands to TF32.
    if (perf.mathType != CUDNN_FMA_MATH) continue;
    std::size_t bytes = 0;
    if (workspace_size(perf.algo, &bytes) != CUDNN_STATUS_SUCCESS) continue;
    if (!fits(bytes)) continue;
    return AlgorithmChoice<decltype(Perf::algo)>{perf.algo, bytes};
  }
  return std::nullopt;
}

[[noreturn]] void no_algorithm(const Conv2dGeometry& g, bool deterministic, const char* operation) {
  fail("cuda ", operation, ": cuDNN offers no usable ", deterministic ? "deterministic " : "",
       "FP32 algorithm whose workspace fits in GPU memory for batch ", g.batch, ", ", g.in_channels,
       "x", g.in_height, "x", g.in_width, " input, ", g.out_channels, " outputs, ", g.kernel_height,
       "x", g.kernel_width, " kernel, stride ", g.stride, ", padding ", g.padding);
}

}  // namespace

ConvAlgorithmCache::Key ConvAlgorithmCache::key_of(const Conv2dGeometry& g) {
  return {g.batch,         g.in_channels,  g.in_height, g.in_width, g.out_channels,
          g.kernel_height, g.kernel_width, g.stride,    g.padding};
}

AlgorithmChoice<cudnnConvolutionFwdAlgo_t> ConvAlgorithmCache::forward(cudnnHandle_t handle,
                                                                       const Conv2dGeometry& g,
                                                                       const ConvDescriptors& d,
                                                                       const WorkspaceFits& fits) {
  constexpr const char* kOperation = "conv2d forward";
  auto& choice = choices_[key_of(g)].forward;
  if (choice) return *choice;
  int count = 0;
  cudnn_check(cudnnGetConvolutionForwardAlgorithmMaxCount(handle, &count),
              "cudnnGetConvolutionForwardAlgorithmMaxCount", kOperation);
  const auto rank = [&](int requested, int* returned, cudnnConvolutionFwdAlgoPerf_t* perf) {
    return deterministic_
               ? cudnnGetConvolutionForwardAlgorithm_v7(handle, d.input, d.weight, d.convolution,
                                                        d.output, requested, returned, perf)
               : cudnnFindConvolutionForwardAlgorithm(handle, d.input, d.weight, d.convolution,
                                                      d.output, requested, returned, perf);
  };
  const auto workspace_size = [&](cudnnConvolutionFwdAlgo_t algorithm, std::size_t* bytes) {
    return cudnnGetConvolutionForwardWorkspaceSize(handle, d.input, d.weight, d.convolution,
                                                   d.output, algorithm, bytes);
  };
  choice = first_usable<cudnnConvolutionFwdAlgoPerf_t>(
      count, rank, workspace_size, deterministic_, fits,
      deterministic_ ? "cudnnGetConvolutionForwardAlgorithm_v7"
                     : "cudnnFindConvolutionForwardAlgorithm",
      kOperation);
  if (!choice) no_algorithm(g, deterministic_, kOperation);
  return *choice;
}

AlgorithmChoice<cudnnConvolutionBwdDataAlgo_t> ConvAlgorithmCache::backward_data(
    cudnnHandle_t handle, const Conv2dGeometry& g, const ConvDescriptors& d,
    const WorkspaceFits& fits) {
  constexpr const char* kOperation = "conv2d backward data";
  auto& choice = choices_[key_of(g)].backward_data;
  if (choice) return *choice;
  int count = 0;
  cudnn_check(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(handle, &count),
              "cudnnGetConvolutionBackwardDataAlgorithmMaxCount", kOperation);
  // Backward data: the weights and output gradient in, the input gradient out.
  const auto rank = [&](int requested, int* returned, cudnnConvolutionBwdDataAlgoPerf_t* perf) {
    return deterministic_
               ? cudnnGetConvolutionBackwardDataAlgorithm_v7(
                     handle, d.weight, d.output, d.convolution, d.input, requested, returned, perf)
               : cudnnFindConvolutionBackwardDataAlgorithm(
                     handle, d.weight, d.output, d.convolution, d.input, requested, returned, perf);
  };
  const auto workspace_size = [&](cudnnConvolutionBwdDataAlgo_t algorithm, std::size_t* bytes) {
    return cudnnGetConvolutionBackwardDataWorkspaceSize(handle, d.weight, d.output, d.convolution,
                                                        d.input, algorithm, bytes);
  };
  choice = first_usable<cudnnConvolutionBwdDataAlgoPerf_t>(
      count, rank, workspace_size, deterministic_, fits,
      deterministic_ ? "cudnnGetConvolutionBackwardDataAlgorithm_v7"
                     : "cudnnFindConvolutionBackwardDataAlgorithm",
      kOperation);
  if (!choice) no_algorithm(g, deterministic_, kOperation);
  return *choice;
}

AlgorithmChoice<cudnnConvolutionBwdFilterAlgo_t> ConvAlgorithmCache::backward_filter(
    cudnnHandle_t handle, const Conv2dGeometry& g, const ConvDescriptors& d,
    const WorkspaceFits& fits) {
  constexpr const char* kOperation = "conv2d backward filter";
  auto& choice = choices_[key_of(g)].backward_filter;
  if (choice) return *choice;
  int count = 0;
  cudnn_check(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(handle, &count),
              "cudnnGetConvolutionBackwardFilterAlgorithmMaxCount", kOperation);
  // Backward filter: the input and output gradient in, the weight gradient out.
  const auto rank = [&](int requested, int* returned, cudnnConvolutionBwdFilterAlgoPerf_t* perf) {
    return deterministic_
               ? cudnnGetConvolutionBackwardFilterAlgorithm_v7(
                     handle, d.input, d.output, d.convolution, d.weight, requested, returned, perf)
               : cudnnFindConvolutionBackwardFilterAlgorithm(
                     handle, d.input, d.output, d.convolution, d.weight, requested, returned, perf);
  };
  const auto workspace_size = [&](cudnnConvolutionBwdFilterAlgo_t algorithm, std::size_t* bytes) {
    return cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, d.input, d.output, d.convolution,
                                                          d.weight, algorithm, bytes);
  };
  choice = first_usable<cudnnConvolutionBwdFilterAlgoPerf_t>(
      count, rank, workspace_size, deterministic_, fits,
      deterministic_ ? "cudnnGetConvolutionBackwardFilterAlgorithm_v7"
                     : "cudnnFindConvolutionBackwardFilterAlgorithm",
      kOperation);
  if (!choice) no_algorithm(g, deterministic_, kOperation);
  return *choice;
}

}  // namespace lathe::cuda
