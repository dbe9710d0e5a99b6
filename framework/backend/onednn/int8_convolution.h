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
// In a chain of int8 layers (nn/layers/integer_run.h) a layer reads the u8 codes the one
// before it wrote and writes the next quantiser's codes itself (Int8Links), both NHWC
// (oneDNN's acdb, the layout its int8 kernels read and write): no float tensor, reorder or
// rounding pass lies between the two.
//
// The weights are reordered into the kernel's layout once per primitive; primitives and
// their buffers are made once per batch size and thread count, like the float ones.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
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

// How a layer meets its neighbours: by default it reads floats and writes floats (NCHW or
// N x features). `codes_in`: it reads the u8 codes of its input grid that the layer before
// wrote (NHWC or N x features). `codes_out`: it writes u8 codes on this grid, the next
// quantiser's (int8_primitive.h: int8_code_attributes), in the same layouts.
// `floats_nhwc`: float outputs NHWC, for the run's own global average pooling
// (activation_codes.h: average_planes_to_codes).
struct Int8Links {
  bool codes_in = false;
  std::optional<FakeQuantGrid> codes_out;
  bool floats_nhwc = false;
};

class Int8Convolution {
 public:
  // `g`'s batch is ignored (set per forward); levels are OIHW. With links.codes_in,
  // why_codes_cannot_feed(g, input_grid.zero_point) must be "".
  Int8Convolution(const Conv2dGeometry& g, const FakeQuantGrid& input_grid, Int8LayerWeights weights,
                  Int8Links links = {});
  ~Int8Convolution();
  Int8Convolution(const Int8Convolution&) = delete;
  Int8Convolution& operator=(const Int8Convolution&) = delete;

  // Why codes written by the layer before (unpadded NHWC) cannot be this convolution's
  // input, "" when they can: oneDNN pads them with code 0, the float 0 only for a zero
  // point of 0, and reads whole rows (a window that leaves input rows unread would need a
  // negative padding).
  static std::string why_codes_cannot_feed(const Conv2dGeometry& g, int zero_point);

  // input: batch x C x H x W floats (codes_in: batch x H x W x C codes); output: batch x O
  // x OH x OW floats (codes_out: batch x OH x OW x O codes; floats_nhwc: floats so).
  void forward(int batch, const void* input, void* output, int threads);
  // The kernel oneDNN chose (impl_info_str, e.g. "brg:avx512_core_amx_int8").
  [[nodiscard]] std::string implementation(int batch, int threads);

 private:
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace lathe::onednn
