// The integer inputs of backend/onednn/'s int8 layers: float activations rounded to the
// unsigned codes of their quantiser's grid (FakeQuantGrid, the rule of
// Backend::fake_quantize), and the accumulator's scale and bias that turn the integer
// dot products back into the simulated layer's float outputs.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "backend/backend.h"

namespace lathe::onednn {

// code = clamp(round(clamp(x, low, high) / scale) + zero_point, min_code, max_code), with
// std::round's halves away from zero, so a code times the scale is the fake-quantised
// value bit for bit. Codes fit u8 (grids of 2 to 8 bits).
void quantize_rows(std::int64_t count, const float* x, const FakeQuantGrid& grid, std::uint8_t* codes,
                   int threads);

// NCHW floats to NHWC codes of an image padded to padded_height x padded_width: input row
// h lands at h + pad_top, column w at w + pad_left; cells outside the image get the zero
// point's code (the float 0 that the layer's zero padding stands for).
struct PaddedImages {
  int batch = 0;
  int channels = 0;
  int height = 0;
  int width = 0;
  int pad_top = 0;
  int pad_left = 0;
  int padded_height = 0;
  int padded_width = 0;
};
void quantize_padded_nhwc(const PaddedImages& shape, const float* x, const FakeQuantGrid& grid,
                          std::uint8_t* codes, int threads);

// The same padding for codes already rounded (one channel, quantize_rows's output): the
// rounding then runs as one vectorised pass over the image, not row by row.
void pad_one_channel(const PaddedImages& shape, const std::uint8_t* codes, std::uint8_t zero_code,
                     std::uint8_t* padded);

// The windows of a one-channel image's padded codes (quantize_padded_nhwc's output) laid
// out as the channels of a 1x1 convolution's input: patch (n, y, x) holds the codes at
// rows y * stride + i and columns x * stride + j at i * kernel_width + j, the order of an
// OIHW weight's row. A one-channel first layer runs so (Int8Convolution): the int8
// kernels add groups of 4 channels, so a window of 1 channel would waste 3 of 4 products.
// Each window row but those of a row's last patch moves as one 8-byte copy:
// kernel_width <= 8, and `codes` must be readable 8 bytes past its end.
struct PatchShape {
  int kernel_height = 0;
  int kernel_width = 0;
  int stride = 1;
  int out_height = 0;
  int out_width = 0;
};
inline constexpr int kWidestPatchRow = 8;
void gather_patches(const PaddedImages& padded, const PatchShape& patch, const std::uint8_t* codes,
                    std::uint8_t* patches, int threads);

// Global average pooling of NHWC floats (batch x plane x channels) rounded to `grid`'s
// codes (batch x channels): the simulated path's global_avgpool (each channel's sum over
// the plane in row order, times 1 / plane, as the CPU backend adds it) and then its
// quantiser, so the codes are the same bit for bit.
void average_planes_to_codes(int batch, int plane, int channels, const float* nhwc,
                             const FakeQuantGrid& grid, std::uint8_t* codes, int threads);

// With u8 input codes c, s8 weight levels k and float output y = scale_out[o] * sum k *
// (c - zero_point) + bias[o], oneDNN 2.x computes dst = output_scale[o] * (acc + b[o])
// (the bias joins the s32 accumulator before the scale). So b[o] = bias[o] /
// output_scale[o] - zero_point * sum_k k[o, k]: the zero point's share, constant per
// output because padding cells hold the zero point's code too.
struct AccumulatorFold {
  std::vector<float> output_scales;
  std::vector<float> bias;
};
AccumulatorFold fold_accumulator(std::span<const std::int8_t> levels, std::span<const float> scales,
                                 std::span<const float> bias, int zero_point);

}  // namespace lathe::onednn
