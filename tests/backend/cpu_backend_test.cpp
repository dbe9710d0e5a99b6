// The CPU backend against naive, obviously correct references written here (direct
// convolution loops, double precision), against central finite differences for the
// backward passes, and against itself across thread counts.
#include "backend/cpu/cpu_backend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"

namespace lathe {
namespace {

using Index = std::int64_t;
using Floats = std::vector<float>;
using Doubles = std::vector<double>;

Floats random_values(std::size_t count, std::uint32_t seed, float low = -1.0F, float high = 1.0F) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(low, high);
  Floats values(count);
  for (float& v : values) v = distribution(generator);
  return values;
}

// Largest |actual - expected| / (1 + |expected|): relative for large values, absolute
// near zero, where a relative error means nothing.
template <class Actual, class Expected>
double max_error(const Actual& actual, const Expected& expected) {
  EXPECT_EQ(actual.size(), expected.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
    const double e = static_cast<double>(expected[i]);
    const double difference = std::abs(static_cast<double>(actual[i]) - e) / (1.0 + std::abs(e));
    if (!(difference <= worst)) worst = difference;  // a NaN sticks
  }
  return worst;
}

// sum_i values[i] * weights[i] in double: the scalar "loss" whose gradient with respect to
// an op's output is `weights`, for finite differences.
double weighted_sum(const Floats& values, const Floats& weights) {
  double sum = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    sum += static_cast<double>(values[i]) * weights[i];
  }
  return sum;
}

// Central differences of loss() with respect to every entry of `variable`.
Doubles finite_differences(Floats& variable, float step, const std::function<double()>& loss) {
  Doubles gradient(variable.size());
  for (std::size_t i = 0; i < variable.size(); ++i) {
    const float original = variable[i];
    variable[i] = original + step;
    const double up = loss();
    variable[i] = original - step;
    const double down = loss();
    variable[i] = original;
    gradient[i] = (up - down) / (2.0 * static_cast<double>(step));
  }
  return gradient;
}

// ---------------------------------------------------------------- GEMM ----

// C = alpha * op(A) op(B) + beta * C on row-major strided storage, in double.
Doubles reference_gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                       const Floats& a, int lda, const Floats& b, int ldb, float beta,
                       const Floats& c, int ldc) {
  Doubles result(c.begin(), c.end());
  for (int row = 0; row < m; ++row) {
    for (int col = 0; col < n; ++col) {
      double sum = 0.0;
      for (int inner = 0; inner < k; ++inner) {
        const float a_value = transpose_a ? a[inner * lda + row] : a[row * lda + inner];
        const float b_value = transpose_b ? b[col * ldb + inner] : b[inner * ldb + col];
        sum += static_cast<double>(a_value) * b_value;
      }
      const double previous = beta == 0.0F ? 0.0 : beta * result[row * ldc + col];
      result[row * ldc + col] = alpha * sum + previous;
    }
  }
  return result;
}

TEST(CpuBackendGemm, AllTransposeCombinationsWithPaddedLeadingDimensionsMatchReference) {
  auto backend = make_cpu_backend(2);
  const int m = 13;
  const int n = 17;
  const int k = 11;
  const int padding = 5;  // every leading dimension is 5 longer than its row
  for (const bool transpose_a : {false, true}) {
    for (const bool transpose_b : {false, true}) {
      for (const float beta : {0.0F, 1.0F, -0.5F}) {
        const int a_rows = transpose_a ? k : m;
        const int lda = (transpose_a ? m : k) + padding;
        const int b_rows = transpose_b ? n : k;
        const int ldb = (transpose_b ? k : n) + padding;
        const int ldc = n + padding;
        const Floats a = random_values(static_cast<std::size_t>(a_rows * lda), 1);
        const Floats b = random_values(static_cast<std::size_t>(b_rows * ldb), 2);
        Floats c = random_values(static_cast<std::size_t>(m * ldc), 3);
        const Doubles expected =
            reference_gemm(transpose_a, transpose_b, m, n, k, 0.75F, a, lda, b, ldb, beta, c, ldc);
        backend->gemm(transpose_a, transpose_b, m, n, k, 0.75F, a.data(), lda, b.data(), ldb, beta,
                      c.data(), ldc);
        // The padding between rows of C is left as it was (reference_gemm keeps it too).
        EXPECT_LT(max_error(c, expected), 1e-5) << "transpose_a " << transpose_a << ", transpose_b "
                                                << transpose_b << ", beta " << beta;
      }
    }
  }
}

TEST(CpuBackendGemm, ZeroBetaOverwritesNanInOutput) {
  auto backend = make_cpu_backend(1);
  const Floats a = random_values(6, 4);
  const Floats b = random_values(6, 5);
  Floats c(4, std::numeric_limits<float>::quiet_NaN());
  backend->gemm(false, false, 2, 2, 3, 1.0F, a.data(), 3, b.data(), 2, 0.0F, c.data(), 2);
  const Doubles expected = reference_gemm(false, false, 2, 2, 3, 1.0F, a, 3, b, 2, 0.0F, c, 2);
  EXPECT_LT(max_error(c, expected), 1e-6);
}

TEST(CpuBackendGemm, EmptyInnerDimensionScalesOutputByBeta) {
  auto backend = make_cpu_backend(1);
  Floats c = {1.0F, 2.0F, 3.0F, 4.0F};
  backend->gemm(false, false, 2, 2, 0, 1.0F, nullptr, 1, nullptr, 2, 0.5F, c.data(), 2);
  EXPECT_EQ(c, (Floats{0.5F, 1.0F, 1.5F, 2.0F}));
}

TEST(CpuBackendGemm, LeadingDimensionShorterThanRowThrows) {
  auto backend = make_cpu_backend(1);
  Floats buffer(16);
  EXPECT_THROW(backend->gemm(false, false, 2, 4, 4, 1.0F, buffer.data(), 3, buffer.data(), 4, 0.0F,
                             buffer.data(), 4),
               Error);
}

TEST(CpuBackendBias, AddBiasRowsAddsBiasToEveryRow) {
  auto backend = make_cpu_backend(1);
  Floats y = {1.0F, 2.0F, 3.0F, 4.0F, 5.0F, 6.0F};
  const Floats bias = {10.0F, 20.0F, 30.0F};
  backend->add_bias_rows(2, 3, bias.data(), y.data());
  EXPECT_EQ(y, (Floats{11.0F, 22.0F, 33.0F, 14.0F, 25.0F, 36.0F}));
}

TEST(CpuBackendBias, SumRowsOverwritesOrAccumulatesAsAsked) {
  auto backend = make_cpu_backend(2);
  const int rows = 300;
  const int cols = 700;  // several column blocks, enough work to run threaded
  const Floats dy = random_values(static_cast<std::size_t>(rows * cols), 6);
  Doubles expected(cols, 0.0);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) expected[c] += dy[r * cols + c];
  }
  Floats sums(cols, 123.0F);
  backend->sum_rows(rows, cols, dy.data(), sums.data(), false);
  EXPECT_LT(max_error(sums, expected), 1e-4);
  backend->sum_rows(rows, cols, dy.data(), sums.data(), true);
  for (double& e : expected) e *= 2.0;
  EXPECT_LT(max_error(sums, expected), 1e-4);
}

