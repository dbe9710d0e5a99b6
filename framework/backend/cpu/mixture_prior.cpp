// The weight-sharing mixture prior's per-weight loop (docs/methods.md M2) on the CPU.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"

namespace lathe {

MixturePriorSums CpuBackend::mixture_prior(std::int64_t n, const float* weights,
                                           std::span<const MixtureComponent> components,
                                           float* weight_grad) {
  const cpu::ThreadScope thread_scope(threads_);
  const std::size_t k = components.size();
  LATHE_CHECK(k >= 1, "cpu mixture_prior: no components");
  // Fixed blocks of weights, each summed on its own and the blocks then added in order:
  // the same result for any thread count (runs stay bit-reproducible).
  constexpr std::int64_t kBlock = 4096;
  const std::int64_t blocks = (n + kBlock - 1) / kBlock;
  // Per block: nll, then K mean, K log-variance and K responsibility sums.
  const std::size_t stride = 1 + 3 * k;
  std::vector<double> partial(static_cast<std::size_t>(blocks) * stride, 0.0);
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < blocks; ++b) {
    std::vector<double> joint(k);
    double* sums = partial.data() + static_cast<std::size_t>(b) * stride;
    const std::int64_t end = std::min(n, (b + 1) * kBlock);
    for (std::int64_t i = b * kBlock; i < end; ++i) {
      const double w = weights[i];
      double top = -std::numeric_limits<double>::infinity();
      for (std::size_t j = 0; j < k; ++j) {
        const double d = w - components[j].mean;
        joint[j] = components[j].offset - 0.5 * d * d * components[j].inverse_variance;
        top = std::max(top, joint[j]);
      }
      double sum = 0.0;
      for (std::size_t j = 0; j < k; ++j) {
        joint[j] = std::exp(joint[j] - top);
        sum += joint[j];
      }
      sums[0] -= top + std::log(sum);
      double d_weight = 0.0;
      for (std::size_t j = 0; j < k; ++j) {
        // r_ij: the posterior probability that w_i came from component j.
        const double r = joint[j] / sum;
        const double d = w - components[j].mean;
        const double scaled = d * components[j].inverse_variance;
        d_weight += r * scaled;
        sums[1 + j] -= r * scaled;
        sums[1 + k + j] += 0.5 * r * (1.0 - d * scaled);
        sums[1 + 2 * k + j] += r;
      }
      if (weight_grad != nullptr) weight_grad[i] = static_cast<float>(d_weight);
    }
  }
  MixturePriorSums total;
  total.mean_gradient.assign(k, 0.0);
  total.log_variance_gradient.assign(k, 0.0);
  total.responsibility.assign(k, 0.0);
  for (std::int64_t b = 0; b < blocks; ++b) {
    const double* sums = partial.data() + static_cast<std::size_t>(b) * stride;
    total.nll += sums[0];
    for (std::size_t j = 0; j < k; ++j) {
      total.mean_gradient[j] += sums[1 + j];
      total.log_variance_gradient[j] += sums[1 + k + j];
      total.responsibility[j] += sums[1 + 2 * k + j];
    }
  }
  return total;
}

}  // namespace lathe
