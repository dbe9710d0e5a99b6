// The CPU backend's fused linear layers at inference: y = max(0, x W^T + b) as one
// oneDNN inner product with a ReLU post-op (Backend::linear_forward_relu), cached per
// shape and thread count like the convolutions (onednn_convolutions.h).
#pragma once

#include <memory>

namespace lathe::onednn {

class InnerProducts {
 public:
  InnerProducts();
  ~InnerProducts();
  InnerProducts(const InnerProducts&) = delete;
  InnerProducts& operator=(const InnerProducts&) = delete;

  // x [batch x in], weight [out x in] (PyTorch's layout), bias [out] or null, y [batch x out].
  void forward_relu(int batch, int in_features, int out_features, const float* x,
                    const float* weight, const float* bias, float* y, int threads);

 private:
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace lathe::onednn
