// One quantised linear layer at inference on oneDNN's int8 inner product: the same
// computation as Int8Convolution (int8_convolution.h) for y = x W^T + b, with the input
// rounded to u8 codes in place of its fake_quant and an optional ReLU post-op, or read
// and written as codes in a chain (Int8Links).
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"
#include "backend/onednn/int8_convolution.h"

namespace lathe::onednn {

class Int8InnerProduct {
 public:
  // levels: out x in (PyTorch's layout).
  Int8InnerProduct(int in_features, int out_features, const FakeQuantGrid& input_grid,
                   Int8LayerWeights weights, Int8Links links = {});
  ~Int8InnerProduct();
  Int8InnerProduct(const Int8InnerProduct&) = delete;
  Int8InnerProduct& operator=(const Int8InnerProduct&) = delete;

  // x: batch x in floats (links.codes_in: u8 codes); y: batch x out floats
  // (links.codes_out: u8 codes).
  void forward(int batch, const void* x, void* y, int threads);
  [[nodiscard]] std::string implementation(int batch, int threads);

 private:
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace lathe::onednn