// --------------------------------------------------------- convolution ----

std::string describe(const Conv2dGeometry& g) {
  std::ostringstream text;
  text << "batch " << g.batch << ", " << g.in_channels << "x" << g.in_height << "x" << g.in_width
       << " -> " << g.out_channels << ", kernel " << g.kernel_height << "x" << g.kernel_width
       << ", stride " << g.stride << ", padding " << g.padding;
  return text.str();
}

Index input_size(const Conv2dGeometry& g) {
  return Index{g.batch} * g.in_channels * g.in_height * g.in_width;
}
Index weight_size(const Conv2dGeometry& g) {
  return Index{g.out_channels} * g.in_channels * g.kernel_height * g.kernel_width;
}
Index output_size(const Conv2dGeometry& g) {
  return Index{g.batch} * g.out_channels * g.out_height() * g.out_width();
}

// Batch 1..3, channels, kernels 1/3/5 (square and not), strides 1/2, padding 0..2,
// non-square inputs; pointwise (1x1, stride 1, no padding) among them.
std::vector<Conv2dGeometry> conv_geometries() {
  std::vector<Conv2dGeometry> geometries;
  const int kernels[][2] = {{1, 1}, {3, 3}, {5, 5}, {3, 1}};
  for (const int batch : {1, 3}) {
    for (const int in_channels : {1, 3}) {
      for (const auto& kernel : kernels) {
        for (const int stride : {1, 2}) {
          for (const int padding : {0, 1, 2}) {
            for (const auto& [height, width] : {std::pair{7, 5}, std::pair{6, 9}}) {
              Conv2dGeometry g;
              g.batch = batch + (in_channels == 3 ? 1 : 0);  // batches 1, 2, 3, 4
              g.in_channels = in_channels;
              g.in_height = height;
              g.in_width = width;
              g.out_channels = in_channels == 1 ? 2 : 4;
              g.kernel_height = kernel[0];
              g.kernel_width = kernel[1];
              g.stride = stride;
              g.padding = padding;
              if (height + 2 * padding < kernel[0] || width + 2 * padding < kernel[1]) continue;
              geometries.push_back(g);
            }
          }
        }
      }
    }
  }
  return geometries;
}

// Visits every (image, out channel, out row, out col, in channel, kernel row, kernel col)
// whose input pixel lies inside the image: the seven loops of a direct convolution.
template <class Visit>
void for_each_tap(const Conv2dGeometry& g, Visit&& visit) {
  for (int n = 0; n < g.batch; ++n) {
    for (int o = 0; o < g.out_channels; ++o) {
      for (int oh = 0; oh < g.out_height(); ++oh) {
        for (int ow = 0; ow < g.out_width(); ++ow) {
          for (int c = 0; c < g.in_channels; ++c) {
            for (int ki = 0; ki < g.kernel_height; ++ki) {
              for (int kj = 0; kj < g.kernel_width; ++kj) {
                const int ih = oh * g.stride - g.padding + ki;
                const int iw = ow * g.stride - g.padding + kj;
                if (ih < 0 || ih >= g.in_height || iw < 0 || iw >= g.in_width) continue;
                const Index in_index =
                    ((Index{n} * g.in_channels + c) * g.in_height + ih) * g.in_width + iw;
                const Index weight_index =
                    ((Index{o} * g.in_channels + c) * g.kernel_height + ki) * g.kernel_width + kj;
                const Index out_index =
                    ((Index{n} * g.out_channels + o) * g.out_height() + oh) * g.out_width() + ow;
                visit(in_index, weight_index, out_index, o);
              }
            }
          }
        }
      }
    }
  }
}

Doubles reference_conv_forward(const Conv2dGeometry& g, const Floats& input, const Floats& weight,
                               const Floats* bias) {
  Doubles output(static_cast<std::size_t>(output_size(g)), 0.0);
  const Index plane = Index{g.out_height()} * g.out_width();
  if (bias != nullptr) {
    for (Index i = 0; i < output_size(g); ++i) output[i] = (*bias)[i / plane % g.out_channels];
  }
  for_each_tap(g, [&](Index in, Index w, Index out, int) {
    output[out] += static_cast<double>(input[in]) * weight[w];
  });
  return output;
}

struct ConvData {
  explicit ConvData(const Conv2dGeometry& g, std::uint32_t seed)
      : input(random_values(static_cast<std::size_t>(input_size(g)), seed)),
        weight(random_values(static_cast<std::size_t>(weight_size(g)), seed + 1)),
        bias(random_values(static_cast<std::size_t>(g.out_channels), seed + 2)),
        grad_output(random_values(static_cast<std::size_t>(output_size(g)), seed + 3)) {}
  Floats input;
  Floats weight;
  Floats bias;
  Floats grad_output;
};

void expect_forward_matches_direct_convolution(Backend& backend, const Conv2dGeometry& g) {
  const ConvData data(g, 10);
  Floats output(static_cast<std::size_t>(output_size(g)));
  backend.conv2d_forward(g, data.input.data(), data.weight.data(), data.bias.data(), output.data());
  EXPECT_LT(max_error(output, reference_conv_forward(g, data.input, data.weight, &data.bias)), 1e-5)
      << describe(g);
  backend.conv2d_forward(g, data.input.data(), data.weight.data(), nullptr, output.data());
  EXPECT_LT(max_error(output, reference_conv_forward(g, data.input, data.weight, nullptr)), 1e-5)
      << describe(g) << ", no bias";
}

void expect_backward_data_matches_direct_convolution(Backend& backend, const Conv2dGeometry& g) {
  const ConvData data(g, 20);
  Doubles expected(static_cast<std::size_t>(input_size(g)), 0.0);
  for_each_tap(g, [&](Index in, Index w, Index out, int) {
    expected[in] += static_cast<double>(data.grad_output[out]) * data.weight[w];
  });
  Floats grad_input(expected.size(), std::numeric_limits<float>::quiet_NaN());
  backend.conv2d_backward_data(g, data.grad_output.data(), data.weight.data(), grad_input.data());
  EXPECT_LT(max_error(grad_input, expected), 1e-5) << describe(g);
}

