// The weight-sharing mixture prior of the CUDA backend (docs/methods.md M2; backend.h's
// MixturePriorSums), per weight in double as compress/share/gaussian_mixture.cpp's
// mixture_negative_log_likelihood: log-sum-exp over the components with the max taken
// out, responsibilities r_ij = exp(joint_ij - top) / sum.
//
// Deterministic: the block count depends on n and the component count only; each block
// reduces its weights with fixed trees and fixed sequential sums into (1 + 3K) doubles
// of scratch ([nll, mean_gradient[K], log_variance_gradient[K], responsibility[K]]), the
// host adds the blocks in order. K <= 64 and the blocks are capped so that the partials
// fit the guaranteed 64 KiB: at most min(1024, 65536 / (8 (1 + 3K))) blocks (42 at K = 64,
// 157 at K = 17). Not bitwise equal to the CPU: the sums are grouped differently, and
// CUDA's double exp / log may differ from glibc's in the last bit; expect a relative
// difference around 1e-12 in the sums and an occasional 1-ulp difference in a float
// weight gradient.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "backend/cuda/kernel_support.cuh"
#include "backend/cuda/kernels.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {

using Index = std::int64_t;

constexpr int kMaxMixtureComponents = 64;

// log(pi_j N(w | mu_j, sigma_j^2)) = offset - 0.5 d^2 / sigma^2, rounded step by step as
// the CPU writes it ((0.5 * d) * d) * inverse_variance), never fused: both passes below
// must see the very same value.
__device__ double log_joint(double d, double offset, double inverse_variance) {
  return __dsub_rn(offset, __dmul_rn(__dmul_rn(__dmul_rn(0.5, d), d), inverse_variance));
}

// Threads [j * per_component, (j + 1) * per_component) own component j's three sums.
__global__ void mixture_prior_kernel(Index n, const float* weights,
                                     const MixtureComponent* components, int count,
                                     float* weight_grad, double* partials) {
  __shared__ double mean[kMaxMixtureComponents];
  __shared__ double inverse_variance[kMaxMixtureComponents];
  __shared__ double offset[kMaxMixtureComponents];
  // One tile of weights with each one's log-sum-exp parts; reused for the final sums.
  __shared__ double tile_weight[kThreadsPerBlock];
  __shared__ double tile_top[kThreadsPerBlock];
  __shared__ double tile_sum[kThreadsPerBlock];
  __shared__ double shared_nll[kThreadsPerBlock];

  const int tid = static_cast<int>(threadIdx.x);
  if (tid < count) {
    mean[tid] = components[tid].mean;
    inverse_variance[tid] = components[tid].inverse_variance;
    offset[tid] = components[tid].offset;
  }
  __syncthreads();

  const int per_component = kThreadsPerBlock / count;
  const int component = tid / per_component;
  const int lane = tid % per_component;
  const bool owns_component = component < count;
  double nll = 0.0;
  double mean_gradient = 0.0;
  double log_variance_gradient = 0.0;
  double responsibility = 0.0;

  const Index tile_stride = static_cast<Index>(gridDim.x) * kThreadsPerBlock;
  for (Index tile_begin = static_cast<Index>(blockIdx.x) * kThreadsPerBlock; tile_begin < n;
       tile_begin += tile_stride) {
    // Pass 1, a thread per weight: its log-sum-exp and its own gradient.
    const Index i = tile_begin + tid;
    if (i < n) {
      const double w = weights[i];
      double top = -INFINITY;
      for (int j = 0; j < count; ++j) {
        const double joint = log_joint(w - mean[j], offset[j], inverse_variance[j]);
        top = top < joint ? joint : top;  // std::max(top, joint)
      }
      double sum = 0.0;
      for (int j = 0; j < count; ++j) sum += exp(log_joint(w - mean[j], offset[j], inverse_variance[j]) - top);
      nll -= top + log(sum);
      if (weight_grad != nullptr) {
        double d_weight = 0.0;
        for (int j = 0; j < count; ++j) {
          const double d = w - mean[j];
          const double r = exp(log_joint(d, offset[j], inverse_variance[j]) - top) / sum;
          d_weight += r * (d * inverse_variance[j]);
        }
        weight_grad[i] = static_cast<float>(d_weight);
      }
      tile_weight[tid] = w;
      tile_top[tid] = top;
      tile_sum[tid] = sum;
    }
    __syncthreads();
    // Pass 2, threads per component: that component's sums over the tile.
    const int tile_length = static_cast<int>(min(static_cast<Index>(kThreadsPerBlock), n - tile_begin));
    if (owns_component) {
      for (int t = lane; t < tile_length; t += per_component) {
        const double d = tile_weight[t] - mean[component];
        const double r =
            exp(log_joint(d, offset[component], inverse_variance[component]) - tile_top[t]) / tile_sum[t];
        const double scaled = d * inverse_variance[component];
        mean_gradient -= r * scaled;
        log_variance_gradient += 0.5 * r * (1.0 - d * scaled);
        responsibility += r;
      }
    }
    __syncthreads();
  }

  double* block_partials = partials + static_cast<Index>(blockIdx.x) * (1 + 3 * count);
  const double block_nll = block_sum(nll, shared_nll);
  if (tid == 0) block_partials[0] = block_nll;
  // Each component's lanes are added in lane order by its first lane.
  tile_weight[tid] = mean_gradient;
  tile_top[tid] = log_variance_gradient;
  tile_sum[tid] = responsibility;
  __syncthreads();
  if (owns_component && lane == 0) {
    double mean_total = 0.0;
    double log_variance_total = 0.0;
    double responsibility_total = 0.0;
    for (int l = 0; l < per_component; ++l) {
      mean_total += tile_weight[tid + l];
      log_variance_total += tile_top[tid + l];
      responsibility_total += tile_sum[tid + l];
    }
    block_partials[1 + component] = mean_total;
    block_partials[1 + count + component] = log_variance_total;
    block_partials[1 + 2 * count + component] = responsibility_total;
  }
}

}  // namespace

