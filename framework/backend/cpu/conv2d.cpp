// Convolution as im2col + GEMM over many images at once: the weights [O, C*kh*kw] times
// the patches of a chunk of images [C*kh*kw, images*OH*OW]. A GEMM that wide keeps BLAS
// near its peak where per-image GEMMs of a small layer (OH*OW of a few dozen) would not.
//
// Threads split the batch, not the GEMMs: each thread runs im2col, GEMM and reorders over
// its own images. Inside an OpenMP parallel region OpenBLAS's OpenMP build (it checks
// omp_in_parallel) and Eigen run a GEMM on the calling thread, and the loops below run
// serially (a nested region is inactive), so an op synchronises once, at its end. Threaded
// GEMMs synchronise per panel, and on a 2-core machine shared with other work each of those
// waits stalls for a whole time slice when the partner thread is descheduled (measured: 25x
// slower under load). One GEMM per thread also ran 5-15% faster on an idle machine.
#include <algorithm>
#include <climits>
#include <cstdint>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/cpu_kernels.h"
#include "backend/geometry_checks.h"
#include "core/error.h"

#ifdef LATHE_HAVE_ONEDNN
#include "backend/onednn/onednn_convolutions.h"
#endif

namespace lathe {
namespace {

using Index = std::int64_t;

// im2col patch values per chunk of images (see images_per_chunk): 4 MiB, measured best
// of 2 to 32 MiB on VGG layers at batch 128 (a 2-core EPYC with 1 MiB L2 per core and
// a 32 MiB L3 shared with other tenants).
constexpr Index kPatchFloatsPerChunk = Index{1} << 20;

struct ConvSizes {
  explicit ConvSizes(const Conv2dGeometry& g)
      : out_height(g.out_height()),
        out_width(g.out_width()),
        in_plane(Index{g.in_height} * g.in_width),
        out_plane(Index{out_height} * out_width),
        in_image(g.in_channels * in_plane),
        out_image(g.out_channels * out_plane),
        columns(g.batch * out_plane),
        patch(Index{g.in_channels} * g.kernel_height * g.kernel_width) {}

