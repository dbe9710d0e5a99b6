// Max and average pooling, one (image, channel) plane per loop iteration: planes are
// independent, so threads never write the same output or input gradient.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"

namespace lathe {
namespace {

using Index = std::int64_t;

// Padding up to half the kernel (PyTorch's limit) leaves every window at least one
// input cell, so a max is always defined.
void check_geometry(const Pool2dGeometry& g) {
  LATHE_CHECK(g.batch >= 0 && g.channels > 0 && g.in_height > 0 && g.in_width > 0 &&
                  g.kernel > 0 && g.stride > 0 && g.padding >= 0 && 2 * g.padding <= g.kernel &&
                  g.in_height + 2 * g.padding >= g.kernel &&
                  g.in_width + 2 * g.padding >= g.kernel,
              "cpu pooling: invalid geometry: batch ", g.batch, ", ", g.channels, "x",
              g.in_height, "x", g.in_width, " input, kernel ", g.kernel, ", stride ", g.stride,
              ", padding ", g.padding, " (at most half the kernel)");
}

// The input cells [begin, end) under one window along one axis.
struct Window {
  int begin;
  int end;
};

Window window_at(int out, int in_size, const Pool2dGeometry& g) {
  const int start = out * g.stride - g.padding;
  return {std::max(start, 0), std::min(start + g.kernel, in_size)};
}

// Calls visit(out_index, rows, cols) for every output of one plane.
template <class Visit>
void for_each_window(const Pool2dGeometry& g, Visit&& visit) {
  const int out_height = g.out_height();
  const int out_width = g.out_width();
  for (int oh = 0; oh < out_height; ++oh) {
    const Window rows = window_at(oh, g.in_height, g);
    for (int ow = 0; ow < out_width; ++ow) {
      visit(Index{oh} * out_width + ow, rows, window_at(ow, g.in_width, g));
    }
  }
}

struct PlaneSizes {
  explicit PlaneSizes(const Pool2dGeometry& g)
      : planes(Index{g.batch} * g.channels),
        in_plane(Index{g.in_height} * g.in_width),
        out_plane(Index{g.out_height()} * g.out_width()) {}
  Index planes;
  Index in_plane;
  Index out_plane;
};

}  // namespace

void CpuBackend::maxpool_forward(const Pool2dGeometry& g, const float* input, float* output,
                                 std::int32_t* argmax) {
  check_geometry(g);
  const PlaneSizes s(g);
  LATHE_CHECK(s.in_plane <= std::numeric_limits<std::int32_t>::max(),
              "cpu maxpool: a ", g.in_height, "x", g.in_width,
              " plane has more cells than an int32 argmax can index");
#pragma omp parallel for if (s.planes * s.in_plane >= cpu::kParallelElements)
  for (Index plane = 0; plane < s.planes; ++plane) {
    const float* in = input + plane * s.in_plane;
    float* out = output + plane * s.out_plane;
    std::int32_t* chosen = argmax + plane * s.out_plane;
    for_each_window(g, [&](Index out_index, Window rows, Window cols) {
      std::int32_t best_index = rows.begin * g.in_width + cols.begin;
      float best = in[best_index];
      for (int h = rows.begin; h < rows.end; ++h) {
        for (int w = cols.begin; w < cols.end; ++w) {
          const std::int32_t index = h * g.in_width + w;
          // A NaN wins and stays (nothing compares greater), as in PyTorch.
          if (in[index] > best || std::isnan(in[index])) {
            best = in[index];
            best_index = index;
          }
        }
      }
      out[out_index] = best;
      chosen[out_index] = best_index;
    });
  }
}

void CpuBackend::maxpool_backward(const Pool2dGeometry& g, const float* grad_output,
                                  const std::int32_t* argmax, float* grad_input) {
  check_geometry(g);
  const PlaneSizes s(g);
#pragma omp parallel for if (s.planes * s.in_plane >= cpu::kParallelElements)
  for (Index plane = 0; plane < s.planes; ++plane) {
    float* grad_in = grad_input + plane * s.in_plane;
    const float* grad_out = grad_output + plane * s.out_plane;
    const std::int32_t* chosen = argmax + plane * s.out_plane;
    std::fill_n(grad_in, s.in_plane, 0.0F);
    for (Index out_index = 0; out_index < s.out_plane; ++out_index) {
      grad_in[chosen[out_index]] += grad_out[out_index];
    }
  }
}

void CpuBackend::avgpool_forward(const Pool2dGeometry& g, const float* input, float* output) {
  check_geometry(g);
  const PlaneSizes s(g);
  const float inverse_area = 1.0F / static_cast<float>(g.kernel * g.kernel);
#pragma omp parallel for if (s.planes * s.in_plane >= cpu::kParallelElements)
  for (Index plane = 0; plane < s.planes; ++plane) {
    const float* in = input + plane * s.in_plane;
    float* out = output + plane * s.out_plane;
    for_each_window(g, [&](Index out_index, Window rows, Window cols) {
      float sum = 0.0F;
      for (int h = rows.begin; h < rows.end; ++h) {
        for (int w = cols.begin; w < cols.end; ++w) sum += in[h * g.in_width + w];
      }
      out[out_index] = sum * inverse_area;
    });
  }
}

void CpuBackend::avgpool_backward(const Pool2dGeometry& g, const float* grad_output,
                                  float* grad_input) {
  check_geometry(g);
  const PlaneSizes s(g);
  const float inverse_area = 1.0F / static_cast<float>(g.kernel * g.kernel);
#pragma omp parallel for if (s.planes * s.in_plane >= cpu::kParallelElements)
  for (Index plane = 0; plane < s.planes; ++plane) {
    float* grad_in = grad_input + plane * s.in_plane;
    const float* grad_out = grad_output + plane * s.out_plane;
    std::fill_n(grad_in, s.in_plane, 0.0F);
    for_each_window(g, [&](Index out_index, Window rows, Window cols) {
      const float share = grad_out[out_index] * inverse_area;
      for (int h = rows.begin; h < rows.end; ++h) {
        for (int w = cols.begin; w < cols.end; ++w) grad_in[h * g.in_width + w] += share;
      }
    });
  }
}

}  // namespace lathe
