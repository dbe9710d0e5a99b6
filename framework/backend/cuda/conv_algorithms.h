// Which cuDNN algorithm runs each convolution, chosen once per geometry and direction
// and remembered (a network has a handful of geometries; choosing costs milliseconds).
//
// Deterministic mode takes cuDNN's heuristic ranking (cudnnGet*Algorithm_v7): the same
// GPU and cuDNN always rank alike, so two runs pick the same algorithms, and only
// algorithms cuDNN reports as CUDNN_DETERMINISTIC qualify (not BackwardData ALGO_0 or
// BackwardFilter ALGO_0 / ALGO_3, which add with atomics). Otherwise cudnnFind*
// benchmarks every algorithm and the fastest wins; timing may pick differently from run
// to run, so results may differ in the last bits.
// Either way, tensor-core (TF32) entries are skipped: the results must stay FP32.
#pragma once

#include <cudnn.h>

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>

#include "backend/backend.h"

namespace lathe::cuda {

template <class Algorithm>
struct AlgorithmChoice {
  Algorithm algorithm;
  std::size_t workspace_bytes;
};

// The descriptors of one convolution, already set for its geometry.
struct ConvDescriptors {
  cudnnTensorDescriptor_t input;
  cudnnFilterDescriptor_t weight;
  cudnnConvolutionDescriptor_t convolution;
  cudnnTensorDescriptor_t output;
};

// Whether a workspace of this many bytes can be had (the backend tries to grow its own).
using WorkspaceFits = std::function<bool(std::size_t bytes)>;

class ConvAlgorithmCache {
 public:
  explicit ConvAlgorithmCache(bool deterministic) : deterministic_(deterministic) {}

  AlgorithmChoice<cudnnConvolutionFwdAlgo_t> forward(cudnnHandle_t handle, const Conv2dGeometry& g,
                                                     const ConvDescriptors& d,
                                                     const WorkspaceFits& fits);
  AlgorithmChoice<cudnnConvolutionBwdDataAlgo_t> backward_data(cudnnHandle_t handle,
                                                               const Conv2dGeometry& g,
                                                               const ConvDescriptors& d,
                                                               const WorkspaceFits& fits);
  AlgorithmChoice<cudnnConvolutionBwdFilterAlgo_t> backward_filter(cudnnHandle_t handle,
                                                                   const Conv2dGeometry& g,
                                                                   const ConvDescriptors& d,
                                                                   const WorkspaceFits& fits);

 private:
  using Key = std::array<int, 9>;  // every field of Conv2dGeometry
  struct Choices {
    std::optional<AlgorithmChoice<cudnnConvolutionFwdAlgo_t>> forward;
    std::optional<AlgorithmChoice<cudnnConvolutionBwdDataAlgo_t>> backward_data;
    std::optional<AlgorithmChoice<cudnnConvolutionBwdFilterAlgo_t>> backward_filter;
  };
  static Key key_of(const Conv2dGeometry& g);

  bool deterministic_;
  std::map<Key, Choices> choices_;
};

}  // namespace lathe::cuda
