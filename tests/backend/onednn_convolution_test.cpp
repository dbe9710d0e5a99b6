// The CPU backend's oneDNN convolutions (backend/onednn/) against its im2col + GEMM path,
// the reference every other test checks against direct loops: many geometries, both
// bias cases, accumulation, and repeated calls served from the primitive cache. A build
// without oneDNN refuses the route clearly.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "core/error.h"
#include "square_conv_geometry.h"
#include "support/max_error.h"

#ifdef LATHE_HAVE_ONEDNN
#include "backend/onednn/onednn_convolutions.h"
#endif

namespace lathe {
namespace {

#ifndef LATHE_HAVE_ONEDNN
TEST(OnednnConvolution, AskingForItInABuildWithoutItIsAClearError) {
  try {
    const CpuBackend backend(1, ConvolutionRoute::onednn);
    FAIL() << "a oneDNN route was made in a build without oneDNN";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("LATHE_WITH_ONEDNN"), std::string::npos) << e.what();
  }
}
#else

using Floats = std::vector<float>;

Floats random_values(std::int64_t count, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(-1.0F, 1.0F);
  Floats values(static_cast<std::size_t>(count));
  for (float& v : values) v = distribution(generator);
  return values;
}

using testing::max_error;

constexpr auto geometry = testing::square_conv_geometry;

std::string describe(const Conv2dGeometry& g) {
  std::ostringstream text;
  text << "batch " << g.batch << ", " << g.in_channels << "x" << g.in_height << "x" << g.in_width
       << " -> " << g.out_channels << ", kernel " << g.kernel_height << ", stride " << g.stride
       << ", padding " << g.padding;
  return text.str();
}

// Batch 1 and odd batches, 1/6/16/17 channels (below, at and off oneDNN's blocks of
// 8 and 16), odd and non-square inputs, kernels 1/3/5, strides 1-3, padding 0-2, and the
// layers of lenet5 and vgg_small at batch 2.
std::vector<Conv2dGeometry> geometries() {
  std::vector<Conv2dGeometry> list;
  for (const int batch : {1, 3}) {
    for (const int channels : {1, 16, 17}) {
      for (const int kernel : {1, 3, 5}) {
        for (const int stride : {1, 2, 3}) {
          for (const int padding : {0, 1, 2}) {
            if (padding >= kernel) continue;
            list.push_back(geometry(batch, channels, 9, 7, channels == 16 ? 32 : 5, kernel, stride,
                                    padding));
          }
        }
      }
    }
  }
  for (const auto& g : {geometry(2, 1, 28, 28, 6, 5, 1, 2), geometry(2, 6, 14, 14, 16, 5, 1, 0),
                        geometry(2, 1, 28, 28, 32, 3, 1, 1), geometry(2, 32, 28, 28, 32, 3, 1, 1),
                        geometry(2, 32, 14, 14, 64, 3, 1, 1), geometry(2, 64, 7, 7, 128, 3, 1, 1)}) {
    list.push_back(g);
  }
  return list;
}

struct Results {
  Floats output;
  Floats output_without_bias;
  Floats grad_input;
  Floats grad_weight;  // weights then bias
  Floats accumulated;  // the same added onto ones
  Floats grad_weight_without_bias;
};

Results run_all(CpuBackend& backend, const Conv2dGeometry& g) {
  const std::int64_t in = std::int64_t{g.batch} * g.in_channels * g.in_height * g.in_width;
  const std::int64_t weights =
      std::int64_t{g.out_channels} * g.in_channels * g.kernel_height * g.kernel_width;
  const std::int64_t out = std::int64_t{g.batch} * g.out_channels * g.out_height() * g.out_width();
  const Floats input = random_values(in, 1);
  const Floats weight = random_values(weights, 2);
  const Floats bias = random_values(g.out_channels, 3);
  const Floats grad_output = random_values(out, 4);
  Results r;
  r.output.resize(out);
  r.output_without_bias.resize(out);
  r.grad_input.resize(in);
  r.grad_weight.resize(weights + g.out_channels);
  r.accumulated.assign(weights + g.out_channels, 1.0F);
  r.grad_weight_without_bias.resize(weights);
  backend.conv2d_forward(g, input.data(), weight.data(), bias.data(), r.output.data());
  backend.conv2d_forward(g, input.data(), weight.data(), nullptr, r.output_without_bias.data());
  backend.conv2d_backward_data(g, grad_output.data(), weight.data(), r.grad_input.data());
  backend.conv2d_backward_filter(g, input.data(), grad_output.data(), r.grad_weight.data(),
                                 r.grad_weight.data() + weights, false);
  backend.conv2d_backward_filter(g, input.data(), grad_output.data(), r.accumulated.data(),
                                 r.accumulated.data() + weights, true);
  backend.conv2d_backward_filter(g, input.data(), grad_output.data(),
                                 r.grad_weight_without_bias.data(), nullptr, false);
  return r;
}

TEST(OnednnConvolution, MatchesIm2colOnManyGeometries) {
  for (const int threads : {1, 2}) {
    CpuBackend reference(threads, ConvolutionRoute::im2col);
    CpuBackend onednn(threads, ConvolutionRoute::onednn);
    for (const Conv2dGeometry& g : geometries()) {
      const Results expected = run_all(reference, g);
      const Results actual = run_all(onednn, g);
      const std::string where = describe(g) + ", threads " + std::to_string(threads);
      // Each value sums `terms` products of values in [-1, 1] in another order than
      // im2col's GEMM: float rounding grows about as the square root of the terms.
      const double taps = static_cast<double>(g.kernel_height) * g.kernel_width;
      const auto tolerance = [](double terms) { return 1e-6 * (1.0 + std::sqrt(terms)); };
      const double forward = tolerance(g.in_channels * taps);
      const double data = tolerance(g.out_channels * taps);
      const double filter = tolerance(static_cast<double>(g.batch) * g.out_height() * g.out_width());
      EXPECT_LT(max_error(actual.output, expected.output), forward) << where;
      EXPECT_LT(max_error(actual.output_without_bias, expected.output_without_bias), forward)
          << where;
      EXPECT_LT(max_error(actual.grad_input, expected.grad_input), data) << where;
      EXPECT_LT(max_error(actual.grad_weight, expected.grad_weight), filter) << where;
      EXPECT_LT(max_error(actual.accumulated, expected.accumulated), filter) << where;
      EXPECT_LT(max_error(actual.grad_weight_without_bias, expected.grad_weight_without_bias),
                filter)
          << where;
    }
  }
}

TEST(OnednnConvolution, CachedPrimitivesGiveBitIdenticalResultsWhenGeometriesInterleave) {
  CpuBackend onednn(2, ConvolutionRoute::onednn);
  const Conv2dGeometry a = geometry(3, 16, 9, 7, 32, 3, 1, 1);
  const Conv2dGeometry b = geometry(1, 3, 9, 7, 5, 5, 2, 2);
  const Results first_a = run_all(onednn, a);
  const Results first_b = run_all(onednn, b);
  const Results again_a = run_all(onednn, a);
  const Results again_b = run_all(onednn, b);
  EXPECT_EQ(first_a.output, again_a.output);
  EXPECT_EQ(first_a.grad_input, again_a.grad_input);
  EXPECT_EQ(first_a.grad_weight, again_a.grad_weight);
  EXPECT_EQ(first_b.output, again_b.output);
  EXPECT_EQ(first_b.grad_input, again_b.grad_input);
  EXPECT_EQ(first_b.grad_weight, again_b.grad_weight);
}

// y = max(0, x W^T + b) in double, the reference of Backend::linear_forward_relu.
Floats reference_linear_relu(int batch, int in, int out, const Floats& x, const Floats& w,
                             const Floats* bias) {
  Floats y(static_cast<std::size_t>(batch) * out);
  for (int n = 0; n < batch; ++n) {
    for (int o = 0; o < out; ++o) {
      double sum = bias != nullptr ? (*bias)[o] : 0.0;
      for (int i = 0; i < in; ++i) sum += double{x[n * in + i]} * w[o * in + i];
      y[n * out + o] = static_cast<float>(std::max(sum, 0.0));
    }
  }
  return y;
}

TEST(OnednnInnerProduct, LinearReluMatchesItsDefinitionOnBothRoutes) {
  for (const ConvolutionRoute route : {ConvolutionRoute::im2col, ConvolutionRoute::onednn}) {
    CpuBackend backend(2, route);
    for (const auto& [batch, in, out] : {std::array{1, 400, 120}, std::array{7, 120, 84},
                                         std::array{128, 17, 10}}) {
      const Floats x = random_values(std::int64_t{batch} * in, 5);
      const Floats w = random_values(std::int64_t{out} * in, 6);
      const Floats bias = random_values(out, 7);
      Floats y(static_cast<std::size_t>(batch) * out);
      const std::string where = std::string(route == ConvolutionRoute::onednn ? "onednn" : "gemm") +
                                ", " + std::to_string(batch) + " x " + std::to_string(in) +
                                " -> " + std::to_string(out);
      const double tolerance = 1e-6 * (1.0 + std::sqrt(double{1.0} * in));
      backend.linear_forward_relu(batch, in, out, x.data(), w.data(), bias.data(), y.data());
      EXPECT_LT(max_error(y, reference_linear_relu(batch, in, out, x, w, &bias)), tolerance)
          << where;
      backend.linear_forward_relu(batch, in, out, x.data(), w.data(), nullptr, y.data());
      EXPECT_LT(max_error(y, reference_linear_relu(batch, in, out, x, w, nullptr)), tolerance)
          << where << ", no bias";
    }
  }
}

TEST(OnednnConvolution, GeometryWhoseOutputTruncatesStaysWithIm2col) {
  // 6 + 0 - 3 = 3 is odd: stride 2 leaves the last input column unread, a negative right
  // padding that oneDNN's descriptors refuse. The backend keeps it on im2col, correctly.
  const Conv2dGeometry g = geometry(2, 4, 6, 6, 8, 3, 2, 0);
  EXPECT_FALSE(onednn::accepts(g));
  CpuBackend reference(1, ConvolutionRoute::im2col);
  CpuBackend onednn(1, ConvolutionRoute::onednn);
  EXPECT_EQ(run_all(onednn, g).output, run_all(reference, g).output);
}

TEST(OnednnConvolution, ReportsTheKernelItChose) {
  onednn::Convolutions convolutions;
  const std::string chosen =
      convolutions.implementation(geometry(2, 32, 14, 14, 64, 3, 1, 1), onednn::ConvPass::forward,
                                  true, 1);
  EXPECT_FALSE(chosen.empty());
  EXPECT_EQ(chosen.find("ref"), std::string::npos) << chosen << ": a reference kernel, not a JIT one";
}

#endif

}  // namespace
}  // namespace lathe
