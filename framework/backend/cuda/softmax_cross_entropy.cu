// Mean softmax cross-entropy of the CUDA backend: one block per row (grid-stride over
// rows), the CPU backend's formula: shift by the row's max, loss = log(sum exp(z - shift))
// - (z_label - shift) in float, rows added in double; gradient (softmax - onehot) / batch.
//
// Deterministic: each block adds its rows' losses and correct counts in row order into
// its own partial, the host adds the partials in block order; the block count depends on
// the batch only (<= 1024 blocks of 24 bytes: 24 KiB of scratch at most).
// Against the CPU: the argmax (so the correct count) is bitwise equal, with the CPU's
// rule: the first index of the largest value, NaNs never taken unless z[0] is NaN (then
// 0). The loss and gradient are within a few float ulps, not bitwise: CUDA's expf/logf
// (<= 2 ulp) are not glibc's, and the exp sum is a tree, not a left-to-right loop.
// A label outside [0, classes) throws (naming the lowest such row) after the kernel ran;
// grad_logits then holds the other rows' gradients and *host_correct is left alone.
#include <climits>
#include <cmath>
#include <cstdint>

#include "backend/cuda/kernel_support.cuh"
#include "backend/cuda/kernels.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {

using Index = std::int64_t;

struct LossPartial {
  double loss_sum;
  int correct;
  int first_bad_row;  // INT_MAX when every label of the block's rows was in range
  int bad_label;
};
static_assert(sizeof(LossPartial) == 24, "the scratch bound in the header comment assumes 24 bytes");

// The best (value, index) of a row so far; `index < 0` means none yet (a NaN is never
// kept, so it never becomes the best).
struct Best {
  float value;
  int index;
};

__device__ Best better_of(Best a, Best b) {
  if (a.index < 0) return b;
  if (b.index < 0) return a;
  if (a.value > b.value) return a;
  if (b.value > a.value) return b;
  return a.index < b.index ? a : b;
}

__device__ int row_argmax(const float* z, int classes, Best* shared) {
  Best best{0.0F, -1};
  for (int k = static_cast<int>(threadIdx.x); k < classes; k += blockDim.x) {
    if (!isnan(z[k])) best = better_of(best, Best{z[k], k});
  }
  shared[threadIdx.x] = best;
  __syncthreads();
  for (int half = kThreadsPerBlock / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) {
      shared[threadIdx.x] = better_of(shared[threadIdx.x], shared[threadIdx.x + half]);
    }
    __syncthreads();
  }
  const int index = shared[0].index;
  __syncthreads();
  // The CPU starts at 0 and moves only to a strictly larger value: a NaN z[0] stays.
  return isnan(z[0]) || index < 0 ? 0 : index;
}

__global__ void softmax_cross_entropy_kernel(int batch, int classes, const float* logits,
                                             const std::int32_t* labels, float* grad_logits,
                                             LossPartial* partials) {
  __shared__ Best shared_best[kThreadsPerBlock];
  __shared__ float shared_sum[kThreadsPerBlock];
  const float inverse_batch = __fdiv_rn(1.0F, static_cast<float>(batch));
  double loss_sum = 0.0;
  int correct = 0;
  int first_bad_row = INT_MAX;
  int bad_label = 0;
  for (int row = static_cast<int>(blockIdx.x); row < batch; row += static_cast<int>(gridDim.x)) {
    const int label = labels[row];
    if (label < 0 || label >= classes) {
      // Rows rise within a block, so the first one recorded is the block's lowest.
      if (first_bad_row == INT_MAX) {
        first_bad_row = row;
        bad_label = label;
      }
      continue;
    }
    const float* z = logits + static_cast<Index>(row) * classes;
    const int best = row_argmax(z, classes, shared_best);
    const float shift = z[best];
    float partial_exp_sum = 0.0F;
    for (int k = static_cast<int>(threadIdx.x); k < classes; k += blockDim.x) {
      partial_exp_sum += expf(z[k] - shift);
    }
    const float exp_sum = block_sum(partial_exp_sum, shared_sum);
    // Both terms stay small, so no precision is lost to a large shift.
    loss_sum += static_cast<double>(logf(exp_sum) - (z[label] - shift));
    correct += best == label ? 1 : 0;
    if (grad_logits != nullptr) {
      float* grad = grad_logits + static_cast<Index>(row) * classes;
      const float inverse_sum = __fdiv_rn(inverse_batch, exp_sum);
      for (int k = static_cast<int>(threadIdx.x); k < classes; k += blockDim.x) {
        const float share = __fmul_rn(expf(z[k] - shift), inverse_sum);
        grad[k] = k == label ? __fsub_rn(share, inverse_batch) : share;
      }
    }
  }
  if (threadIdx.x == 0) partials[blockIdx.x] = LossPartial{loss_sum, correct, first_bad_row, bad_label};
}

}  // namespace

float softmax_cross_entropy(cudaStream_t stream, const ReductionScratch& scratch, int batch,
                            int classes, const float* logits, const std::int32_t* labels,
                            float* grad_logits, int* host_correct) {
  LATHE_CHECK(batch > 0 && classes > 0, "cuda softmax_cross_entropy: invalid batch ", batch,
              " x classes ", classes);
  const int blocks = static_cast<int>(std::min<Index>(batch, kMaxReductionBlocks));
  const std::size_t bytes = sizeof(LossPartial) * static_cast<std::size_t>(blocks);
  require_scratch(scratch, bytes, "softmax_cross_entropy");
  auto* device_partials = static_cast<LossPartial*>(scratch.device);
  softmax_cross_entropy_kernel<<<blocks, kThreadsPerBlock, 0, stream>>>(
      batch, classes, logits, labels, grad_logits, device_partials);
  check_launch("softmax_cross_entropy");
  copy_partials_to_host(stream, scratch, bytes, "softmax_cross_entropy");

  const auto* partials = static_cast<const LossPartial*>(scratch.host);
  double loss_sum = 0.0;
  int correct = 0;
  int first_bad_row = INT_MAX;
  int bad_label = 0;
  for (int block = 0; block < blocks; ++block) {
    loss_sum += partials[block].loss_sum;
    correct += partials[block].correct;
    if (partials[block].first_bad_row < first_bad_row) {
      first_bad_row = partials[block].first_bad_row;
      bad_label = partials[block].bad_label;
    }
  }
  LATHE_CHECK(first_bad_row == INT_MAX, "cuda softmax_cross_entropy: label ", bad_label,
              " of batch row ", first_bad_row, " is outside [0, ", classes, ")");
  if (host_correct != nullptr) *host_correct += correct;
  return static_cast<float>(loss_sum / batch);
}

}  // namespace lathe::cuda
