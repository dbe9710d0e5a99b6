// The integer inference path of quantised artifacts: a fake_quant feeding a conv2d
// (with its batchnorm folded and its ReLU, as nn/layers/fused_inference.h fuses them) or
// a linear layer (with its ReLU) runs as one oneDNN int8 primitive
// (backend/onednn/int8_convolution.h): the input rounded to the quantiser's u8 codes,
// the weights' s8 levels unpacked once from the artifact's packed tensor, s32
// accumulation, and the input scale x weight scale (x the batchnorm's scale) folded into
// per-output scales. Its outputs equal the simulated path's (fake_quant, then float
// kernels on the dequantised weights) up to float rounding of the sums.
//
// Where the path does not apply, make_integer_layer says why and the chain keeps the
// simulated path: a build without oneDNN (LATHE_WITH_ONEDNN off), a backend other than
// the CPU one, a layer without a calibrated quantiser in front (act_bits 0), weights not
// stored quantised (no artifact, a codebook) or on levels outside s8 (8-bit asymmetric
// weights), a folded scale of 0, or a CPU whose int8 kernels add products in saturating
// 16-bit sums (no VNNI or AMX: backend/onednn/int8_support.h).
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"
#include "io/checkpoint.h"
#include "nn/layers/fake_quant.h"
#include "nn/layers/fusable.h"
#include "tensor/tensor.h"

namespace lathe::nn {

class IntegerLayer {
 public:
  virtual ~IntegerLayer() = default;
  // The chain's output (conv: N x O x OH x OW, linear: N x out) for the quantiser's
  // input, resized as needed.
  virtual void forward(Backend& backend, const Tensor& input, Tensor& output) = 0;
  // The kernel oneDNN chose at this batch size (e.g. "brg:avx512_core_amx_int8").
  [[nodiscard]] virtual std::string implementation(const Backend& backend, int batch) = 0;
};

// One chain: the quantiser and exactly one of `convolution` and `linear`.
struct IntegerChain {
  const FakeQuant* quantizer = nullptr;
  const FusableConvolution* convolution = nullptr;
  const FusableLinear* linear = nullptr;
  const FoldableBatchNorm* norm = nullptr;  // conv only, or null
  bool relu = false;
};

// Why this machine runs no layer on integer kernels ("" when it does): a build without
// oneDNN, or a CPU without exact int8 sums.
std::string why_no_integer_kernels();

// The chain on integer kernels, or null with `why_not` said (see the header comment).
// `stored` is the layer's weight as the artifact stores it.
std::unique_ptr<IntegerLayer> make_integer_layer(const IntegerChain& chain,
                                                 const io::PackedTensor& stored,
                                                 const Backend& backend, std::string& why_not);

}  // namespace lathe::nn
