#include "backend/onednn/int8_convolution.h"

#include <array>
#include <map>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backend/onednn/activation_codes.h"
#include "backend/onednn/int8_primitive.h"
#include "core/error.h"

namespace lathe::onednn {
namespace {

// The largest window a one-channel first layer gathers as the channels of a 1x1
// convolution: lenet5's 5x5 (25) and vgg_small's 3x3 (9) fit.
constexpr std::int64_t kMostPatchCodes = 64;

}  // namespace

struct Int8Convolution::Cache : Int8LayerState {
  using Int8LayerState::Int8LayerState;
  Conv2dGeometry geometry;
  PaddedImages padded;  // batch set per forward
  // With zero point 0 (a post-ReLU input) oneDNN's own zero padding is the code of 0: the
  // codes stay NCHW, rounded in one contiguous pass, and oneDNN pads them. Otherwise the
  // rounding pass pads with the zero point's code (the kernel then pads nothing).
  bool kernel_pads = false;
  // A one-channel first layer: its windows, gathered from the padded codes, are the
  // input of a 1x1 convolution (activation_codes.h: gather_patches).
  bool patches = false;
  std::vector<std::uint8_t> unpadded_codes;
  std::vector<std::uint8_t> patch_codes;

  Int8Entry& entry(int batch, int threads) {
    return Int8LayerState::entry(batch, threads, [&] { return make(batch); });
  }

  Int8Entry make(int batch) {
    const Conv2dGeometry& g = geometry;
    const int patch = g.in_channels * g.kernel_height * g.kernel_width;
    memory::dims src{batch, g.in_channels, padded.padded_height, padded.padded_width};
    memory::dims weights{g.out_channels, g.in_channels, g.kernel_height, g.kernel_width};
    memory::dims strides{g.stride, g.stride};
    memory::dims padding_left{0, 0};
    memory::dims padding_right{0, 0};
    if (kernel_pads) {
      src = {batch, g.in_channels, g.in_height, g.in_width};
      padding_left = {g.padding, g.padding};
      padding_right = {right_padding(g.in_height, g.out_height(), g.kernel_height, g.stride, g.padding),
                       right_padding(g.in_width, g.out_width(), g.kernel_width, g.stride, g.padding)};
    } else if (patches) {  // a 1x1 convolution over the windows (activation_codes.h)
      src = {batch, patch, g.out_height(), g.out_width()};
      weights = {g.out_channels, patch, 1, 1};
      strides = {1, 1};
    }
    const memory::dims dst{batch, g.out_channels, g.out_height(), g.out_width()};
    // Codes between chained layers stay NHWC, the layout the int8 kernels read and write
    // (so no reorder runs); float inputs are rounded NCHW (or padded NHWC) and float
    // outputs come back NCHW.
    const Tag user_src = links.codes_in || !kernel_pads ? Tag::nhwc : Tag::nchw;
    const memory::desc dst_desc = links.codes_out    ? memory::desc(dst, Type::u8, Tag::nhwc)
                                  : links.floats_nhwc ? memory::desc(dst, Type::f32, Tag::nhwc)
                                                      : memory::desc(dst, Type::f32, Tag::any);
    try {
      const dnnl::convolution_forward::desc desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
          memory::desc(src, Type::u8, links.codes_in || patches ? Tag::nhwc : Tag::any),
          memory::desc(weights, Type::s8, Tag::any),
          memory::desc({g.out_channels}, Type::f32, Tag::x), dst_desc, strides, padding_left,
          padding_right);
      const dnnl::convolution_forward::primitive_desc pd(
          desc, int8_output_attributes(fold.output_scales, relu, links.codes_out), engine);
      Int8Entry made;
      made.entry.primitive = dnnl::convolution_forward(pd);
      made.entry.operands.push_back(make_operand(
          DNNL_ARG_SRC, false, memory::desc(src, Type::u8, user_src), pd.src_desc(), engine));
      made.entry.operands.push_back(make_operand(
          DNNL_ARG_DST, true,
          links.codes_out || links.floats_nhwc ? dst_desc : memory::desc(dst, Type::f32, Tag::nchw),
          pd.dst_desc(),
          engine));
      made.finish(pd, memory::desc(weights, Type::s8, Tag::oihw), levels, fold.bias, engine,
                         stream);
      return made;
    } catch (const dnnl::error& e) {
      fail("onednn int8 conv2d: no primitive for batch ", batch, ", ", g.in_channels, "x",
           g.in_height, "x", g.in_width, " input, ", g.out_channels, " outputs, ",
           g.kernel_height, "x", g.kernel_width, " kernel, stride ", g.stride, ", padding ",
           g.padding, ": ", e.what());
    }
  }
};