// `tolerance` covers float rounding in sums of N*OH*OW products, ~1e-5 up to ~1,000.
void expect_backward_filter_matches_direct_convolution(Backend& backend, const Conv2dGeometry& g,
                                                       double tolerance = 1e-5) {
  const ConvData data(g, 30);
  Doubles expected_weight(static_cast<std::size_t>(weight_size(g)), 0.0);
  Doubles expected_bias(static_cast<std::size_t>(g.out_channels), 0.0);
  for_each_tap(g, [&](Index in, Index w, Index out, int) {
    expected_weight[w] += static_cast<double>(data.grad_output[out]) * data.input[in];
  });
  const Index plane = Index{g.out_height()} * g.out_width();
  for (Index i = 0; i < output_size(g); ++i) {
    expected_bias[i / plane % g.out_channels] += data.grad_output[i];
  }
  // Overwrite: whatever was there (NaN here) is gone.
  Floats grad_weight(expected_weight.size(), std::numeric_limits<float>::quiet_NaN());
  Floats grad_bias(expected_bias.size(), std::numeric_limits<float>::quiet_NaN());
  backend.conv2d_backward_filter(g, data.input.data(), data.grad_output.data(), grad_weight.data(),
                                 grad_bias.data(), false);
  EXPECT_LT(max_error(grad_weight, expected_weight), tolerance) << describe(g);
  EXPECT_LT(max_error(grad_bias, expected_bias), tolerance) << describe(g);
  // Accumulate: a second call adds the same gradient again.
  backend.conv2d_backward_filter(g, data.input.data(), data.grad_output.data(), grad_weight.data(),
                                 grad_bias.data(), true);
  for (double& e : expected_weight) e *= 2.0;
  for (double& e : expected_bias) e *= 2.0;
  EXPECT_LT(max_error(grad_weight, expected_weight), tolerance) << describe(g) << ", accumulate";
  EXPECT_LT(max_error(grad_bias, expected_bias), tolerance) << describe(g) << ", accumulate";
  // No bias gradient asked for.
  backend.conv2d_backward_filter(g, data.input.data(), data.grad_output.data(), grad_weight.data(),
                                 nullptr, false);
  for (double& e : expected_weight) e /= 2.0;
  EXPECT_LT(max_error(grad_weight, expected_weight), tolerance) << describe(g) << ", no bias";
}

// The convolution paths this build has: im2col always, oneDNN where it was found.
std::vector<ConvolutionRoute> conv_routes() {
#ifdef LATHE_HAVE_ONEDNN
  return {ConvolutionRoute::im2col, ConvolutionRoute::onednn};
#else
  return {ConvolutionRoute::im2col};
#endif
}

const char* route_name(ConvolutionRoute route) {
  return route == ConvolutionRoute::onednn ? "onednn" : "im2col";
}

TEST(CpuBackendConv2d, ForwardMatchesDirectConvolution) {
  for (const ConvolutionRoute route : conv_routes()) {
    SCOPED_TRACE(route_name(route));
    CpuBackend backend(2, route);
    for (const Conv2dGeometry& g : conv_geometries()) {
      expect_forward_matches_direct_convolution(backend, g);
    }
  }
}

TEST(CpuBackendConv2d, BackwardDataMatchesDirectConvolution) {
  for (const ConvolutionRoute route : conv_routes()) {
    SCOPED_TRACE(route_name(route));
    CpuBackend backend(2, route);
    for (const Conv2dGeometry& g : conv_geometries()) {
      expect_backward_data_matches_direct_convolution(backend, g);
    }
  }
}

TEST(CpuBackendConv2d, BackwardFilterMatchesDirectConvolutionAndHonoursAccumulate) {
  for (const ConvolutionRoute route : conv_routes()) {
    SCOPED_TRACE(route_name(route));
    CpuBackend backend(2, route);
    for (const Conv2dGeometry& g : conv_geometries()) {
      expect_backward_filter_matches_direct_convolution(backend, g);
    }
  }
}

// The backend runs im2col and the GEMM over chunks of images whose patches fit in cache
// (a few MiB); 13 images of 72 x 48 x 48 patch values (660 KB each) span several.
TEST(CpuBackendConv2d, BatchSpanningSeveralChunksMatchesDirectConvolution) {
  CpuBackend backend(2, ConvolutionRoute::im2col);
  Conv2dGeometry g;
  g.batch = 13;
  g.in_channels = 8;
  g.in_height = 48;
  g.in_width = 48;
  g.out_channels = 3;
  g.kernel_height = 3;
  g.kernel_width = 3;
  g.padding = 1;
  expect_forward_matches_direct_convolution(backend, g);
  expect_backward_data_matches_direct_convolution(backend, g);
  // Each weight gradient sums 13 x 48 x 48 = 30,000 products in float.
  expect_backward_filter_matches_direct_convolution(backend, g, 1e-4);
}

// A few geometries, every entry: stride 2 with padding, pointwise, non-square kernel.
std::vector<Conv2dGeometry> finite_difference_geometries() {
  std::vector<Conv2dGeometry> geometries;
  for (const auto& g : conv_geometries()) {
    const bool pointwise = g.kernel_height == 1 && g.stride == 1 && g.padding == 0;
    const bool strided =
        g.kernel_height == 3 && g.kernel_width == 3 && g.stride == 2 && g.padding == 1;
    const bool tall = g.kernel_height == 3 && g.kernel_width == 1 && g.padding == 2;
    if (g.batch == 2 && g.in_height == 6 && (pointwise || strided || tall)) {
      geometries.push_back(g);
    }
  }
  return geometries;
}

TEST(CpuBackendConv2d, BackwardPassesMatchFiniteDifferences) {
  auto backend = make_cpu_backend(1);
  const auto geometries = finite_difference_geometries();
  ASSERT_FALSE(geometries.empty());
  for (const Conv2dGeometry& g : geometries) {
    ConvData data(g, 40);
    Floats output(static_cast<std::size_t>(output_size(g)));
    const auto loss = [&] {
      backend->conv2d_forward(g, data.input.data(), data.weight.data(), data.bias.data(),
                              output.data());
      return weighted_sum(output, data.grad_output);
    };
    Floats grad_input(data.input.size());
    Floats grad_weight(data.weight.size());
    Floats grad_bias(data.bias.size());
    backend->conv2d_backward_data(g, data.grad_output.data(), data.weight.data(),
                                  grad_input.data());
    backend->conv2d_backward_filter(g, data.input.data(), data.grad_output.data(),
                                    grad_weight.data(), grad_bias.data(), false);
    // The loss is linear in each variable, so only float rounding of the loss (about
    // 1e-6 of its size, divided by the 2e-2 step) separates the two.
    EXPECT_LT(max_error(grad_input, finite_differences(data.input, 1e-2F, loss)), 2e-3)
        << describe(g);
    EXPECT_LT(max_error(grad_weight, finite_differences(data.weight, 1e-2F, loss)), 2e-3)
        << describe(g);
    EXPECT_LT(max_error(grad_bias, finite_differences(data.bias, 1e-2F, loss)), 2e-3)
        << describe(g);
  }
}

