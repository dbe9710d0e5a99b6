// Max and average pooling, one (image, channel) plane per loop iteration: planes are
// independent, so threads never write the same output or input gradient.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/geometry_checks.h"
#include "core/error.h"

namespace lathe {
namespace {

using Index = std::int64_t;


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

// The pooling of LeNet and VGG: 2x2 windows at stride 2 without padding. Its loops have a
// fixed shape the compiler unrolls and vectorises; the generic loops cost ~30 cycles per
// window in bounds and branches.
bool is_two_by_two(const Pool2dGeometry& g) {
  return g.kernel == 2 && g.stride == 2 && g.padding == 0;
}

// Keeps the larger of (best, candidate); a NaN wins and stays (nothing compares greater
// than it), as in PyTorch. Selects by bit masks: with `take ? a : b` GCC branches on the
// comparisons, and a branch on data mispredicts about every other window (max pooling
// was 14% of vgg_small's inference); without one, the 2x2 loop also vectorises.
inline void keep_max(float candidate, std::int32_t index, float& best, std::int32_t& best_index) {
  const std::uint32_t take =
      0U - static_cast<std::uint32_t>((candidate > best) | (candidate != candidate));
  const auto chosen = (std::bit_cast<std::uint32_t>(candidate) & take) |
                      (std::bit_cast<std::uint32_t>(best) & ~take);
  best = std::bit_cast<float>(chosen);
  best_index = static_cast<std::int32_t>((static_cast<std::uint32_t>(index) & take) |
                                         (static_cast<std::uint32_t>(best_index) & ~take));
}

// Window (oh, ow) starts at input 2m, m = oh * in_width + ow, so one loop over m covers
// every window of the plane and is long enough to vectorise (the rows of vgg_small's
// deeper layers hold 4-16 windows, fewer than a vector's lanes, and ran scalar). The m
// past a row's last window (ow >= out_width) compute windows that do not exist; they are
// dropped when the rows are copied out. `span` stops before the last row's, which would
// read past the plane. Comparisons in PyTorch's scan order, so ties pick the same input.
void maxpool_two_by_two(const Pool2dGeometry& g, const float* in, float* out,
                        std::int32_t* chosen) {
  const int width = g.in_width;
  const int out_height = g.out_height();
  const int out_width = g.out_width();
  const auto span = static_cast<std::size_t>((out_height - 1) * width + out_width);
  thread_local std::vector<float> best_at;  // grows to the largest plane, then stays
  thread_local std::vector<std::int32_t> index_at;
  if (best_at.size() < span) {
    best_at.resize(span);
    index_at.resize(span);
  }
  float* best = best_at.data();
  std::int32_t* best_index = index_at.data();
  const auto count = static_cast<std::int32_t>(span);
  for (std::int32_t m = 0; m < count; ++m) {
    const std::int32_t left = 2 * m;
    float window_best = in[left];
    std::int32_t window_index = left;
    keep_max(in[left + 1], left + 1, window_best, window_index);
    keep_max(in[left + width], left + width, window_best, window_index);
    keep_max(in[left + width + 1], left + width + 1, window_best, window_index);
    best[m] = window_best;
    best_index[m] = window_index;
  }
  for (int oh = 0; oh < out_height; ++oh) {
    std::copy_n(best + Index{oh} * width, out_width, out + Index{oh} * out_width);
    std::copy_n(best_index + Index{oh} * width, out_width, chosen + Index{oh} * out_width);
  }
}

void avgpool_two_by_two(const Pool2dGeometry& g, const float* in, float* out) {
  const int width = g.in_width;
  const int out_height = g.out_height();
  const int out_width = g.out_width();
  for (int oh = 0; oh < out_height; ++oh) {
    const float* top_row = in + 2 * oh * width;
    const float* bottom_row = top_row + width;
    float* out_row = out + oh * out_width;
    for (int ow = 0; ow < out_width; ++ow) {
      out_row[ow] = 0.25F * (top_row[2 * ow] + top_row[2 * ow + 1] + bottom_row[2 * ow] +
                             bottom_row[2 * ow + 1]);
    }
  }
}

// Windows do not overlap: each covered input takes a quarter of its window's gradient.
// Rows and columns past the last window (odd sizes) keep the zeros the caller filled.
void avgpool_backward_two_by_two(const Pool2dGeometry& g, const float* grad_out, float* grad_in) {
  const int width = g.in_width;
  const int out_height = g.out_height();
  const int out_width = g.out_width();
  for (int oh = 0; oh < out_height; ++oh) {
    float* top_row = grad_in + 2 * oh * width;
    float* bottom_row = top_row + width;
    const float* grad_row = grad_out + oh * out_width;
    for (int ow = 0; ow < out_width; ++ow) {
      const float share = 0.25F * grad_row[ow];
      top_row[2 * ow] = share;
      top_row[2 * ow + 1] = share;
      bottom_row[2 * ow] = share;
      bottom_row[2 * ow + 1] = share;
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
  const cpu::ThreadScope thread_scope(threads_);
  check_pool2d_geometry(g, "cpu");
  const PlaneSizes s(g);
  LATHE_CHECK(s.in_plane <= std::numeric_limits<std::int32_t>::max(), "cpu maxpool: a ",
              g.in_height, "x", g.in_width, " plane has more cells than an int32 argmax can index");
#pragma omp parallel for if (s.planes * s.in_plane >= cpu::kParallelElements)
  for (Index plane = 0; plane < s.planes; ++plane) {
    const float* in = input + plane * s.in_plane;
    float* out = output + plane * s.out_plane;
    std::int32_t* chosen = argmax + plane * s.out_plane;
    if (is_two_by_two(g)) {
      maxpool_two_by_two(g, in, out, chosen);
      continue;
    }
    for_each_window(g, [&](Index out_index, Window rows, Window cols) {
      std::int32_t best_index = rows.begin * g.in_width + cols.begin;
      float best = in[best_index];
      for (int h = rows.begin; h < rows.end; ++h) {
        for (int w = cols.begin; w < cols.end; ++w) {
          keep_max(in[h * g.in_width + w], h * g.in_width + w, best, best_index);
        }
      }
      out[out_index] = best;
      chosen[out_index] = best_index;
    });
  }
}

void CpuBackend::maxpool_backward(const Pool2dGeometry& g, const float* grad_output,
                                  const std::int32_t* argmax, float* grad_input) {
  const cpu::ThreadScope thread_scope(threads_);
  check_pool2d_geometry(g, "cpu");
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
  const cpu::ThreadScope thread_scope(threads_);
  check_pool2d_geometry(g, "cpu");
  const PlaneSizes s(g);
  const float inverse_area = 1.0F / static_cast<float>(g.kernel * g.kernel);
#pragma omp parallel for if (s.planes * s.in_plane >= cpu::kParallelElements)
  for (Index plane = 0; plane < s.planes; ++plane) {
    const float* in = input + plane * s.in_plane;
    float* out = output + plane * s.out_plane;
    if (is_two_by_two(g)) {
      avgpool_two_by_two(g, in, out);
      continue;
    }
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
  const cpu::ThreadScope thread_scope(threads_);
  check_pool2d_geometry(g, "cpu");
  const PlaneSizes s(g);
  const float inverse_area = 1.0F / static_cast<float>(g.kernel * g.kernel);
#pragma omp parallel for if (s.planes * s.in_plane >= cpu::kParallelElements)
  for (Index plane = 0; plane < s.planes; ++plane) {
    float* grad_in = grad_input + plane * s.in_plane;
    const float* grad_out = grad_output + plane * s.out_plane;
    std::fill_n(grad_in, s.in_plane, 0.0F);
    if (is_two_by_two(g)) {
      avgpool_backward_two_by_two(g, grad_out, grad_in);
      continue;
    }
    for_each_window(g, [&](Index out_index, Window rows, Window cols) {
      const float share = grad_out[out_index] * inverse_area;
      for (int h = rows.begin; h < rows.end; ++h) {
        for (int w = cols.begin; w < cols.end; ++w) grad_in[h * g.in_width + w] += share;
      }
    });
  }
}

}  // namespace lathe