std::string Int8Convolution::why_codes_cannot_feed(const Conv2dGeometry& g, int zero_point) {
  if (zero_point != 0 && g.padding > 0) {
    return "its input's zero point is " + std::to_string(zero_point) +
           ", so its padding needs that code where oneDNN pads with 0";
  }
  if (right_padding(g.in_height, g.out_height(), g.kernel_height, g.stride, g.padding) < 0 ||
      right_padding(g.in_width, g.out_width(), g.kernel_width, g.stride, g.padding) < 0) {
    return "its windows leave input rows or columns unread";
  }
  return "";
}

Int8Convolution::Int8Convolution(const Conv2dGeometry& g, const FakeQuantGrid& input_grid,
                                 Int8LayerWeights weights, Int8Links links)
    : cache_(std::make_unique<Cache>(input_grid, std::move(weights), std::move(links))) {
  Cache& c = *cache_;
  const std::int64_t per_output =
      static_cast<std::int64_t>(g.in_channels) * g.kernel_height * g.kernel_width;
  LATHE_CHECK(g.out_channels > 0 && g.out_height() > 0 && g.out_width() > 0 &&
                  static_cast<std::int64_t>(c.levels.size()) == g.out_channels * per_output,
              "onednn int8 conv2d: ", c.levels.size(), " weight levels for ", g.out_channels,
              " outputs of ", per_output, " and a ", g.out_height(), "x", g.out_width(), " output");
  c.geometry = g;
  // Exactly the rows and columns the output reads: (out - 1) * stride + kernel.
  c.padded = {0,
              g.in_channels,
              g.in_height,
              g.in_width,
              g.padding,
              g.padding,
              (g.out_height() - 1) * g.stride + g.kernel_height,
              (g.out_width() - 1) * g.stride + g.kernel_width};
  c.kernel_pads = input_grid.zero_point == 0 && c.padded.padded_height >= g.in_height + g.padding &&
                  c.padded.padded_width >= g.in_width + g.padding;
  if (c.links.codes_in) {
    const std::string why = why_codes_cannot_feed(g, input_grid.zero_point);
    LATHE_CHECK(why.empty(), "onednn int8 conv2d: cannot read the codes of the layer before: ", why);
    c.kernel_pads = true;  // the codes come unpadded, as the layer before wrote them
  } else if (g.in_channels == 1 && per_output > 1 && per_output <= kMostPatchCodes &&
             g.kernel_width <= kWidestPatchRow) {
    c.patches = true;
    c.kernel_pads = false;
  }
}

Int8Convolution::~Int8Convolution() = default;

void Int8Convolution::forward(int batch, const void* input, void* output, int threads) {
  Cache& c = *cache_;
  Int8Entry& entry = c.entry(batch, threads);
  if (c.links.codes_in) {
    entry.run(c.stream, input, output, threads);
    return;
  }
  c.padded.batch = batch;
  const std::size_t count =
      static_cast<std::size_t>(batch) * c.padded.channels *
      (c.kernel_pads ? static_cast<std::size_t>(c.padded.height) * c.padded.width
                     : static_cast<std::size_t>(c.padded.padded_height) * c.padded.padded_width);
  std::uint8_t* codes = c.codes_for(count + kWidestPatchRow);  // gather_patches reads past the end
  if (c.kernel_pads) {
    quantize_rows(static_cast<std::int64_t>(count), static_cast<const float*>(input), c.grid, codes,
                  threads);
  } else if (c.patches) {  // one channel: rounded in one pass, then padded
    const std::size_t pixels = static_cast<std::size_t>(batch) * c.padded.height * c.padded.width;
    if (c.unpadded_codes.size() < pixels) c.unpadded_codes.resize(pixels);
    quantize_rows(static_cast<std::int64_t>(pixels), static_cast<const float*>(input), c.grid,
                  c.unpadded_codes.data(), threads);
    pad_one_channel(c.padded, c.unpadded_codes.data(), static_cast<std::uint8_t>(c.grid.zero_point),
                    codes);
  } else {
    quantize_padded_nhwc(c.padded, static_cast<const float*>(input), c.grid, codes, threads);
  }
  if (c.patches) {
    const Conv2dGeometry& g = c.geometry;
    const std::size_t patch_count = static_cast<std::size_t>(batch) * g.out_height() * g.out_width() *
                                    g.kernel_height * g.kernel_width;
    if (c.patch_codes.size() < patch_count) c.patch_codes.resize(patch_count);
    gather_patches(c.padded, {g.kernel_height, g.kernel_width, g.stride, g.out_height(), g.out_width()},
                   codes, c.patch_codes.data(), threads);
    codes = c.patch_codes.data();
  }
  entry.run(c.stream, codes, output, threads);
}

std::string Int8Convolution::implementation(int batch, int threads) {
  return cache_->entry(batch, threads).entry.implementation;
}

}  // namespace lathe::onednn