TEST(CpuBackendConv2d, InvalidGeometryThrows) {
  auto backend = make_cpu_backend(1);
  Conv2dGeometry g;
  g.batch = 1;
  g.in_channels = 1;
  g.in_height = 2;
  g.in_width = 2;
  g.out_channels = 1;
  g.kernel_height = 3;  // larger than the unpadded input
  g.kernel_width = 3;
  g.stride = 2;
  Floats buffer(64);
  EXPECT_THROW(backend->conv2d_forward(g, buffer.data(), buffer.data(), nullptr, buffer.data()),
               Error);
}

// ------------------------------------------------------------- pooling ----

std::string describe(const Pool2dGeometry& g) {
  std::ostringstream text;
  text << "batch " << g.batch << ", " << g.channels << "x" << g.in_height << "x" << g.in_width
       << ", kernel " << g.kernel << ", stride " << g.stride << ", padding " << g.padding;
  return text.str();
}

std::vector<Pool2dGeometry> pool_geometries() {
  std::vector<Pool2dGeometry> geometries;
  for (const int batch : {1, 3}) {
    for (const int kernel : {1, 2, 3}) {
      for (const int stride : {1, 2}) {
        for (int padding = 0; 2 * padding <= kernel; ++padding) {
          for (const auto& [height, width] : {std::pair{6, 6}, std::pair{7, 5}}) {
            Pool2dGeometry g;
            g.batch = batch;
            g.channels = 2;
            g.in_height = height;
            g.in_width = width;
            g.kernel = kernel;
            g.stride = stride;
            g.padding = padding;
            geometries.push_back(g);
          }
        }
      }
    }
  }
  return geometries;
}

Index pool_input_size(const Pool2dGeometry& g) {
  return Index{g.batch} * g.channels * g.in_height * g.in_width;
}
Index pool_output_size(const Pool2dGeometry& g) {
  return Index{g.batch} * g.channels * g.out_height() * g.out_width();
}

// Calls visit(input index or -1 for a padding cell, output index, index within the plane)
// for every cell of every window.
template <class Visit>
void for_each_pool_cell(const Pool2dGeometry& g, Visit&& visit) {
  const Index in_plane = Index{g.in_height} * g.in_width;
  for (Index plane = 0; plane < Index{g.batch} * g.channels; ++plane) {
    for (int oh = 0; oh < g.out_height(); ++oh) {
      for (int ow = 0; ow < g.out_width(); ++ow) {
        const Index out = (plane * g.out_height() + oh) * g.out_width() + ow;
        for (int ki = 0; ki < g.kernel; ++ki) {
          for (int kj = 0; kj < g.kernel; ++kj) {
            const int ih = oh * g.stride - g.padding + ki;
            const int iw = ow * g.stride - g.padding + kj;
            const bool inside = ih >= 0 && ih < g.in_height && iw >= 0 && iw < g.in_width;
            const Index within = Index{ih} * g.in_width + iw;
            visit(inside ? plane * in_plane + within : -1, out, within);
          }
        }
      }
    }
  }
}

// Distinct values 0.01 apart: no ties, and a 1e-3 finite-difference step never changes
// which input a max window picks.
Floats distinct_values(std::size_t count, std::uint32_t seed) {
  Floats values(count);
  std::iota(values.begin(), values.end(), 0.0F);
  std::shuffle(values.begin(), values.end(), std::mt19937(seed));
  for (float& v : values) v = v * 0.01F - 1.0F;
  return values;
}

TEST(CpuBackendMaxPool, ForwardAndBackwardMatchReferenceAndFiniteDifferences) {
  auto backend = make_cpu_backend(2);
  for (const Pool2dGeometry& g : pool_geometries()) {
    Floats input = distinct_values(static_cast<std::size_t>(pool_input_size(g)), 50);
    const Floats grad_output = random_values(static_cast<std::size_t>(pool_output_size(g)), 51);
    Doubles expected(static_cast<std::size_t>(pool_output_size(g)),
                     -std::numeric_limits<double>::infinity());
    std::vector<std::int32_t> expected_argmax(expected.size(), -1);
    for_each_pool_cell(g, [&](Index in, Index out, Index within) {
      if (in >= 0 && input[in] > expected[out]) {
        expected[out] = input[in];
        expected_argmax[out] = static_cast<std::int32_t>(within);
      }
    });
    Floats output(expected.size());
    std::vector<std::int32_t> argmax(expected.size());
    backend->maxpool_forward(g, input.data(), output.data(), argmax.data());
    EXPECT_LT(max_error(output, expected), 1e-7) << describe(g);
    EXPECT_EQ(argmax, expected_argmax) << describe(g);

    Floats grad_input(input.size(), std::numeric_limits<float>::quiet_NaN());
    backend->maxpool_backward(g, grad_output.data(), argmax.data(), grad_input.data());
    std::vector<std::int32_t> scratch_argmax(argmax.size());
    const auto loss = [&] {
      backend->maxpool_forward(g, input.data(), output.data(), scratch_argmax.data());
      return weighted_sum(output, grad_output);
    };
    EXPECT_LT(max_error(grad_input, finite_differences(input, 1e-3F, loss)), 1e-3) << describe(g);
  }
}

TEST(CpuBackendMaxPool, NanInWindowPropagatesToOutput) {
  auto backend = make_cpu_backend(1);
  Pool2dGeometry g;
  g.batch = 1;
  g.channels = 1;
  g.in_height = 2;
  g.in_width = 2;
  const Floats input = {1.0F, std::numeric_limits<float>::quiet_NaN(), 3.0F, 2.0F};
  Floats output(1);
  std::vector<std::int32_t> argmax(1);
  // Stride 2 takes the 2x2 fast path, stride 1 the generic loop.
  for (const int stride : {2, 1}) {
    g.stride = stride;
    backend->maxpool_forward(g, input.data(), output.data(), argmax.data());
    EXPECT_TRUE(std::isnan(output[0])) << "stride " << stride;
    EXPECT_EQ(argmax[0], 1) << "stride " << stride;
  }
}

// Two rows of 40 windows on a 5 x 81 plane (odd sizes: the last row and column are in
// no window) run the 2x2 path's vectorised loop and its tail: a NaN in any of a window's
// four places wins, and ties keep the first in PyTorch's scan order.
TEST(CpuBackendMaxPool, NanAndTiesInLongRowsPickAsPyTorchDoes) {
  auto backend = make_cpu_backend(1);
  Pool2dGeometry g;
  g.batch = 1;
  g.channels = 1;
  g.in_height = 5;
  g.in_width = 81;
  g.stride = 2;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Floats input(5 * 81, 1.0F);  // every window a four-way tie: index of its top left
  const auto nan_at = [](int oh, int ow) {
    const int place = (ow + oh) % 5;  // 0-3: a NaN at that place of the window; 4: none
    return place == 4 ? -1 : (2 * oh + place / 2) * 81 + 2 * ow + place % 2;
  };
  for (int oh = 0; oh < 2; ++oh) {
    for (int ow = 0; ow < 40; ++ow) {
      if (nan_at(oh, ow) >= 0) input[nan_at(oh, ow)] = nan;
    }
  }
  for (int column = 80; column < 5 * 81; column += 81) input[column] = 9.0F;  // in no window
  for (int column = 4 * 81; column < 5 * 81; ++column) input[column] = 9.0F;
  Floats output(80);
  std::vector<std::int32_t> argmax(80);
  backend->maxpool_forward(g, input.data(), output.data(), argmax.data());
  for (int oh = 0; oh < 2; ++oh) {
    for (int ow = 0; ow < 40; ++ow) {
      const int at = oh * 40 + ow;
      if (nan_at(oh, ow) < 0) {
        EXPECT_EQ(output[at], 1.0F) << "window " << oh << "," << ow;
        EXPECT_EQ(argmax[at], 2 * oh * 81 + 2 * ow) << "window " << oh << "," << ow;
      } else {
        EXPECT_TRUE(std::isnan(output[at])) << "window " << oh << "," << ow;
        EXPECT_EQ(argmax[at], nan_at(oh, ow)) << "window " << oh << "," << ow;
      }
    }
  }
}

