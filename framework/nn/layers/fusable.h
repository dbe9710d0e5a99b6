// What inference fusion (nn/layers/fused_inference.h) reads from the layers it folds into
// one convolution or inner product: a conv2d's geometry and parameters, a linear layer's,
// a batchnorm's running statistics; and a max pooling's window, which chained integer
// layers (integer_run.h) run on codes.
// The layers stay private to their files; these two views are all fusion sees.
#pragma once

#include "backend/backend.h"
#include "tensor/tensor.h"

namespace lathe::nn {

class FusableConvolution {
 public:
  virtual ~FusableConvolution() = default;
  // Batch 0: the caller sets it per batch.
  [[nodiscard]] virtual Conv2dGeometry convolution_geometry() const = 0;
  [[nodiscard]] virtual const Tensor& convolution_weight() const = 0;  // O x C x kh x kw
  [[nodiscard]] virtual const Tensor* convolution_bias() const = 0;    // O, or null
};

class FusableLinear {
 public:
  virtual ~FusableLinear() = default;
  [[nodiscard]] virtual int in_features() const = 0;
  [[nodiscard]] virtual int out_features() const = 0;
  [[nodiscard]] virtual const Tensor& linear_weight() const = 0;  // out x in
  [[nodiscard]] virtual const Tensor* linear_bias() const = 0;    // out, or null
};

class FusableMaxPool {
 public:
  virtual ~FusableMaxPool() = default;
  // Batch 0: the caller sets it per batch.
  [[nodiscard]] virtual Pool2dGeometry max_pool_geometry() const = 0;
};

class FoldableBatchNorm {
 public:
  virtual ~FoldableBatchNorm() = default;
  struct Statistics {
    const Tensor* gamma;
    const Tensor* beta;
    const Tensor* running_mean;
    const Tensor* running_var;
    float epsilon;
  };
  // Whether it normalises images (per channel over H x W), the kind a convolution feeds.
  [[nodiscard]] virtual bool normalises_images() const = 0;
  [[nodiscard]] virtual Statistics statistics() const = 0;
};

}  // namespace lathe::nn
