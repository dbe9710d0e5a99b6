// The integer inference path of quantised artifacts: a fake_quant feeding a conv2d
// (with its batchnorm folded and its ReLU, as nn/layers/fused_inference.h fuses them) or
// a linear layer (with its ReLU) runs as one oneDNN int8 primitive
// (backend/onednn/int8_convolution.h): the input rounded to the quantiser's u8 codes,
// the weights' s8 levels unpacked once from the artifact's packed tensor, s32
// accumulation, and the input scale x weight scale (x the batchnorm's scale) folded into
// per-output scales. Its outputs equal the simulated path's (fake_quant, then float
// kernels on the dequantised weights) up to float rounding of the sums. Consecutive
// integer layers hand each other u8 codes instead of floats (integer_run.h).
//
// Where the path does not apply, prepare_integer_layer says why and the chain keeps the
// simulated path: a build without oneDNN (LATHE_WITH_ONEDNN off), a backend other than
// the CPU one, a layer without a calibrated quantiser in front (act_bits 0), weights not
// stored quantised (no artifact, a codebook) or on levels outside s8 (8-bit asymmetric
// weights), a folded scale of 0, a CPU without int8 kernels (before AVX2), or, on a CPU
// whose int8 kernels add pairs of products in saturating 16-bit sums (AVX2 or AVX-512
// without VNNI: backend/onednn/int8_support.h), levels large enough to clip a pair
// (8-bit weights against 8-bit codes; 7-bit weights or 7-bit activations fit).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "io/checkpoint.h"
#include "nn/layers/fake_quant.h"
#include "nn/layers/fusable.h"
#include "tensor/tensor.h"

namespace lathe::nn {

class IntegerLayer {
 public:
  virtual ~IntegerLayer() = default;
  // The output of the run's last chain (conv: N x O x OH x OW, linear: N x out) for the
  // first quantiser's input, resized as needed.
  virtual void forward(Backend& backend, const Tensor& input, Tensor& output) = 0;
  // The kernel oneDNN chose at this batch size for each conv2d or linear layer, in order
  // (e.g. "brg:avx512_core_amx_int8").
  [[nodiscard]] virtual std::vector<std::string> implementations(const Backend& backend, int batch) = 0;
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
// oneDNN, or a CPU without int8 kernels. (On one whose int8 sums saturate in pairs only
// the layers whose levels fit run on them: prepare_integer_layer says which.)
std::string why_no_integer_kernels();

// A chain checked for integer kernels, its weights read from the artifact and folded:
//   y[o] = relu?(scales[o] * sum levels[o] * (c - zero_point) + bias[o])
// with c the input's codes on `input_grid`.
struct PreparedIntegerLayer {
  IntegerChain chain;
  FakeQuantGrid input_grid;          // the quantiser's rounding, clamped to its range
  std::vector<std::int8_t> levels;   // O x (C x kh x kw) or out x in
  std::vector<float> scales;         // input scale x weight scale (x the batchnorm's scale)
  std::vector<float> bias;           // float units, the batchnorm folded
};

// The chain prepared, or nullopt with `why_not` said (see the header comment). `stored`
// is the layer's weight as the artifact stores it.
std::optional<PreparedIntegerLayer> prepare_integer_layer(const IntegerChain& chain,
                                                          const io::PackedTensor& stored,
                                                          const Backend& backend,
                                                          std::string& why_not);

}  // namespace lathe::nn
