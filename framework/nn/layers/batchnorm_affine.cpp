#include "nn/layers/batchnorm_affine.h"

#include <cmath>

namespace lathe::nn {

ChannelAffine batchnorm_affine(const FoldableBatchNorm& norm) {
  const FoldableBatchNorm::Statistics stats = norm.statistics();
  const std::vector<float> gamma = stats.gamma->to_host_vector();
  const std::vector<float> beta = stats.beta->to_host_vector();
  const std::vector<float> mean = stats.running_mean->to_host_vector();
  const std::vector<float> variance = stats.running_var->to_host_vector();
  ChannelAffine affine;
  affine.scale.resize(gamma.size());
  affine.shift.resize(gamma.size());
  for (std::size_t c = 0; c < gamma.size(); ++c) {
    affine.scale[c] = gamma[c] / std::sqrt(variance[c] + stats.epsilon);
    affine.shift[c] = beta[c] - mean[c] * affine.scale[c];
  }
  return affine;
}

}  // namespace lathe::nn