MixturePriorSums mixture_prior(cudaStream_t stream, const ReductionScratch& scratch, Index n,
                               const float* weights, const MixtureComponent* device_components,
                               int count, float* weight_grad) {
  LATHE_CHECK(count >= 1 && count <= kMaxMixtureComponents, "cuda mixture_prior: ", count,
              " components, expected 1 to ", kMaxMixtureComponents);
  LATHE_CHECK(n >= 0 && device_components != nullptr, "cuda mixture_prior: invalid ", n,
              " weights or no components");
  const auto components = static_cast<std::size_t>(count);
  MixturePriorSums sums;
  sums.mean_gradient.assign(components, 0.0);
  sums.log_variance_gradient.assign(components, 0.0);
  sums.responsibility.assign(components, 0.0);
  if (n == 0) return sums;

  const std::size_t block_bytes = sizeof(double) * (1 + 3 * components);
  const Index max_blocks = std::min<Index>(kMaxReductionBlocks, static_cast<Index>(kGuaranteedScratchBytes / block_bytes));
  const int blocks = blocks_for(n, max_blocks);
  const std::size_t bytes = block_bytes * static_cast<std::size_t>(blocks);
  require_scratch(scratch, bytes, "mixture_prior");
  mixture_prior_kernel<<<blocks, kThreadsPerBlock, 0, stream>>>(
      n, weights, device_components, count, weight_grad, static_cast<double*>(scratch.device));
  check_launch("mixture_prior");
  copy_partials_to_host(stream, scratch, bytes, "mixture_prior");

  const auto* partials = static_cast<const double*>(scratch.host);
  for (int block = 0; block < blocks; ++block) {
    const double* block_partials = partials + static_cast<std::size_t>(block) * (1 + 3 * components);
    sums.nll += block_partials[0];
    for (std::size_t j = 0; j < components; ++j) {
      sums.mean_gradient[j] += block_partials[1 + j];
      sums.log_variance_gradient[j] += block_partials[1 + components + j];
      sums.responsibility[j] += block_partials[1 + 2 * components + j];
    }
  }
  return sums;
}

}  // namespace lathe::cuda
