// backend/onednn/'s int8 layers in a chain (Int8Links): a layer writing the next
// quantiser's u8 codes NHWC against the simulated path's float output rounded by that
// quantiser (the same code, or one level off where float rounding or an exact half
// differs, on at most 0.1% of the codes), a layer reading such codes against the float
// layer on their values, and max pooling on codes against a direct loop (exact).
#include <gtest/gtest.h>

#ifdef LATHE_HAVE_ONEDNN

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "backend/onednn/activation_codes.h"
#include "backend/onednn/int8_convolution.h"
#include "backend/onednn/int8_inner_product.h"
#include "backend/onednn/int8_support.h"
#include "backend/onednn/u8_max_pooling.h"
#include "int8_references.h"
#include "square_conv_geometry.h"
#include "support/max_error.h"

namespace lathe {
namespace {

using namespace testing::int8;  // the int8 tests' shared vocabulary (int8_references.h)
using Codes = std::vector<std::uint8_t>;

#define LATHE_SKIP_WITHOUT_INT8_KERNELS() \
  if (const std::string why = onednn::why_no_int8_kernels(); !why.empty()) GTEST_SKIP() << why

// A `bits`-bit asymmetric grid over [low, high], as nn::QuantGrid builds it.
FakeQuantGrid narrow_grid(float low, float high, int bits) {
  FakeQuantGrid g = grid_for(low, high, false);
  g.max_code = (1 << bits) - 1;
  g.scale = (std::max(high, 0.0F) - std::min(low, 0.0F)) / static_cast<float>(g.max_code);
  g.zero_point = static_cast<int>(std::round(-std::min(low, 0.0F) / g.scale));
  return g;
}

// The next quantiser's codes of NCHW floats, laid out NHWC.
Codes nhwc_codes(const Floats& nchw, int batch, int channels, int plane, const FakeQuantGrid& grid) {
  Codes codes(nchw.size());
  for (int n = 0; n < batch; ++n) {
    for (int c = 0; c < channels; ++c) {
      for (int p = 0; p < plane; ++p) {
        const float v = nchw[(static_cast<std::size_t>(n) * channels + c) * plane + p];
        codes[(static_cast<std::size_t>(n) * plane + p) * channels + c] =
            static_cast<std::uint8_t>(centred_code(v, grid) + grid.zero_point);
      }
    }
  }
  return codes;
}

// NHWC codes back to the NCHW floats they stand for.
Floats nchw_values(const Codes& nhwc, int batch, int channels, int plane, const FakeQuantGrid& grid) {
  Floats values(nhwc.size());
  for (int n = 0; n < batch; ++n) {
    for (int c = 0; c < channels; ++c) {
      for (int p = 0; p < plane; ++p) {
        const int code = nhwc[(static_cast<std::size_t>(n) * plane + p) * channels + c];
        values[(static_cast<std::size_t>(n) * channels + c) * plane + p] =
            grid.scale * static_cast<float>(code - grid.zero_point);
      }
    }
  }
  return values;
}

// Codes that differ, failing on any difference of more than one level.
int differing_codes(const Codes& actual, const Codes& expected) {
  EXPECT_EQ(actual.size(), expected.size());
  int differing = 0;
  for (std::size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
    const int gap = std::abs(static_cast<int>(actual[i]) - static_cast<int>(expected[i]));
    EXPECT_LE(gap, 1) << "code " << i;
    differing += gap != 0;
  }
  return differing;
}

// Post-ReLU ranges (zero point 0) at 8 and 4 bits, a signed one with a middle zero point,
// and a range clamped inside the outputs'.
std::vector<FakeQuantGrid> next_grids() {
  return {grid_for(0.0F, 1.5F, false), narrow_grid(0.0F, 1.0F, 4), grid_for(-0.8F, 1.2F, false),
          grid_for(0.2F, 0.6F, false)};
}

TEST(OnednnInt8Chain, ConvolutionsWriteTheNextQuantisersCodesAndReadThemBack) {
  LATHE_SKIP_WITHOUT_INT8_KERNELS();
  const std::vector<Conv2dGeometry> geometries{
      testing::square_conv_geometry(3, 32, 14, 14, 64, 3, 1, 1),  // a vgg_small layer
      testing::square_conv_geometry(2, 5, 9, 9, 17, 5, 2, 2),
      testing::square_conv_geometry(2, 1, 12, 12, 6, 5, 1, 0),   // a lenet5 first layer
      testing::square_conv_geometry(2, 1, 13, 13, 6, 7, 2, 3)};  // windows of any size
  const FakeQuantGrid input_grid = grid_for(-1.0F, 2.0F, false);
  int differing = 0;
  std::size_t codes_compared = 0;
  for (const Conv2dGeometry& g : geometries) {
    const Floats input =
        random_values(std::int64_t{g.batch} * g.in_channels * g.in_height * g.in_width, 7, -1.0F, 2.0F);
    const LayerCase first = random_layer(g.out_channels, std::int64_t{g.in_channels} * g.kernel_height * g.kernel_width, 8);
    // The second layer reads the first's codes: a 3x3 convolution, padded, on its output.
    const Conv2dGeometry second_g =
        testing::square_conv_geometry(g.batch, g.out_channels, g.out_height(), g.out_width(), 8, 3, 1, 1);
    const LayerCase second = random_layer(8, std::int64_t{g.out_channels} * 9, 9);
    for (const FakeQuantGrid& next : next_grids()) {
      for (const bool relu : {false, true}) {
        const int plane = g.out_height() * g.out_width();
        onednn::Int8Convolution writer(g, input_grid, weights_of(first, relu), {false, next});
        Codes codes(static_cast<std::size_t>(g.batch) * g.out_channels * plane, 77);
        writer.forward(g.batch, input.data(), codes.data(), relu ? 2 : 1);
        const Codes expected =
            nhwc_codes(reference_conv(g, input, input_grid, first, relu), g.batch, g.out_channels, plane, next);
        differing += differing_codes(codes, expected);
        codes_compared += codes.size();
        if (next.zero_point != 0) {  // a padded reader needs zero point 0
          EXPECT_FALSE(onednn::Int8Convolution::why_codes_cannot_feed(second_g, next.zero_point).empty());
          continue;
        }
        onednn::Int8Convolution reader(second_g, next, weights_of(second, true), {true, std::nullopt});
        const Floats values = nchw_values(codes, g.batch, g.out_channels, plane, next);
        const Floats want = reference_conv(second_g, values, next, second, true);
        Floats got(want.size(), -7.0F);
        reader.forward(g.batch, codes.data(), got.data(), 1);
        EXPECT_LT(testing::max_error(got, want), 1e-5) << "zero point " << next.zero_point;
      }
    }
  }
  std::printf("%d of %zu codes one level off\n", differing, codes_compared);
  EXPECT_LE(static_cast<std::size_t>(differing), codes_compared / 1000);
}

TEST(OnednnInt8Chain, InnerProductsWriteAndReadCodes) {
  LATHE_SKIP_WITHOUT_INT8_KERNELS();
  const int batch = 9;
  const int in = 200;
  const int hidden = 120;
  const int out = 10;
  const FakeQuantGrid input_grid = grid_for(-1.0F, 2.0F, false);
  const Floats x = random_values(std::int64_t{batch} * in, 11, -1.0F, 2.0F);
  const LayerCase first = random_layer(hidden, in, 12);
  const LayerCase second = random_layer(out, hidden, 13);
  int differing = 0;
  for (const FakeQuantGrid& next : next_grids()) {
    onednn::Int8InnerProduct writer(in, hidden, input_grid, weights_of(first, true), {false, next});
    Codes codes(static_cast<std::size_t>(batch) * hidden);
    writer.forward(batch, x.data(), codes.data(), 1);
    // A 1x1 "image" per item: the inner product is that convolution.
    const Conv2dGeometry as_conv = testing::square_conv_geometry(batch, in, 1, 1, hidden, 1, 1, 0);
    differing += differing_codes(
        codes, nhwc_codes(reference_conv(as_conv, x, input_grid, first, true), batch, hidden, 1, next));
    onednn::Int8InnerProduct reader(hidden, out, next, weights_of(second, false), {true, std::nullopt});
    const Floats values = nchw_values(codes, batch, hidden, 1, next);
    const Conv2dGeometry second_conv = testing::square_conv_geometry(batch, hidden, 1, 1, out, 1, 1, 0);
    const Floats want = reference_conv(second_conv, values, next, second, false);
    Floats got(want.size());
    reader.forward(batch, codes.data(), got.data(), 2);
    EXPECT_LT(testing::max_error(got, want), 1e-5) << "zero point " << next.zero_point;
  }
  EXPECT_LE(differing, 2);
}

// The run's own global average pooling against the CPU backend's (on the NCHW floats)
// followed by the quantiser: the same codes, bit for bit.
TEST(OnednnInt8Chain, GlobalAveragesRoundToTheCodesOfTheSimulatedPoolingAndQuantiser) {
  const int batch = 3;
  const int side = 7;
  const int plane = side * side;
  for (const int channels : {10, 64, 130}) {
    const Floats nchw = random_values(std::int64_t{batch} * channels * plane, 21, 0.0F, 3.0F);
    Floats nhwc(nchw.size());
    for (int n = 0; n < batch; ++n) {
      for (int c = 0; c < channels; ++c) {
        for (int p = 0; p < plane; ++p) {
          nhwc[(static_cast<std::size_t>(n) * plane + p) * channels + c] =
              nchw[(static_cast<std::size_t>(n) * channels + c) * plane + p];
        }
      }
    }
    Pool2dGeometry g;
    g.batch = batch;
    g.channels = channels;
    g.in_height = g.in_width = g.kernel = g.stride = side;
    Floats averages(static_cast<std::size_t>(batch) * channels);
    make_cpu_backend(1)->avgpool_forward(g, nchw.data(), averages.data());
    for (const FakeQuantGrid& grid : next_grids()) {
      Codes expected(averages.size());
      onednn::quantize_rows(static_cast<std::int64_t>(averages.size()), averages.data(), grid,
                            expected.data(), 1);
      Codes codes(expected.size());
      onednn::average_planes_to_codes(batch, plane, channels, nhwc.data(), grid, codes.data(), 2);
      EXPECT_EQ(codes, expected) << channels << " channels, zero point " << grid.zero_point;
    }
  }
}

// No sums here: exact on every instruction set.
TEST(OnednnInt8Chain, MaxPoolingOnCodesTakesTheLargestCodeOfEachWindow) {
  std::mt19937 generator(5);
  std::uniform_int_distribution<int> code(0, 255);
  for (const auto& [size, kernel, stride, padding] :
       std::vector<std::array<int, 4>>{{28, 2, 2, 0}, {10, 2, 2, 0}, {7, 3, 2, 1}, {9, 3, 3, 0}, {7, 2, 2, 0}}) {
    Pool2dGeometry g;
    g.batch = 3;
    g.channels = 17;
    g.in_height = g.in_width = size;
    g.kernel = kernel;
    g.stride = stride;
    g.padding = padding;
    Codes input(static_cast<std::size_t>(g.batch) * g.channels * size * size);
    for (std::uint8_t& c : input) c = static_cast<std::uint8_t>(code(generator));
    const int oh = g.out_height();
    const int ow = g.out_width();
    Codes expected(static_cast<std::size_t>(g.batch) * oh * ow * g.channels, 0);
    for (int n = 0; n < g.batch; ++n) {
      for (int y = 0; y < oh; ++y) {
        for (int x = 0; x < ow; ++x) {
          for (int c = 0; c < g.channels; ++c) {
            int best = 0;
            for (int h = y * stride - padding; h < y * stride - padding + kernel; ++h) {
              for (int w = x * stride - padding; w < x * stride - padding + kernel; ++w) {
                if (h < 0 || h >= size || w < 0 || w >= size) continue;  // padding is left out
                best = std::max<int>(best, input[((static_cast<std::size_t>(n) * size + h) * size + w) * g.channels + c]);
              }
            }
            expected[((static_cast<std::size_t>(n) * oh + y) * ow + x) * g.channels + c] =
                static_cast<std::uint8_t>(best);
          }
        }
      }
    }
    onednn::U8MaxPooling pool(g);
    Codes output(expected.size(), 1);
    pool.forward(g.batch, input.data(), output.data(), 2);
    EXPECT_EQ(output, expected) << size << "x" << size << " window " << kernel << " stride " << stride;
  }
}

}  // namespace
}  // namespace lathe

#endif  // LATHE_HAVE_ONEDNN
