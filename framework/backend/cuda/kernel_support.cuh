// What the hand-written kernels of backend/cuda/ share: the launch shape, the checks
// that turn a CUDA error into one lathe::Error naming the kernel, the deterministic
// block reductions, and the hand-over of per-block partials to the host. Private to the
// .cu files of this folder.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "backend/cuda/kernels.h"
#include "core/error.h"

namespace lathe::cuda {

inline constexpr int kThreadsPerBlock = 256;
// Grid-stride loops cover any length, so elementwise grids stop growing here: past a few
// blocks per SM more blocks only add scheduling.
inline constexpr std::int64_t kMaxElementwiseBlocks = 8192;
// gridDim.y's limit: a grid over rows walks the rest with a stride.
inline constexpr std::int64_t kMaxGridRows = 65535;
// Reducing kernels never use more blocks than this, so their partials stay small.
inline constexpr std::int64_t kMaxReductionBlocks = 1024;
// The scratch the backend always provides. Every reduction sizes its grid from n (and
// this constant), never from the scratch it happens to get, so a result does not depend
// on how far the backend's scratch has grown.
inline constexpr std::size_t kGuaranteedScratchBytes = std::size_t{64} * 1024;

inline int blocks_for(std::int64_t n, std::int64_t max_blocks = kMaxElementwiseBlocks) {
  const std::int64_t needed = (n + kThreadsPerBlock - 1) / kThreadsPerBlock;
  return static_cast<int>(std::clamp<std::int64_t>(needed, 1, max_blocks));
}

// A grid for a rows x cols matrix: y walks rows, x walks columns (both grid-stride).
inline dim3 row_grid(std::int64_t rows, std::int64_t cols) {
  return dim3(static_cast<unsigned>(blocks_for(cols)),
              static_cast<unsigned>(std::clamp<std::int64_t>(rows, 1, kMaxGridRows)));
}

// Launches are asynchronous: this catches a bad configuration at once; a fault inside
// the kernel surfaces at the next synchronising call.
inline void check_launch(const char* kernel) {
  const cudaError_t status = cudaGetLastError();
  if (status != cudaSuccess) {
    fail("cuda kernel ", kernel, ": launch failed: ", cudaGetErrorString(status));
  }
}

inline void check_cuda(cudaError_t status, const char* operation, const char* call) {
  if (status != cudaSuccess) fail("cuda ", operation, ": ", call, " failed: ", cudaGetErrorString(status));
}

inline void require_scratch(const ReductionScratch& scratch, std::size_t bytes, const char* operation) {
  LATHE_CHECK(scratch.device != nullptr && scratch.host != nullptr && scratch.bytes >= bytes, "cuda ",
              operation, ": needs ", bytes, " bytes of reduction scratch, the backend gave ",
              scratch.bytes, (scratch.device == nullptr || scratch.host == nullptr) ? " (unallocated)" : "");
}

// Brings the first `bytes` of the device scratch to its pinned host copy and waits for
// them (and so for every kernel before them on the stream).
inline void copy_partials_to_host(cudaStream_t stream, const ReductionScratch& scratch,
                                  std::size_t bytes, const char* operation) {
  check_cuda(cudaMemcpyAsync(scratch.host, scratch.device, bytes, cudaMemcpyDeviceToHost, stream),
             operation, "cudaMemcpyAsync of the partial results");
  check_cuda(cudaStreamSynchronize(stream), operation, "cudaStreamSynchronize");
}

__device__ inline std::int64_t first_thread_index() {
  return static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ inline std::int64_t thread_stride() {
  return static_cast<std::int64_t>(gridDim.x) * blockDim.x;
}

// Sum over the block's kThreadsPerBlock threads, every thread getting the result. A fixed
// tree over `shared` (kThreadsPerBlock values): the same inputs give the same bits on
// every run, unlike atomics.
template <class T>
__device__ T block_sum(T value, T* shared) {
  shared[threadIdx.x] = value;
  __syncthreads();
  for (int half = kThreadsPerBlock / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) shared[threadIdx.x] += shared[threadIdx.x + half];
    __syncthreads();
  }
  const T total = shared[0];
  __syncthreads();  // `shared` may be reused at once
  return total;
}

// Largest value over the block, NaNs ignored (fmax), every thread getting the result.
__device__ inline double block_max(double value, double* shared) {
  shared[threadIdx.x] = value;
  __syncthreads();
  for (int half = kThreadsPerBlock / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) {
      shared[threadIdx.x] = fmax(shared[threadIdx.x], shared[threadIdx.x + half]);
    }
    __syncthreads();
  }
  const double largest = shared[0];
  __syncthreads();
  return largest;
}

}  // namespace lathe::cuda