TEST(CpuBackendAvgPool, ForwardAndBackwardMatchReferenceAndFiniteDifferences) {
  auto backend = make_cpu_backend(2);
  for (const Pool2dGeometry& g : pool_geometries()) {
    Floats input = random_values(static_cast<std::size_t>(pool_input_size(g)), 60);
    const Floats grad_output = random_values(static_cast<std::size_t>(pool_output_size(g)), 61);
    // Padding cells count as zeros and in the divisor (count_include_pad=True).
    const double area = static_cast<double>(g.kernel * g.kernel);
    Doubles expected(static_cast<std::size_t>(pool_output_size(g)), 0.0);
    Doubles expected_grad(input.size(), 0.0);
    for_each_pool_cell(g, [&](Index in, Index out, Index) {
      if (in < 0) return;
      expected[out] += input[in] / area;
      expected_grad[in] += grad_output[out] / area;
    });
    Floats output(expected.size());
    backend->avgpool_forward(g, input.data(), output.data());
    EXPECT_LT(max_error(output, expected), 1e-6) << describe(g);

    Floats grad_input(input.size(), std::numeric_limits<float>::quiet_NaN());
    backend->avgpool_backward(g, grad_output.data(), grad_input.data());
    EXPECT_LT(max_error(grad_input, expected_grad), 1e-6) << describe(g);
    const auto loss = [&] {
      backend->avgpool_forward(g, input.data(), output.data());
      return weighted_sum(output, grad_output);
    };
    EXPECT_LT(max_error(grad_input, finite_differences(input, 1e-2F, loss)), 1e-3) << describe(g);
  }
}

TEST(CpuBackendPooling, PaddingOverHalfTheKernelThrows) {
  auto backend = make_cpu_backend(1);
  Pool2dGeometry g;
  g.batch = 1;
  g.channels = 1;
  g.in_height = 4;
  g.in_width = 4;
  g.kernel = 2;
  g.padding = 2;
  Floats buffer(64);
  EXPECT_THROW(backend->avgpool_forward(g, buffer.data(), buffer.data()), Error);
}

// ------------------------------------------------------- batch norm ----

struct BatchNormData {
  explicit BatchNormData(const BatchNormGeometry& g, std::uint32_t seed)
      : x(random_values(static_cast<std::size_t>(g.batch * g.channels * g.spatial), seed, -2.0F,
                        3.0F)),
        gamma(random_values(static_cast<std::size_t>(g.channels), seed + 1, 0.5F, 1.5F)),
        beta(random_values(static_cast<std::size_t>(g.channels), seed + 2)),
        dy(random_values(x.size(), seed + 3)) {}
  Floats x;
  Floats gamma;
  Floats beta;
  Floats dy;
};

std::vector<BatchNormGeometry> batchnorm_geometries() {
  return {{2, 3, 5}, {3, 4, 1}, {1, 2, 6}, {4, 3, 12}};
}

std::string describe(const BatchNormGeometry& g) {
  std::ostringstream text;
  text << "batch " << g.batch << ", channels " << g.channels << ", spatial " << g.spatial;
  return text.str();
}

struct ChannelStatistics {
  Doubles mean;
  Doubles variance;  // biased
};

ChannelStatistics reference_statistics(const BatchNormGeometry& g, const Floats& x) {
  ChannelStatistics stats{Doubles(g.channels, 0.0), Doubles(g.channels, 0.0)};
  const double count = static_cast<double>(g.batch) * g.spatial;
  for (int c = 0; c < g.channels; ++c) {
    for (int n = 0; n < g.batch; ++n) {
      for (int s = 0; s < g.spatial; ++s) {
        stats.mean[c] += x[(n * g.channels + c) * g.spatial + s] / count;
      }
    }
    for (int n = 0; n < g.batch; ++n) {
      for (int s = 0; s < g.spatial; ++s) {
        const double centred = x[(n * g.channels + c) * g.spatial + s] - stats.mean[c];
        stats.variance[c] += centred * centred / count;
      }
    }
  }
  return stats;
}

TEST(CpuBackendBatchNorm, TrainingForwardNormalisesAndUpdatesRunningStatsAsPyTorch) {
  auto backend = make_cpu_backend(2);
  const float epsilon = 1e-5F;
  const float momentum = 0.1F;
  for (const BatchNormGeometry& g : batchnorm_geometries()) {
    const BatchNormData data(g, 70);
    const ChannelStatistics stats = reference_statistics(g, data.x);
    Doubles expected_y(data.x.size());
    for (std::size_t i = 0; i < data.x.size(); ++i) {
      const std::size_t c = i / static_cast<std::size_t>(g.spatial) % g.channels;
      expected_y[i] =
          (data.x[i] - stats.mean[c]) / std::sqrt(stats.variance[c] + epsilon) * data.gamma[c] +
          data.beta[c];
    }
    Doubles expected_running_mean(g.channels);
    Doubles expected_running_var(g.channels);
    Doubles expected_inv_std(g.channels);
    const double count = static_cast<double>(g.batch) * g.spatial;
    for (int c = 0; c < g.channels; ++c) {
      expected_running_mean[c] = 0.9 * 0.25 + 0.1 * stats.mean[c];
      expected_running_var[c] = 0.9 * 2.0 + 0.1 * stats.variance[c] * count / (count - 1.0);
      expected_inv_std[c] = 1.0 / std::sqrt(stats.variance[c] + epsilon);
    }
    Floats y(data.x.size());
    Floats saved_mean(g.channels);
    Floats saved_inv_std(g.channels);
    Floats running_mean(g.channels, 0.25F);
    Floats running_var(g.channels, 2.0F);
    backend->batchnorm_forward_training(
        g, data.x.data(), data.gamma.data(), data.beta.data(), epsilon, momentum, y.data(),
        saved_mean.data(), saved_inv_std.data(), running_mean.data(), running_var.data());
    EXPECT_LT(max_error(y, expected_y), 1e-5) << describe(g);
    EXPECT_LT(max_error(saved_mean, stats.mean), 1e-6) << describe(g);
    EXPECT_LT(max_error(saved_inv_std, expected_inv_std), 1e-5) << describe(g);
    EXPECT_LT(max_error(running_mean, expected_running_mean), 1e-6) << describe(g);
    EXPECT_LT(max_error(running_var, expected_running_var), 1e-6) << describe(g);
  }
}

