// A batchnorm at inference as a per-channel affine map y = x * scale + shift, with the
// float rounding of Backend::batchnorm_forward_inference: scale = gamma / sqrt(var + eps),
// shift = beta - mean * scale. Folding (fused_inference.h, integer_layer.h) uses it.
#pragma once

#include <vector>

#include "nn/layers/fusable.h"

namespace lathe::nn {

struct ChannelAffine {
  std::vector<float> scale;
  std::vector<float> shift;
};

ChannelAffine batchnorm_affine(const FoldableBatchNorm& norm);

}  // namespace lathe::nn
