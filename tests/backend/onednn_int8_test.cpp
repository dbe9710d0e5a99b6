// backend/onednn/'s int8 layers against direct loops of what the simulated path computes:
// the input rounded to its grid's codes (FakeQuant's rule, clamped to the range), s8
// weight levels, y = scale[o] * sum k * (c - zero_point) + bias[o], zero padding as the
// float 0, and the ReLU; over geometries (padding, stride, truncated outputs, oneDNN's
// channel blocks), zero points (0, a middle one, 128 of a symmetric grid), clamps
// narrower than the grid, thread counts and batch sizes served from the cache.
#include <gtest/gtest.h>

#ifdef LATHE_HAVE_ONEDNN

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "backend/onednn/activation_codes.h"
#include "backend/onednn/int8_convolution.h"
#include "backend/onednn/int8_inner_product.h"
#include "backend/onednn/int8_support.h"
#include "int8_references.h"
#include "square_conv_geometry.h"
#include "support/max_error.h"

namespace lathe {
namespace {

using namespace testing::int8;  // the int8 tests' shared vocabulary (int8_references.h)

constexpr auto geometry = testing::square_conv_geometry;

std::vector<Conv2dGeometry> geometries() {
  std::vector<Conv2dGeometry> list;
  for (const int channels : {1, 16, 17}) {
    for (const int kernel : {1, 3, 5}) {
      for (const int stride : {1, 2}) {
        for (const int padding : {0, 1, 2}) {
          if (padding >= kernel) continue;
          list.push_back(geometry(2, channels, 9, 8, channels == 16 ? 32 : 5, kernel, stride, padding));
        }
      }
    }
  }
  list.push_back(geometry(3, 32, 16, 16, 64, 3, 1, 1));  // a vgg_small layer
  return list;
}

// Input ranges of a post-ReLU activation (zero point 0), a signed one with a middle zero
// point, the same on a symmetric grid, and a clamp inside the values' range.
std::vector<FakeQuantGrid> grids() {
  return {grid_for(0.0F, 2.0F, false), grid_for(-0.7F, 1.3F, false), grid_for(-1.0F, 1.5F, true),
          grid_for(-0.4F, 0.5F, false)};
}

TEST(OnednnInt8Convolution, MatchesTheSimulatedLayerOnManyGeometriesAndGrids) {
  if (const std::string why = onednn::why_no_int8_kernels(); !why.empty()) GTEST_SKIP() << why;
  int cases = 0;
  for (const Conv2dGeometry& g : geometries()) {
    const Floats input =
        random_values(std::int64_t{g.batch} * g.in_channels * g.in_height * g.in_width, 1, -1.0F, 2.0F);
    const LayerCase layer = random_layer(
        g.out_channels, std::int64_t{g.in_channels} * g.kernel_height * g.kernel_width, 2);
    for (const FakeQuantGrid& grid : grids()) {
      for (const bool relu : {false, true}) {
        onednn::Int8Convolution conv(g, grid, weights_of(layer, relu));
        const Floats expected = reference_conv(g, input, grid, layer, relu);
        const int threads = relu ? 2 : 1;  // both counts, half the primitives
        Floats output(expected.size(), -7.0F);
        conv.forward(g.batch, input.data(), output.data(), threads);
        EXPECT_LT(testing::max_error(output, expected), 1e-5)
            << g.in_channels << "x" << g.in_height << "x" << g.in_width << " kernel "
            << g.kernel_height << " stride " << g.stride << " padding " << g.padding
            << " zero point " << grid.zero_point << " relu " << relu << " threads " << threads;
        ++cases;
      }
    }
  }
  EXPECT_GT(cases, 300);
}

TEST(OnednnInt8Convolution, ServesEveryBatchSizeFromItsOwnPrimitive) {
  if (const std::string why = onednn::why_no_int8_kernels(); !why.empty()) GTEST_SKIP() << why;
  const Conv2dGeometry g = geometry(5, 4, 6, 6, 8, 3, 1, 1);
  const FakeQuantGrid grid = grid_for(-0.5F, 1.0F, false);
  const LayerCase layer = random_layer(8, 36, 3);
  onednn::Int8Convolution conv(g, grid, weights_of(layer, true));
  for (const int batch : {5, 1, 5, 3}) {
    Conv2dGeometry at = g;
    at.batch = batch;
    const Floats input = random_values(std::int64_t{batch} * 4 * 36, 10 + batch, -1.0F, 1.0F);
    const Floats expected = reference_conv(at, input, grid, layer, true);
    Floats output(expected.size());
    conv.forward(batch, input.data(), output.data(), 1);
    EXPECT_LT(testing::max_error(output, expected), 1e-5) << "batch " << batch;
  }
  EXPECT_FALSE(conv.implementation(5, 1).empty());
}

// Why a CPU without VNNI runs only small levels on integer kernels: there codes of 255
// against levels of 127 clip in the 16-bit pair sums, and the largest exact level does not.
TEST(OnednnInt8Convolution, WithoutVnniFullRangeLevelsClipAndTheLargestExactLevelDoesNot) {
  if (!onednn::int8_sums_saturate_in_pairs()) {
    GTEST_SKIP() << "this CPU's int8 sums are exact (" << onednn::int8_sums_description()
                 << "; IntegerPathWithoutVnni runs this test on AVX2)";
  }
  const Conv2dGeometry g = geometry(2, 16, 6, 6, 16, 3, 1, 1);
  const FakeQuantGrid grid = grid_for(0.0F, 1.0F, false);  // codes 0..255
  const Floats input(static_cast<std::size_t>(2) * 16 * 36, 1.0F);  // every code 255
  const auto all_levels = [](int level) {
    LayerCase layer = random_layer(16, 16 * 9, 5, 1);
    std::fill(layer.levels.begin(), layer.levels.end(), static_cast<std::int8_t>(level));
    return layer;
  };
  const int exact = onednn::largest_exact_level(grid.max_code);
  EXPECT_EQ(exact, 64);
  for (const int level : {127, exact}) {
    const LayerCase layer = all_levels(level);
    onednn::Int8Convolution conv(g, grid, weights_of(layer, false));
    const Floats expected = reference_conv(g, input, grid, layer, false);
    Floats output(expected.size());
    conv.forward(g.batch, input.data(), output.data(), 1);
    if (level == exact) {
      EXPECT_LT(testing::max_error(output, expected), 1e-5) << "level " << level;
    } else {
      EXPECT_GT(testing::max_error(output, expected), 0.1) << "level " << level;
    }
  }
}

TEST(OnednnInt8InnerProduct, MatchesTheSimulatedLayer) {
  if (const std::string why = onednn::why_no_int8_kernels(); !why.empty()) GTEST_SKIP() << why;
  for (const int in : {1, 16, 77, 400}) {
    for (const int out : {1, 10, 120}) {
      const LayerCase layer = random_layer(out, in, static_cast<std::uint32_t>(in + out));
      for (const FakeQuantGrid& grid : grids()) {
        for (const bool relu : {false, true}) {
          const int batch = 7;
          const Floats x = random_values(std::int64_t{batch} * in, 4, -1.0F, 2.0F);
          Floats expected(static_cast<std::size_t>(batch) * out);
          for (int n = 0; n < batch; ++n) {
            for (int o = 0; o < out; ++o) {
              std::int64_t sum = 0;
              for (int i = 0; i < in; ++i) {
                sum += static_cast<std::int64_t>(layer.levels[static_cast<std::size_t>(o) * in + i]) *
                       centred_code(x[static_cast<std::size_t>(n) * in + i], grid);
              }
              float value = static_cast<float>(static_cast<double>(layer.scales[o]) *
                                                   static_cast<double>(sum) + layer.bias[o]);
              expected[static_cast<std::size_t>(n) * out + o] = relu ? std::max(value, 0.0F) : value;
            }
          }
          onednn::Int8InnerProduct product(in, out, grid, weights_of(layer, relu));
          for (const int threads : {1, 2}) {
            Floats y(expected.size(), -7.0F);
            product.forward(batch, x.data(), y.data(), threads);
            EXPECT_LT(testing::max_error(y, expected), 1e-5)
                << in << " -> " << out << " zero point " << grid.zero_point << " relu " << relu;
          }
        }
      }
    }
  }
}

TEST(OnednnInt8Codes, RoundHalvesAwayFromZeroAsFakeQuantisationDoes) {
  FakeQuantGrid grid;
  grid.scale = 0.5F;
  grid.zero_point = 10;
  grid.min_code = 0;
  grid.max_code = 255;
  // x / scale = -2.5, -1.5, -0.5, 0.5, 1.5, 2.5: std::round gives -3, -2, -1, 1, 2, 3.
  const Floats x{-1.25F, -0.75F, -0.25F, 0.25F, 0.75F, 1.25F, -100.0F, 500.0F};
  std::vector<std::uint8_t> codes(x.size());
  onednn::quantize_rows(static_cast<std::int64_t>(x.size()), x.data(), grid, codes.data(), 1);
  const std::vector<std::uint8_t> expected{7, 8, 9, 11, 12, 13, 0, 255};
  EXPECT_EQ(codes, expected);
}

TEST(OnednnInt8Layers, RefuseAZeroOutputScaleClearly) {
  LayerCase layer = random_layer(2, 3, 5);
  layer.scales[1] = 0.0F;
  try {
    onednn::Int8InnerProduct product(3, 2, grid_for(0.0F, 1.0F, false), weights_of(layer, false));
    FAIL() << "a zero scale was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("output 1 has scale 0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lathe

#endif  // LATHE_HAVE_ONEDNN