TEST(CpuBackendBatchNorm, TrainingWithOneValuePerChannelThrows) {
  auto backend = make_cpu_backend(1);
  const BatchNormGeometry g{1, 2, 1};
  Floats buffer(8, 1.0F);
  float* b = buffer.data();
  EXPECT_THROW(backend->batchnorm_forward_training(g, b, b, b, 1e-5F, 0.1F, b, b, b, b, b), Error);
}

TEST(CpuBackendBatchNorm, InferenceForwardUsesRunningStatistics) {
  auto backend = make_cpu_backend(1);
  const BatchNormGeometry g{2, 3, 4};
  const BatchNormData data(g, 80);
  const Floats running_mean = {0.5F, -1.0F, 2.0F};
  const Floats running_var = {1.5F, 0.25F, 4.0F};
  Doubles expected(data.x.size());
  for (std::size_t i = 0; i < data.x.size(); ++i) {
    const std::size_t c = i / 4 % 3;
    expected[i] = (data.x[i] - running_mean[c]) / std::sqrt(running_var[c] + 1e-3) * data.gamma[c] +
                  data.beta[c];
  }
  Floats y(data.x.size());
  backend->batchnorm_forward_inference(g, data.x.data(), data.gamma.data(), data.beta.data(),
                                       running_mean.data(), running_var.data(), 1e-3F, y.data());
  EXPECT_LT(max_error(y, expected), 1e-5);
}

TEST(CpuBackendBatchNorm, BackwardMatchesFiniteDifferencesAndHonoursAccumulate) {
  auto backend = make_cpu_backend(1);
  const float epsilon = 1e-5F;
  for (const BatchNormGeometry& g : batchnorm_geometries()) {
    BatchNormData data(g, 90);
    Floats y(data.x.size());
    Floats mean(g.channels);
    Floats inv_std(g.channels);
    Floats running_mean(g.channels);
    Floats running_var(g.channels);
    const auto forward = [&] {
      backend->batchnorm_forward_training(g, data.x.data(), data.gamma.data(), data.beta.data(),
                                          epsilon, 0.1F, y.data(), mean.data(), inv_std.data(),
                                          running_mean.data(), running_var.data());
    };
    const auto loss = [&] {
      forward();
      return weighted_sum(y, data.dy);
    };
    forward();
    Floats dx(data.x.size(), std::numeric_limits<float>::quiet_NaN());
    Floats dgamma(g.channels, std::numeric_limits<float>::quiet_NaN());
    Floats dbeta(g.channels, std::numeric_limits<float>::quiet_NaN());
    backend->batchnorm_backward(g, data.x.data(), data.dy.data(), data.gamma.data(), mean.data(),
                                inv_std.data(), dx.data(), dgamma.data(), dbeta.data(), false);
    // Nonlinear in x: a 1e-3 step keeps the truncation error near 1e-6 while the float
    // rounding of the loss, divided by the step, stays near 1e-4.
    EXPECT_LT(max_error(dx, finite_differences(data.x, 1e-3F, loss)), 2e-3) << describe(g);
    const Doubles expected_dgamma = finite_differences(data.gamma, 1e-3F, loss);
    const Doubles expected_dbeta = finite_differences(data.beta, 1e-3F, loss);
    EXPECT_LT(max_error(dgamma, expected_dgamma), 2e-3) << describe(g);
    EXPECT_LT(max_error(dbeta, expected_dbeta), 2e-3) << describe(g);

    forward();
    backend->batchnorm_backward(g, data.x.data(), data.dy.data(), data.gamma.data(), mean.data(),
                                inv_std.data(), dx.data(), dgamma.data(), dbeta.data(), true);
    Doubles twice_dgamma(expected_dgamma);
    Doubles twice_dbeta(expected_dbeta);
    for (double& e : twice_dgamma) e *= 2.0;
    for (double& e : twice_dbeta) e *= 2.0;
    EXPECT_LT(max_error(dgamma, twice_dgamma), 4e-3) << describe(g) << ", accumulate";
    EXPECT_LT(max_error(dbeta, twice_dbeta), 4e-3) << describe(g) << ", accumulate";
  }
}

// ---------------------------------------------------------- elementwise ----

// Long enough that every elementwise op runs threaded.
constexpr std::size_t kLong = 100'003;

TEST(CpuBackendElementwise, EachOpComputesItsFormula) {
  auto backend = make_cpu_backend(2);
  const Index n = static_cast<Index>(kLong);
  const Floats a = random_values(kLong, 100);
  const Floats b = random_values(kLong, 101);
  Floats out(kLong);

  backend->relu_forward(n, a.data(), out.data());
  for (std::size_t i = 0; i < kLong; ++i) ASSERT_EQ(out[i], a[i] > 0.0F ? a[i] : 0.0F) << i;
  const Floats relu_y = out;
  backend->relu_backward(n, relu_y.data(), b.data(), out.data());
  for (std::size_t i = 0; i < kLong; ++i) ASSERT_EQ(out[i], relu_y[i] > 0.0F ? b[i] : 0.0F) << i;

  backend->add(n, a.data(), b.data(), out.data());
  for (std::size_t i = 0; i < kLong; ++i) ASSERT_EQ(out[i], a[i] + b[i]) << i;
  backend->multiply(n, a.data(), b.data(), out.data());
  for (std::size_t i = 0; i < kLong; ++i) ASSERT_EQ(out[i], a[i] * b[i]) << i;
  backend->copy(n, a.data(), out.data());
  EXPECT_EQ(out, a);
  backend->axpy(n, -0.5F, b.data(), out.data());
  for (std::size_t i = 0; i < kLong; ++i) ASSERT_FLOAT_EQ(out[i], a[i] - 0.5F * b[i]) << i;
  backend->fill(n, 3.5F, out.data());
  EXPECT_EQ(out, Floats(kLong, 3.5F));
}

TEST(CpuBackendElementwise, ReluForwardPropagatesNan) {
  auto backend = make_cpu_backend(1);
  const Floats x = {std::numeric_limits<float>::quiet_NaN(), -1.0F};
  Floats y(2);
  backend->relu_forward(2, x.data(), y.data());
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], 0.0F);
}

