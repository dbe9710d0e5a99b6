// Logit distillation of the CUDA backend: per row p = softmax(student / T) and
// q = softmax(teacher / T) as log-softmax in double (compress/distill/
// logit_distillation.cpp's log_softmax), KL(q || p) = sum_k q_k (log q_k - log p_k), and
// when asked the gradient update grad = keep_scale * grad + soft_scale * (p - q) in place.
//
// Deterministic: one block per row (grid-stride over rows, at most 1024 blocks), fixed
// reduction trees, each block adding its rows' KL in row order into one double of
// scratch (8 KiB at most); the host adds the blocks in order. Not bitwise equal to the
// CPU: the sums over classes are trees, not left-to-right loops, and CUDA's double exp /
// log may differ from glibc's in the last bit; expect a relative difference around 1e-14
// in the KL and at most 1 float ulp, rarely, in the gradient.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "backend/cuda/kernel_support.cuh"
#include "backend/cuda/kernels.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {

using Index = std::int64_t;

// log(sum_k exp(row_k / T)) over the block, the max taken out first.
__device__ double log_sum_exp(const float* row, int classes, double temperature, double* shared) {
  double largest = -INFINITY;
  for (int k = static_cast<int>(threadIdx.x); k < classes; k += blockDim.x) {
    largest = fmax(largest, row[k] / temperature);
  }
  largest = block_max(largest, shared);
  double sum = 0.0;
  for (int k = static_cast<int>(threadIdx.x); k < classes; k += blockDim.x) {
    sum += exp(row[k] / temperature - largest);
  }
  return largest + log(block_sum(sum, shared));
}

__global__ void distillation_kl_kernel(int batch, int classes, const float* student,
                                       const float* teacher, double temperature, double keep_scale,
                                       double soft_scale, float* grad_logits, double* partials) {
  __shared__ double shared[kThreadsPerBlock];
  double kl_sum = 0.0;
  for (int row = static_cast<int>(blockIdx.x); row < batch; row += static_cast<int>(gridDim.x)) {
    const Index offset = static_cast<Index>(row) * classes;
    const float* s = student + offset;
    const float* t = teacher + offset;
    const double student_log_sum = log_sum_exp(s, classes, temperature, shared);
    const double teacher_log_sum = log_sum_exp(t, classes, temperature, shared);
    double kl = 0.0;
    for (int k = static_cast<int>(threadIdx.x); k < classes; k += blockDim.x) {
      const double log_p = s[k] / temperature - student_log_sum;
      const double log_q = t[k] / temperature - teacher_log_sum;
      const double q = exp(log_q);
      kl += q * (log_q - log_p);
      if (grad_logits != nullptr) {
        float& grad = grad_logits[offset + k];
        grad = static_cast<float>(keep_scale * grad + soft_scale * (exp(log_p) - q));
      }
    }
    kl_sum += block_sum(kl, shared);
  }
  if (threadIdx.x == 0) partials[blockIdx.x] = kl_sum;
}

}  // namespace

double distillation_kl(cudaStream_t stream, const ReductionScratch& scratch, int batch, int classes,
                       const float* student, const float* teacher, float temperature,
                       float keep_scale, float soft_scale, float* grad_logits) {
  LATHE_CHECK(batch > 0 && classes > 0, "cuda distillation_kl: invalid batch ", batch, " x classes ",
              classes);
  LATHE_CHECK(temperature > 0.0F && std::isfinite(temperature),
              "cuda distillation_kl: temperature must be a positive number, found ", temperature);
  const int blocks = static_cast<int>(std::min<Index>(batch, kMaxReductionBlocks));
  const std::size_t bytes = sizeof(double) * static_cast<std::size_t>(blocks);
  require_scratch(scratch, bytes, "distillation_kl");
  distillation_kl_kernel<<<blocks, kThreadsPerBlock, 0, stream>>>(
      batch, classes, student, teacher, temperature, keep_scale, soft_scale, grad_logits,
      static_cast<double*>(scratch.device));
  check_launch("distillation_kl");
  copy_partials_to_host(stream, scratch, bytes, "distillation_kl");
  const auto* partials = static_cast<const double*>(scratch.host);
  double total = 0.0;
  for (int block = 0; block < blocks; ++block) total += partials[block];
  return total / static_cast<double>(batch);
}

}  // namespace lathe::cuda
