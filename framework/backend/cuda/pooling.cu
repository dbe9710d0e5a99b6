// Max pooling of the CUDA backend with backend.h's argmax contract (average pooling is
// cuDNN's). Padding cells never take part: a window is clipped to the input, as in
// backend/cpu/pooling.cpp.
//
// Bitwise equal to the CPU backend, outputs and argmax both: each output scans its window
// row-major from its first cell, a strictly larger value or a NaN replaces the best (so
// ties keep the first cell, and the last NaN wins), the CPU's keep_max rule. The backward
// pass gathers instead of scattering: each input cell adds the gradients of the outputs
// that chose it in increasing output order, starting from 0, which is the CPU's order of
// additions, so it is deterministic and bitwise equal without atomics. It reads only the
// outputs whose windows hold the cell, so argmax must come from maxpool_forward.
#include <cmath>
#include <cstdint>
#include <limits>

#include "backend/cuda/kernel_support.cuh"
#include "backend/cuda/kernels.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {

using Index = std::int64_t;

// The CPU backend's check, word for word but the prefix.
void check_geometry(const Pool2dGeometry& g) {
  LATHE_CHECK(g.batch >= 0 && g.channels > 0 && g.in_height > 0 && g.in_width > 0 && g.kernel > 0 &&
                  g.stride > 0 && g.padding >= 0 && 2 * g.padding <= g.kernel &&
                  g.in_height + 2 * g.padding >= g.kernel && g.in_width + 2 * g.padding >= g.kernel,
              "cuda pooling: invalid geometry: batch ", g.batch, ", ", g.channels, "x", g.in_height,
              "x", g.in_width, " input, kernel ", g.kernel, ", stride ", g.stride, ", padding ",
              g.padding, " (at most half the kernel)");
  LATHE_CHECK(Index{g.in_height} * g.in_width <= std::numeric_limits<std::int32_t>::max(),
              "cuda maxpool: a ", g.in_height, "x", g.in_width,
              " plane has more cells than an int32 argmax can index");
}

// Plain ints: kernels take the geometry by value without its member functions.
struct PoolShape {
  int in_height;
  int in_width;
  int out_height;
  int out_width;
  int kernel;
  int stride;
  int padding;
};

PoolShape shape_of(const Pool2dGeometry& g) {
  return {g.in_height, g.in_width, g.out_height(), g.out_width(), g.kernel, g.stride, g.padding};
}

// grid.y walks (image, channel) planes, x the outputs of one plane.
__global__ void maxpool_forward_kernel(PoolShape s, Index planes, const float* input, float* output,
                                       std::int32_t* argmax) {
  const int out_plane = s.out_height * s.out_width;
  const Index in_plane = Index{s.in_height} * s.in_width;
  for (Index plane = blockIdx.y; plane < planes; plane += gridDim.y) {
    const float* in = input + plane * in_plane;
    for (Index o = first_thread_index(); o < out_plane; o += thread_stride()) {
      const int oh = static_cast<int>(o) / s.out_width;
      const int ow = static_cast<int>(o) % s.out_width;
      const int row_start = oh * s.stride - s.padding;
      const int col_start = ow * s.stride - s.padding;
      const int row_begin = max(row_start, 0);
      const int row_end = min(row_start + s.kernel, s.in_height);
      const int col_begin = max(col_start, 0);
      const int col_end = min(col_start + s.kernel, s.in_width);
      std::int32_t best_index = row_begin * s.in_width + col_begin;
      float best = in[best_index];
      for (int h = row_begin; h < row_end; ++h) {
        for (int w = col_begin; w < col_end; ++w) {
          const std::int32_t index = h * s.in_width + w;
          const float candidate = in[index];
          const bool take = candidate > best || isnan(candidate);
          best = take ? candidate : best;
          best_index = take ? index : best_index;
        }
      }
      output[plane * out_plane + o] = best;
      argmax[plane * out_plane + o] = best_index;
    }
  }
}

// grid.y walks planes, x the input cells of one plane.
__global__ void maxpool_backward_kernel(PoolShape s, Index planes, const float* grad_output,
                                        const std::int32_t* argmax, float* grad_input) {
  const Index out_plane = Index{s.out_height} * s.out_width;
  const Index in_plane = Index{s.in_height} * s.in_width;
  for (Index plane = blockIdx.y; plane < planes; plane += gridDim.y) {
    const float* grad_out = grad_output + plane * out_plane;
    const std::int32_t* chosen = argmax + plane * out_plane;
    for (Index cell = first_thread_index(); cell < in_plane; cell += thread_stride()) {
      const int h = static_cast<int>(cell) / s.in_width;
      const int w = static_cast<int>(cell) % s.in_width;
      // Output row oh covers input rows [oh * stride - padding, ... + kernel).
      const int padded_h = h + s.padding;
      const int padded_w = w + s.padding;
      const int oh_begin = padded_h < s.kernel ? 0 : (padded_h - s.kernel) / s.stride + 1;
      const int ow_begin = padded_w < s.kernel ? 0 : (padded_w - s.kernel) / s.stride + 1;
      const int oh_end = min(padded_h / s.stride + 1, s.out_height);
      const int ow_end = min(padded_w / s.stride + 1, s.out_width);
      float sum = 0.0F;
      for (int oh = oh_begin; oh < oh_end; ++oh) {
        for (int ow = ow_begin; ow < ow_end; ++ow) {
          const int o = oh * s.out_width + ow;
          if (chosen[o] == static_cast<std::int32_t>(cell)) sum = __fadd_rn(sum, grad_out[o]);
        }
      }
      grad_input[plane * in_plane + cell] = sum;
    }
  }
}

}  // namespace

void launch_maxpool_forward(cudaStream_t stream, const Pool2dGeometry& g, const float* input,
                            float* output, std::int32_t* argmax) {
  check_geometry(g);
  const Index planes = Index{g.batch} * g.channels;
  if (planes == 0) return;
  const PoolShape s = shape_of(g);
  maxpool_forward_kernel<<<row_grid(planes, Index{s.out_height} * s.out_width), kThreadsPerBlock, 0,
                           stream>>>(s, planes, input, output, argmax);
  check_launch("maxpool_forward");
}

void launch_maxpool_backward(cudaStream_t stream, const Pool2dGeometry& g,
                             const float* grad_output, const std::int32_t* argmax,
                             float* grad_input) {
  check_geometry(g);
  const Index planes = Index{g.batch} * g.channels;
  if (planes == 0) return;
  const PoolShape s = shape_of(g);
  maxpool_backward_kernel<<<row_grid(planes, Index{s.in_height} * s.in_width), kThreadsPerBlock, 0,
                            stream>>>(s, planes, grad_output, argmax, grad_input);
  check_launch("maxpool_backward");
}

}  // namespace lathe::cuda