TEST(CpuBackendDropout, MaskIsAPureFunctionOfSeedAndIndex) {
  auto backend = make_cpu_backend(2);
  const Floats x = random_values(kLong, 110);
  Floats y(kLong);
  Floats mask(kLong);
  Floats again(kLong);
  backend->dropout_forward(static_cast<Index>(kLong), 0.3F, 42, x.data(), y.data(), mask.data());
  backend->dropout_forward(static_cast<Index>(kLong), 0.3F, 42, x.data(), y.data(), again.data());
  EXPECT_EQ(mask, again);
  // A shorter call draws the same first elements: nothing depends on n or on threads.
  backend->set_threads(1);
  Floats prefix(1000);
  backend->dropout_forward(1000, 0.3F, 42, x.data(), y.data(), prefix.data());
  EXPECT_TRUE(std::equal(prefix.begin(), prefix.end(), mask.begin()));
  backend->dropout_forward(static_cast<Index>(kLong), 0.3F, 43, x.data(), y.data(), again.data());
  EXPECT_NE(mask, again);
}

TEST(CpuBackendDropout, KeepsAboutOneMinusPAndScalesTheKept) {
  auto backend = make_cpu_backend(2);
  const Floats x = random_values(kLong, 120);
  Floats y(kLong);
  Floats mask(kLong);
  for (const float p : {0.1F, 0.5F, 0.8F}) {
    backend->dropout_forward(static_cast<Index>(kLong), p, 7, x.data(), y.data(), mask.data());
    const float scale = 1.0F / (1.0F - p);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < kLong; ++i) {
      ASSERT_TRUE(mask[i] == 0.0F || mask[i] == scale) << "p " << p << ", mask " << mask[i];
      ASSERT_EQ(y[i], x[i] * mask[i]);
      kept += mask[i] != 0.0F ? 1 : 0;
    }
    // 100,000 Bernoulli draws: the standard deviation of the fraction is under 0.0016.
    EXPECT_NEAR(static_cast<double>(kept) / kLong, 1.0 - p, 0.01) << "p " << p;
  }
}

TEST(CpuBackendDropout, ZeroKeepsEverythingAndOneDropsEverything) {
  auto backend = make_cpu_backend(1);
  const Floats x = random_values(1000, 130);
  Floats y(1000);
  Floats mask(1000);
  backend->dropout_forward(1000, 0.0F, 1, x.data(), y.data(), mask.data());
  EXPECT_EQ(mask, Floats(1000, 1.0F));
  EXPECT_EQ(y, x);
  backend->dropout_forward(1000, 1.0F, 1, x.data(), y.data(), mask.data());
  EXPECT_EQ(mask, Floats(1000, 0.0F));
  EXPECT_EQ(y, Floats(1000, 0.0F));
}

// ----------------------------------------------------------------- loss ----

TEST(CpuBackendSoftmaxCrossEntropy, LossGradientAndAccuracyMatchReference) {
  auto backend = make_cpu_backend(2);
  for (const auto& [batch, classes] : {std::pair{1, 2}, std::pair{5, 10}, std::pair{300, 200}}) {
    Floats logits = random_values(static_cast<std::size_t>(batch * classes), 140, -4.0F, 4.0F);
    std::vector<std::int32_t> labels(batch);
    std::mt19937 generator(141);
    for (auto& label : labels) label = static_cast<std::int32_t>(generator() % classes);
    double expected_loss = 0.0;
    int expected_correct = 0;
    Doubles expected_grad(logits.size());
    for (int r = 0; r < batch; ++r) {
      const float* z = logits.data() + r * classes;
      double exp_sum = 0.0;
      for (int k = 0; k < classes; ++k) exp_sum += std::exp(static_cast<double>(z[k]));
      expected_loss += (std::log(exp_sum) - z[labels[r]]) / batch;
      const auto best = std::max_element(z, z + classes) - z;
      expected_correct += best == labels[r] ? 1 : 0;
      for (int k = 0; k < classes; ++k) {
        expected_grad[r * classes + k] =
            (std::exp(static_cast<double>(z[k])) / exp_sum - (k == labels[r] ? 1.0 : 0.0)) / batch;
      }
    }
    Floats grad(logits.size());
    int correct = 5;  // counts are added to what the caller holds
    const float loss = backend->softmax_cross_entropy(batch, classes, logits.data(), labels.data(),
                                                      grad.data(), &correct);
    EXPECT_NEAR(loss, expected_loss, 1e-5 * (1.0 + expected_loss));
    EXPECT_EQ(correct, 5 + expected_correct);
    EXPECT_LT(max_error(grad, expected_grad), 1e-6);

    if (batch * classes > 100) continue;  // finite differences on the small cases
    const auto loss_only = [&] {
      return static_cast<double>(backend->softmax_cross_entropy(batch, classes, logits.data(),
                                                                labels.data(), nullptr, nullptr));
    };
    EXPECT_LT(max_error(grad, finite_differences(logits, 1e-2F, loss_only)), 1e-3);
  }
}

TEST(CpuBackendSoftmaxCrossEntropy, HugeLogitsStayFinite) {
  auto backend = make_cpu_backend(1);
  // exp(1000) overflows float; shifting by the row maximum keeps everything finite.
  const Floats logits = {1000.0F, 999.0F, -1000.0F, -1000.0F, -999.0F, -998.0F};
  const std::vector<std::int32_t> labels = {1, 2};
  Floats grad(6);
  const float loss =
      backend->softmax_cross_entropy(2, 3, logits.data(), labels.data(), grad.data(), nullptr);
  // Row 0: log(1 + e^-1) + 1; row 1: log(e^-2 + e^-1 + 1).
  const double expected =
      (std::log1p(std::exp(-1.0)) + 1.0 + std::log(std::exp(-2.0) + std::exp(-1.0) + 1.0)) / 2.0;
  EXPECT_NEAR(loss, expected, 1e-5);
  for (const float g : grad) EXPECT_TRUE(std::isfinite(g));
}

TEST(CpuBackendSoftmaxCrossEntropy, LabelOutsideClassesThrows) {
  auto backend = make_cpu_backend(1);
  const Floats logits(6, 0.0F);
  const std::vector<std::int32_t> labels = {0, 3};
  EXPECT_THROW(backend->softmax_cross_entropy(2, 3, logits.data(), labels.data(), nullptr, nullptr),
               Error);
}

// ----------------------------------------------------------- optimisers ----

struct SgdCase {
  float momentum;
  float weight_decay;
  bool nesterov;
};

TEST(CpuBackendOptimizer, SgdFollowsPyTorchFormulasOverThreeSteps) {
  auto backend = make_cpu_backend(1);
  const float lr = 0.1F;
  for (const SgdCase& c : {SgdCase{0.0F, 0.0F, false}, SgdCase{0.9F, 0.0F, false},
                           SgdCase{0.9F, 1e-2F, false}, SgdCase{0.9F, 1e-2F, true}}) {
    Floats weight = {1.0F, -2.0F, 0.5F};
    Floats velocity(3, 0.0F);
    Doubles expected_weight(weight.begin(), weight.end());
    Doubles expected_velocity(3, 0.0);
    for (int step = 0; step < 3; ++step) {
      const Floats grad = {0.3F * static_cast<float>(step + 1), -0.2F, 1.0F};
      for (std::size_t i = 0; i < 3; ++i) {
        const double g = grad[i] + c.weight_decay * expected_weight[i];
        expected_velocity[i] = c.momentum * expected_velocity[i] + g;
        expected_weight[i] -=
            lr * (c.nesterov ? g + c.momentum * expected_velocity[i] : expected_velocity[i]);
      }
      backend->sgd_update(3, lr, c.momentum, c.weight_decay, c.nesterov, weight.data(), grad.data(),
                          velocity.data());
    }
    EXPECT_LT(max_error(weight, expected_weight), 1e-6)
        << "momentum " << c.momentum << ", weight decay " << c.weight_decay << ", nesterov "
        << c.nesterov;
    EXPECT_LT(max_error(velocity, expected_velocity), 1e-6);
  }
}

