// Average pooling forward and backward, one thread per output (forward) or per input
// cell (backward, a gather: no two threads write one value, so no atomics). Each sum
// runs in the CPU backend's order with __fadd_rn / __fmul_rn, which nvcc may not fuse
// into an FMA, so the results are bitwise those of backend/cpu/pooling.cpp.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "backend/cuda/avgpool.h"
#include "backend/cuda/cuda_check.h"

namespace lathe::cuda {
namespace {

using Index = std::int64_t;

constexpr int kThreadsPerBlock = 256;
constexpr Index kMaxBlocks = 8192;  // grid-stride loops cover the rest

struct PoolShape {
  explicit PoolShape(const Pool2dGeometry& g)
      : in_height(g.in_height),
        in_width(g.in_width),
        out_height(g.out_height()),
        out_width(g.out_width()),
        kernel(g.kernel),
        stride(g.stride),
        padding(g.padding),
        planes(Index{g.batch} * g.channels),
        // As the CPU backend computes it: a float reciprocal, then a product per output.
        inverse_area(1.0F / static_cast<float>(g.kernel * g.kernel)) {}

  int in_height;
  int in_width;
  int out_height;
  int out_width;
  int kernel;
  int stride;
  int padding;
  Index planes;
  float inverse_area;
};

__device__ Index first_index() { return static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ Index grid_stride() { return static_cast<Index>(gridDim.x) * blockDim.x; }

__global__ void avgpool_forward_kernel(PoolShape s, const float* input, float* output) {
  const Index out_plane = Index{s.out_height} * s.out_width;
  const Index in_plane = Index{s.in_height} * s.in_width;
  const Index total = s.planes * out_plane;
  for (Index i = first_index(); i < total; i += grid_stride()) {
    const Index plane = i / out_plane;
    const auto within = static_cast<int>(i - plane * out_plane);
    const int oh = within / s.out_width;
    const int ow = within - oh * s.out_width;
    const int top = oh * s.stride - s.padding;
    const int left = ow * s.stride - s.padding;
    const int h_end = min(top + s.kernel, s.in_height);
    const int w_end = min(left + s.kernel, s.in_width);
    const float* in = input + plane * in_plane;
    float sum = 0.0F;
    for (int h = max(top, 0); h < h_end; ++h) {
      const float* row = in + Index{h} * s.in_width;
      for (int w = max(left, 0); w < w_end; ++w) sum = __fadd_rn(sum, row[w]);
    }
    output[i] = __fmul_rn(sum, s.inverse_area);
  }
}

// The outputs whose windows cover input cell `cell` along one axis: [begin, end).
__device__ int2 covering_outputs(int cell, int out_size, const PoolShape& s) {
  const int shifted = cell + s.padding;
  const int begin = shifted < s.kernel ? 0 : (shifted - s.kernel) / s.stride + 1;
  const int end = min(shifted / s.stride + 1, out_size);
  return make_int2(begin, end);
}

// The CPU adds each window's share to its cells window by window, in row-major window
// order; gathering a cell's shares in that same order gives the same sum.
__global__ void avgpool_backward_kernel(PoolShape s, const float* grad_output, float* grad_input) {
  const Index out_plane = Index{s.out_height} * s.out_width;
  const Index in_plane = Index{s.in_height} * s.in_width;
  const Index total = s.planes * in_plane;
  for (Index i = first_index(); i < total; i += grid_stride()) {
    const Index plane = i / in_plane;
    const auto within = static_cast<int>(i - plane * in_plane);
    const int h = within / s.in_width;
    const int w = within - h * s.in_width;
    const int2 rows = covering_outputs(h, s.out_height, s);
    const int2 cols = covering_outputs(w, s.out_width, s);
    const float* grad_out = grad_output + plane * out_plane;
    float sum = 0.0F;
    for (int oh = rows.x; oh < rows.y; ++oh) {
      for (int ow = cols.x; ow < cols.y; ++ow) {
        sum = __fadd_rn(sum, __fmul_rn(grad_out[Index{oh} * s.out_width + ow], s.inverse_area));
      }
    }
    grad_input[i] = sum;
  }
}

int blocks_for(Index n) {
  return static_cast<int>(
      std::clamp<Index>((n + kThreadsPerBlock - 1) / kThreadsPerBlock, 1, kMaxBlocks));
}

}  // namespace

void launch_avgpool_forward(cudaStream_t stream, const Pool2dGeometry& g, const float* input,
                            float* output) {
  const PoolShape shape(g);
  const Index outputs = shape.planes * shape.out_height * shape.out_width;
  if (outputs == 0) return;
  avgpool_forward_kernel<<<blocks_for(outputs), kThreadsPerBlock, 0, stream>>>(shape, input,
                                                                               output);
  cuda_check(cudaGetLastError(), "avgpool_forward_kernel launch", "avgpool forward");
}

void launch_avgpool_backward(cudaStream_t stream, const Pool2dGeometry& g, const float* grad_output,
                             float* grad_input) {
  const PoolShape shape(g);
  const Index inputs = shape.planes * shape.in_height * shape.in_width;
  if (inputs == 0) return;
  avgpool_backward_kernel<<<blocks_for(inputs), kThreadsPerBlock, 0, stream>>>(shape, grad_output,
                                                                               grad_input);
  cuda_check(cudaGetLastError(), "avgpool_backward_kernel launch", "avgpool backward");
}

}  // namespace lathe::cuda
