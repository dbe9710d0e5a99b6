// One quantised conv2d layer at inference on oneDNN's int8 convolution (u8 input codes,
// s8 weight levels, s32 accumulation; VNNI or AMX kernels where the CPU has them),
// built only with LATHE_WITH_ONEDNN. It computes what the simulated path computes, a
// fake_quant then a float convolution on dequantised weights (then a folded batchnorm
// and a ReLU):
//   y[o] = relu?(scales[o] * sum k[o] * (c - zero_point) + bias[o])
// where c are the input's codes on its grid and scales[o] = input scale x weight scale
// (x the batchnorm's scale when folded). The float input is rounded to codes in one pass
// (which, for a zero point other than 0, also pads the image with the zero point's code
// and lays it out NHWC, the layout the int8 kernels read); the output comes back as NCHW
// floats.
//
// The weights are reordered into the kernel's layout once per primitive; primitives and
// their buffers are made once per batch size and thread count, like the float ones.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"

namespace lathe::onednn {

struct Int8LayerWeights {
  std::vector<std::int8_t> levels;  // O x (C x kh x kw) or O x in: codes minus zero points
  std::vector<float> scales;        // per output: input scale x weight scale (x fold)
  std::vector<float> bias;          // per output, float units (folded)
  bool relu = false;
};

class Int8Convolution {
 public:
  // `g`'s batch is ignored (set per forward); levels are OIHW.
  Int8Convolution(const Conv2dGeometry& g, const FakeQuantGrid& input_grid, Int8LayerWeights weights);
  ~Int8Convolution();
  Int8Convolution(const Int8Convolution&) = delete;
  Int8Convolution& operator=(const Int8Convolution&) = delete;

  // input: batch x C x H x W floats; output: batch x O x OH x OW floats.
  void forward(int batch, const float* input, float* output, int threads);
  // The kernel oneDNN chose (impl_info_str, e.g. "brg:avx512_core_amx_int8").
  [[nodiscard]] std::string implementation(int batch, int threads);

 private:
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace lathe::onednn