TEST(CpuBackendOptimizer, AdamFollowsPyTorchFormulasOverThreeSteps) {
  auto backend = make_cpu_backend(1);
  const double lr = 1e-2;
  const double beta1 = 0.9;
  const double beta2 = 0.999;
  const double epsilon = 1e-8;
  for (const float weight_decay : {0.0F, 0.1F}) {
    Floats weight = {1.0F, -2.0F, 0.5F, 0.0F};
    Floats first(4, 0.0F);
    Floats second(4, 0.0F);
    Doubles w(weight.begin(), weight.end());
    Doubles m(4, 0.0);
    Doubles v(4, 0.0);
    for (int step = 1; step <= 3; ++step) {
      const Floats grad = {0.3F * static_cast<float>(step), -0.2F, 1e-3F, 0.0F};
      for (std::size_t i = 0; i < 4; ++i) {
        const double g = grad[i] + weight_decay * w[i];
        m[i] = beta1 * m[i] + (1.0 - beta1) * g;
        v[i] = beta2 * v[i] + (1.0 - beta2) * g * g;
        const double m_hat = m[i] / (1.0 - std::pow(beta1, step));
        const double v_hat = v[i] / (1.0 - std::pow(beta2, step));
        w[i] -= lr * m_hat / (std::sqrt(v_hat) + epsilon);
      }
      backend->adam_update(4, static_cast<float>(lr), static_cast<float>(beta1),
                           static_cast<float>(beta2), static_cast<float>(epsilon), weight_decay,
                           step, weight.data(), grad.data(), first.data(), second.data());
    }
    EXPECT_LT(max_error(weight, w), 1e-6) << "weight decay " << weight_decay;
    EXPECT_LT(max_error(first, m), 1e-6);
    EXPECT_LT(max_error(second, v), 1e-6);
  }
}

// -------------------------------------------------------------- threads ----

TEST(CpuBackendThreads, SetThreadsIsReportedAndZeroThrows) {
  auto backend = make_cpu_backend(2);
  EXPECT_EQ(backend->threads(), 2);
  backend->set_threads(1);
  EXPECT_EQ(backend->threads(), 1);
  EXPECT_THROW(backend->set_threads(0), Error);
  EXPECT_EQ(backend->name(), "cpu");
}

// Runs `op` with 1 and with 2 threads and returns both results.
std::pair<Floats, Floats> with_one_and_two_threads(Backend& backend,
                                                   const std::function<Floats()>& op) {
  backend.set_threads(1);
  Floats one = op();
  backend.set_threads(2);
  Floats two = op();
  return {std::move(one), std::move(two)};
}

TEST(CpuBackendThreads, LayersGiveTheSameResultsWithOneAndTwoThreads) {
  auto backend = make_cpu_backend(1);
  Conv2dGeometry conv;  // large enough for every conv loop and GEMM to run threaded
  conv.batch = 4;
  conv.in_channels = 8;
  conv.in_height = 20;
  conv.in_width = 18;
  conv.out_channels = 16;
  conv.kernel_height = 3;
  conv.kernel_width = 3;
  conv.padding = 1;
  const ConvData data(conv, 150);
  const std::size_t in_size = data.input.size();
  const std::size_t out_size = static_cast<std::size_t>(output_size(conv));
  const std::size_t w_size = data.weight.size();

  const auto forward = [&] {
    Floats out(out_size);
    backend->conv2d_forward(conv, data.input.data(), data.weight.data(), data.bias.data(),
                            out.data());
    return out;
  };
  const auto backward_data = [&] {
    Floats grad(in_size);
    backend->conv2d_backward_data(conv, data.grad_output.data(), data.weight.data(), grad.data());
    return grad;
  };
  const auto backward_filter = [&] {
    Floats grad(w_size + static_cast<std::size_t>(conv.out_channels));
    backend->conv2d_backward_filter(conv, data.input.data(), data.grad_output.data(), grad.data(),
                                    grad.data() + w_size, false);
    return grad;
  };
  Pool2dGeometry pool;
  pool.batch = 4;
  pool.channels = 16;
  pool.in_height = 20;
  pool.in_width = 18;
  const Floats pool_input = data.grad_output;
  const auto pooling = [&] {
    Floats out(static_cast<std::size_t>(pool_output_size(pool)) * 2);
    std::vector<std::int32_t> argmax(out.size() / 2);
    backend->maxpool_forward(pool, pool_input.data(), out.data(), argmax.data());
    backend->avgpool_forward(pool, pool_input.data(), out.data() + argmax.size());
    return out;
  };
  const BatchNormGeometry norm{4, 16, 360};
  const auto batchnorm = [&] {
    Floats out(out_size * 2 + 64);
    float* stats = out.data() + 2 * out_size;
    Floats running(32, 0.0F);
    backend->batchnorm_forward_training(norm, data.grad_output.data(), data.bias.data(),
                                        data.bias.data(), 1e-5F, 0.1F, out.data(), stats,
                                        stats + 16, running.data(), running.data() + 16);
    backend->batchnorm_backward(norm, data.grad_output.data(), pool_input.data(), data.bias.data(),
                                stats, stats + 16, out.data() + out_size, stats + 32, stats + 48,
                                false);
    return out;
  };
  const auto loss = [&] {
    Floats grad(out_size / 50 * 50);
    std::vector<std::int32_t> labels(grad.size() / 50, 3);
    const float value =
        backend->softmax_cross_entropy(static_cast<int>(labels.size()), 50, data.grad_output.data(),
                                       labels.data(), grad.data(), nullptr);
    grad.push_back(value);
    return grad;
  };
  const std::pair<const char*, std::function<Floats()>> ops[] = {
      {"conv2d_forward", forward},
      {"conv2d_backward_data", backward_data},
      {"conv2d_backward_filter", backward_filter},
      {"pooling", pooling},
      {"batchnorm", batchnorm},
      {"softmax_cross_entropy", loss}};
  for (const auto& [name, op] : ops) {
    const auto [one, two] = with_one_and_two_threads(*backend, op);
    EXPECT_LT(max_error(two, one), 1e-5) << name;
  }
}

}  // namespace
}  // namespace lathe