  int out_height;
  int out_width;
  Index in_plane;
  Index out_plane;
  Index in_image;   // floats of one input image, C*H*W
  Index out_image;  // floats of one output image, O*OH*OW
  Index columns;    // N*OH*OW: one im2col column per output position of every image
  Index patch;      // C*kh*kw: one im2col row per input channel and kernel offset
};

void check_geometry(const Conv2dGeometry& g) {
  check_conv2d_geometry(g, "cpu");
  const ConvSizes sizes(g);
  // A chunk's GEMM has at most max(OH*OW, kPatchFloatsPerChunk / patch) columns, so only
  // one image's sizes can overflow the ints BLAS takes.
  LATHE_CHECK(sizes.out_plane <= INT_MAX && sizes.patch <= INT_MAX, "cpu conv2d: a ",
              sizes.out_height, "x", sizes.out_width, " output plane or a ", sizes.patch,
              "-value patch is too large for a GEMM (over 2^31)");
}

// A 1x1 kernel at stride 1 without padding reads each image's planes as they lie: its
// im2col would be a copy, so these GEMMs run per image straight on NCHW.
bool is_pointwise(const Conv2dGeometry& g) {
  return g.kernel_height == 1 && g.kernel_width == 1 && g.stride == 1 && g.padding == 0;
}

// Images per GEMM. One GEMM over a whole batch of 128 would materialise im2col patches
// of 100+ MB for a VGG layer, streamed through DRAM on the way in and out; chunks whose
// patches fit in L3 keep that traffic in cache and still give BLAS thousands of columns.
int images_per_chunk(const Conv2dGeometry& g, const ConvSizes& s) {
  const Index images = kPatchFloatsPerChunk / (s.patch * s.out_plane);
  return static_cast<int>(std::clamp<Index>(images, 1, std::max(g.batch, 1)));
}

// Calls run(first image, geometry of the chunk) for consecutive chunks of the images
// [first, first + images).
template <class Run>
void for_each_chunk(const Conv2dGeometry& g, const ConvSizes& s, int first, int images, Run&& run) {
  const int chunk = images_per_chunk(g, s);
  for (int start = first; start < first + images; start += chunk) {
    Conv2dGeometry part = g;
    part.batch = std::min(chunk, first + images - start);
    run(start, part);
  }
}

// Threads that share a convolution: one per image at most.
int conv_workers(int threads, int batch) { return std::clamp(batch, 1, threads); }

// Runs work(worker, first image, images) on `workers` threads, each over a contiguous,
// balanced share of the batch (see the top of this file for why).
template <class Work>
void split_batch(int batch, int workers, Work&& work) {
#pragma omp parallel for num_threads(workers) schedule(static, 1)
  for (int worker = 0; worker < workers; ++worker) {
    const auto first = static_cast<int>(Index{batch} * worker / workers);
    const auto end = static_cast<int>(Index{batch} * (worker + 1) / workers);
    work(worker, first, end - first);
  }
}

// Outputs [begin, end) along one axis whose input index out*stride - padding + offset
// falls inside the image; the others read padding.
struct OutputRange {
  int begin;
  int end;
};

OutputRange inside_outputs(int offset, int in_size, int out_size, int stride, int padding) {
  const int first = padding - offset;               // need out * stride >= first
  const int last = in_size - 1 + padding - offset;  // and out * stride <= last
  const int end = last < 0 ? 0 : std::min(out_size, last / stride + 1);
  const int begin = first <= 0 ? 0 : (first + stride - 1) / stride;
  return {std::min(begin, end), end};
}

void im2col(const Conv2dGeometry& g, const ConvSizes& s, const float* input, float* columns) {
  const int kernel_area = g.kernel_height * g.kernel_width;
  const int rows = static_cast<int>(s.patch);
  const int out_width = s.out_width;
#pragma omp parallel for collapse(2) if (s.patch * s.columns >= cpu::kParallelElements)
  for (int row = 0; row < rows; ++row) {
    for (int n = 0; n < g.batch; ++n) {
      const int channel = row / kernel_area;
      const int ki = row % kernel_area / g.kernel_width;
      const int kj = row % g.kernel_width;
      const OutputRange rows_inside =
          inside_outputs(ki, g.in_height, s.out_height, g.stride, g.padding);
      const OutputRange cols_inside =
          inside_outputs(kj, g.in_width, out_width, g.stride, g.padding);
      const float* plane = input + (Index{n} * g.in_channels + channel) * s.in_plane;
      float* out = columns + row * s.columns + n * s.out_plane;

      std::fill(out, out + Index{rows_inside.begin} * out_width, 0.0F);
      for (int oh = rows_inside.begin; oh < rows_inside.end; ++oh) {
        float* out_row = out + Index{oh} * out_width;
        const float* in_row = plane + Index{oh * g.stride - g.padding + ki} * g.in_width;
        std::fill(out_row, out_row + cols_inside.begin, 0.0F);
        if (g.stride == 1) {
          std::copy_n(in_row + cols_inside.begin - g.padding + kj,
                      cols_inside.end - cols_inside.begin, out_row + cols_inside.begin);
        } else {
          for (int ow = cols_inside.begin; ow < cols_inside.end; ++ow) {
            out_row[ow] = in_row[ow * g.stride - g.padding + kj];
          }
        }
        std::fill(out_row + cols_inside.end, out_row + out_width, 0.0F);
      }
      std::fill(out + Index{rows_inside.end} * out_width, out + s.out_plane, 0.0F);
    }
  }
}

// Adds each column's gradient back onto the input pixel it was copied from. A thread owns
// whole (image, channel) planes, so no two threads add into the same pixel.
void col2im(const Conv2dGeometry& g, const ConvSizes& s, const float* columns, float* grad_input) {
  const int out_width = s.out_width;
#pragma omp parallel for collapse(2) if (s.patch * s.columns >= cpu::kParallelElements)
  for (int n = 0; n < g.batch; ++n) {
    for (int channel = 0; channel < g.in_channels; ++channel) {
      float* plane = grad_input + (Index{n} * g.in_channels + channel) * s.in_plane;
      std::fill(plane, plane + s.in_plane, 0.0F);
      for (int ki = 0; ki < g.kernel_height; ++ki) {
        const OutputRange rows_inside =
            inside_outputs(ki, g.in_height, s.out_height, g.stride, g.padding);
        for (int kj = 0; kj < g.kernel_width; ++kj) {
          const OutputRange cols_inside =
              inside_outputs(kj, g.in_width, out_width, g.stride, g.padding);
          const Index row = (Index{channel} * g.kernel_height + ki) * g.kernel_width + kj;
          const float* column = columns + row * s.columns + n * s.out_plane;
          for (int oh = rows_inside.begin; oh < rows_inside.end; ++oh) {
            float* in_row = plane + Index{oh * g.stride - g.padding + ki} * g.in_width;
            const float* column_row = column + Index{oh} * out_width;
            for (int ow = cols_inside.begin; ow < cols_inside.end; ++ow) {
              in_row[ow * g.stride - g.padding + kj] += column_row[ow];
            }
          }
        }
      }
    }
  }
}

// The GEMM's [O, images*OH*OW] product to NCHW, adding the bias in the same pass.
void channel_major_to_nchw(const Conv2dGeometry& g, const ConvSizes& s, const float* channel_major,
                           const float* bias, float* output) {
#pragma omp parallel for collapse(2) if (g.out_channels * s.columns >= cpu::kParallelElements)
  for (int n = 0; n < g.batch; ++n) {
    for (int o = 0; o < g.out_channels; ++o) {
      const float* source = channel_major + o * s.columns + n * s.out_plane;
      float* target = output + (Index{n} * g.out_channels + o) * s.out_plane;
      const float shift = bias != nullptr ? bias[o] : 0.0F;
      for (Index p = 0; p < s.out_plane; ++p) target[p] = source[p] + shift;
    }
  }
}

void nchw_to_channel_major(const Conv2dGeometry& g, const ConvSizes& s, const float* nchw,
                           float* channel_major) {
#pragma omp parallel for collapse(2) if (g.out_channels * s.columns >= cpu::kParallelElements)
  for (int o = 0; o < g.out_channels; ++o) {
    for (int n = 0; n < g.batch; ++n) {
      std::copy_n(nchw + (Index{n} * g.out_channels + o) * s.out_plane, s.out_plane,
                  channel_major + o * s.columns + n * s.out_plane);
    }
  }
}

void add_bias_nchw(const Conv2dGeometry& g, const ConvSizes& s, const float* bias, float* output) {
#pragma omp parallel for collapse(2) if (g.out_channels * s.columns >= cpu::kParallelElements)
  for (int n = 0; n < g.batch; ++n) {
    for (int o = 0; o < g.out_channels; ++o) {
      float* plane = output + (Index{n} * g.out_channels + o) * s.out_plane;
      for (Index p = 0; p < s.out_plane; ++p) plane[p] += bias[o];
    }
  }
}

// grad_bias[o] (+)= the sum of output channel o's gradient over images and positions,
// in double: a VGG layer adds up 100,000 values per channel.
void sum_bias_gradient(const Conv2dGeometry& g, const ConvSizes& s, const float* grad_output,
                       float* grad_bias, bool accumulate) {
#pragma omp parallel for if (g.out_channels * s.columns >= cpu::kParallelElements)
  for (int o = 0; o < g.out_channels; ++o) {
    double sum = 0.0;
    for (int n = 0; n < g.batch; ++n) {
      const float* plane = grad_output + (Index{n} * g.out_channels + o) * s.out_plane;
      double plane_sum = 0.0;
#pragma omp simd reduction(+ : plane_sum)
      for (Index p = 0; p < s.out_plane; ++p) plane_sum += plane[p];
      sum += plane_sum;
    }
    grad_bias[o] = static_cast<float>(sum) + (accumulate ? grad_bias[o] : 0.0F);
  }
}

}  // namespace

CpuBackend::ConvScratch* CpuBackend::reserve_conv_scratch(int workers, std::size_t columns,
                                                          std::size_t channel_major,
                                                          std::size_t weight_gradient) {
  if (conv_scratch_.size() < static_cast<std::size_t>(workers)) conv_scratch_.resize(workers);
  for (int worker = 0; worker < workers; ++worker) {
    ConvScratch& scratch = conv_scratch_[worker];
    if (scratch.columns.size() < columns) scratch.columns.resize(columns);
    if (scratch.channel_major.size() < channel_major) scratch.channel_major.resize(channel_major);
    if (scratch.weight_gradient.size() < weight_gradient) {
      scratch.weight_gradient.resize(weight_gradient);
    }
  }
  return conv_scratch_.data();
}

void CpuBackend::conv2d_forward(const Conv2dGeometry& g, const float* input, const float* weight,
                                const float* bias, float* output) {
  const cpu::ThreadScope thread_scope(threads_);
  check_geometry(g);
#ifdef LATHE_HAVE_ONEDNN
  if (convolves_with_onednn(g, onednn::ConvPass::forward)) {
    return onednn_->forward(g, input, weight, bias, output, threads_);
  }
#endif
  const ConvSizes s(g);
  const int workers = conv_workers(threads_, g.batch);
  if (is_pointwise(g)) {
    const int plane = static_cast<int>(s.out_plane);
    split_batch(g.batch, workers, [&](int, int first, int images) {
      for (int n = first; n < first + images; ++n) {
        cpu::gemm_row_major(false, false, g.out_channels, plane, g.in_channels, 1.0F, weight,
                            g.in_channels, input + n * s.in_image, plane, 0.0F,
                            output + n * s.out_image, plane);
      }
      Conv2dGeometry part = g;
      part.batch = images;
      if (bias != nullptr) add_bias_nchw(part, s, bias, output + first * s.out_image);
    });
    return;
  }
  const int patch = static_cast<int>(s.patch);
  const Index chunk_columns = images_per_chunk(g, s) * s.out_plane;
  ConvScratch* scratch =
      reserve_conv_scratch(workers, s.patch * chunk_columns, g.out_channels * chunk_columns, 0);
  split_batch(g.batch, workers, [&](int worker, int first, int images) {
    float* patches = scratch[worker].columns.data();
    float* product = scratch[worker].channel_major.data();
    for_each_chunk(g, s, first, images, [&](int chunk_first, const Conv2dGeometry& part) {
      const ConvSizes p(part);
      const int columns = static_cast<int>(p.columns);
      im2col(part, p, input + chunk_first * s.in_image, patches);
      cpu::gemm_row_major(false, false, g.out_channels, columns, patch, 1.0F, weight, patch,
                          patches, columns, 0.0F, product, columns);
      channel_major_to_nchw(part, p, product, bias, output + chunk_first * s.out_image);
    });
  });
}

void CpuBackend::conv2d_forward_relu(const Conv2dGeometry& g, const float* input,
                                     const float* weight, const float* bias, float* output) {
  const cpu::ThreadScope thread_scope(threads_);
  check_geometry(g);
#ifdef LATHE_HAVE_ONEDNN
  if (convolves_with_onednn(g, onednn::ConvPass::forward)) {
    return onednn_->forward(g, input, weight, bias, output, threads_, onednn::Activation::relu);
  }
#endif
  conv2d_forward(g, input, weight, bias, output);
  relu_forward(Index{g.batch} * g.out_channels * g.out_height() * g.out_width(), output, output);
}

void CpuBackend::conv2d_backward_data(const Conv2dGeometry& g, const float* grad_output,
                                      const float* weight, float* grad_input) {
  const cpu::ThreadScope thread_scope(threads_);
  check_geometry(g);
#ifdef LATHE_HAVE_ONEDNN
  if (convolves_with_onednn(g, onednn::ConvPass::backward_data)) {
    return onednn_->backward_data(g, grad_output, weight, grad_input, threads_);
  }
#endif
  const ConvSizes s(g);
  const int workers = conv_workers(threads_, g.batch);
  if (is_pointwise(g)) {
    const int plane = static_cast<int>(s.out_plane);
    split_batch(g.batch, workers, [&](int, int first, int images) {
      for (int n = first; n < first + images; ++n) {
        cpu::gemm_row_major(true, false, g.in_channels, plane, g.out_channels, 1.0F, weight,
                            g.in_channels, grad_output + n * s.out_image, plane, 0.0F,
                            grad_input + n * s.in_image, plane);
      }
    });
    return;
  }
  const int patch = static_cast<int>(s.patch);
  const Index chunk_columns = images_per_chunk(g, s) * s.out_plane;
  ConvScratch* scratch =
      reserve_conv_scratch(workers, s.patch * chunk_columns, g.out_channels * chunk_columns, 0);
  split_batch(g.batch, workers, [&](int worker, int first, int images) {
    float* grad_patches = scratch[worker].columns.data();
    float* grad_major = scratch[worker].channel_major.data();
    for_each_chunk(g, s, first, images, [&](int chunk_first, const Conv2dGeometry& part) {
      const ConvSizes p(part);
      const int columns = static_cast<int>(p.columns);
      nchw_to_channel_major(part, p, grad_output + chunk_first * s.out_image, grad_major);
      cpu::gemm_row_major(true, false, patch, columns, g.out_channels, 1.0F, weight, patch,
                          grad_major, columns, 0.0F, grad_patches, columns);
      col2im(part, p, grad_patches, grad_input + chunk_first * s.in_image);
    });
  });
}

void CpuBackend::conv2d_backward_filter(const Conv2dGeometry& g, const float* input,
                                        const float* grad_output, float* grad_weight,
                                        float* grad_bias, bool accumulate) {
  const cpu::ThreadScope thread_scope(threads_);
  check_geometry(g);
#ifdef LATHE_HAVE_ONEDNN
  if (convolves_with_onednn(g, onednn::ConvPass::backward_filter)) {
    return onednn_->backward_filter(g, input, grad_output, grad_weight, grad_bias, accumulate,
                                    threads_);
  }
#endif
  const ConvSizes s(g);
  if (grad_bias != nullptr) sum_bias_gradient(g, s, grad_output, grad_bias, accumulate);
  const int workers = conv_workers(threads_, g.batch);
  const int patch = static_cast<int>(s.patch);
  const Index weight_size = g.out_channels * s.patch;
  const bool pointwise = is_pointwise(g);
  const Index chunk_columns = pointwise ? 0 : images_per_chunk(g, s) * s.out_plane;
  ConvScratch* scratch = reserve_conv_scratch(workers, s.patch * chunk_columns,
                                              g.out_channels * chunk_columns, weight_size);
  // Each thread sums its images into its own share; the shares are added afterwards.
  split_batch(g.batch, workers, [&](int worker, int first, int images) {
    float* share = scratch[worker].weight_gradient.data();
    std::fill_n(share, weight_size, 0.0F);
    if (pointwise) {
      const int plane = static_cast<int>(s.out_plane);
      for (int n = first; n < first + images; ++n) {
        cpu::gemm_row_major(false, true, g.out_channels, g.in_channels, plane, 1.0F,
                            grad_output + n * s.out_image, plane, input + n * s.in_image, plane,
                            1.0F, share, g.in_channels);
      }
      return;
    }
    float* patches = scratch[worker].columns.data();
    float* grad_major = scratch[worker].channel_major.data();
    for_each_chunk(g, s, first, images, [&](int chunk_first, const Conv2dGeometry& part) {
      const ConvSizes p(part);
      const int columns = static_cast<int>(p.columns);
      nchw_to_channel_major(part, p, grad_output + chunk_first * s.out_image, grad_major);
      im2col(part, p, input + chunk_first * s.in_image, patches);
      cpu::gemm_row_major(false, true, g.out_channels, patch, columns, 1.0F, grad_major, columns,
                          patches, columns, 1.0F, share, patch);
    });
  });
  // In worker order, so a given thread count always adds up the same way.
  if (!accumulate) std::fill_n(grad_weight, weight_size, 0.0F);
  for (int worker = 0; worker < workers; ++worker) {
    const float* share = scratch[worker].weight_gradient.data();
    for (Index i = 0; i < weight_size; ++i) grad_weight[i] += share[i];
  }
}

}  // namespace lathe
