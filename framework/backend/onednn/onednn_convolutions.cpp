#include "backend/onednn/onednn_convolutions.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backend/onednn/primitive_entry.h"
#include "core/error.h"

namespace lathe::onednn {
namespace {

using Tag = memory::format_tag;
using Index = std::int64_t;

int right_padding(int in_size, int out_size, int kernel, int stride, int padding) {
  // oneDNN wants (in + left + right - kernel) / stride + 1 == out exactly; the engine's
  // output size truncates, which leaves fewer cells on the right.
  return (out_size - 1) * stride + kernel - in_size - padding;
}

struct ConvDescs {
  memory::dims strides;
  memory::dims padding_left;
  memory::dims padding_right;
  memory::dims src;
  memory::dims weights;
  memory::dims bias;
  memory::dims dst;
};

ConvDescs conv_dims(const Conv2dGeometry& g) {
  return {{g.stride, g.stride},
          {g.padding, g.padding},
          {right_padding(g.in_height, g.out_height(), g.kernel_height, g.stride, g.padding),
           right_padding(g.in_width, g.out_width(), g.kernel_width, g.stride, g.padding)},
          {g.batch, g.in_channels, g.in_height, g.in_width},
          {g.out_channels, g.in_channels, g.kernel_height, g.kernel_width},
          {g.out_channels},
          {g.batch, g.out_channels, g.out_height(), g.out_width()}};
}

memory::desc plain(const memory::dims& dims, Tag tag) {
  return memory::desc(dims, memory::data_type::f32, tag);
}
memory::desc any(const memory::dims& dims) { return plain(dims, Tag::any); }

dnnl::primitive_attr user_scratchpad(Activation activation = Activation::none) {
  return primitive_attributes(activation == Activation::relu);
}

dnnl::convolution_forward::primitive_desc forward_desc(const Conv2dGeometry& g, bool bias,
                                                       const dnnl::engine& engine,
                                                       Activation activation = Activation::none) {
  const ConvDescs d = conv_dims(g);
  const auto desc =
      bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                             dnnl::algorithm::convolution_direct, any(d.src),
                                             any(d.weights), plain(d.bias, Tag::x), any(d.dst),
                                             d.strides, d.padding_left, d.padding_right)
           : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                             dnnl::algorithm::convolution_direct, any(d.src),
                                             any(d.weights), any(d.dst), d.strides,
                                             d.padding_left, d.padding_right);
  return {desc, user_scratchpad(activation), engine};
}

Entry make_forward(const Conv2dGeometry& g, bool bias, Activation activation,
                   const dnnl::engine& engine) {
  const ConvDescs d = conv_dims(g);
  const auto pd = forward_desc(g, bias, engine, activation);
  Entry entry;
  entry.primitive = dnnl::convolution_forward(pd);
  entry.operands.push_back(
      make_operand(DNNL_ARG_SRC, false, plain(d.src, Tag::nchw), pd.src_desc(), engine));
  entry.operands.push_back(
      make_operand(DNNL_ARG_WEIGHTS, false, plain(d.weights, Tag::oihw), pd.weights_desc(), engine));
  if (bias) {
    entry.operands.push_back(
        make_operand(DNNL_ARG_BIAS, false, plain(d.bias, Tag::x), pd.bias_desc(), engine));
  }
  entry.operands.push_back(
      make_operand(DNNL_ARG_DST, true, plain(d.dst, Tag::nchw), pd.dst_desc(), engine));
  entry.finish(pd, engine);
  return entry;
}

Entry make_backward_data(const Conv2dGeometry& g, const dnnl::engine& engine) {
  const ConvDescs d = conv_dims(g);
  const dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, any(d.src),
                                                   any(d.weights), any(d.dst), d.strides,
                                                   d.padding_left, d.padding_right);
  const dnnl::convolution_backward_data::primitive_desc pd(desc, user_scratchpad(), engine,
                                                           forward_desc(g, false, engine));
  Entry entry;
  entry.primitive = dnnl::convolution_backward_data(pd);
  entry.operands.push_back(make_operand(DNNL_ARG_DIFF_DST, false, plain(d.dst, Tag::nchw),
                                        pd.diff_dst_desc(), engine));
  entry.operands.push_back(
      make_operand(DNNL_ARG_WEIGHTS, false, plain(d.weights, Tag::oihw), pd.weights_desc(), engine));
  entry.operands.push_back(make_operand(DNNL_ARG_DIFF_SRC, true, plain(d.src, Tag::nchw),
                                        pd.diff_src_desc(), engine));
  entry.finish(pd, engine);
  return entry;
}

Entry make_backward_filter(const Conv2dGeometry& g, bool bias, const dnnl::engine& engine) {
  const ConvDescs d = conv_dims(g);
  const auto desc =
      bias ? dnnl::convolution_backward_weights::desc(
                 dnnl::algorithm::convolution_direct, any(d.src), any(d.weights),
                 plain(d.bias, Tag::x), any(d.dst), d.strides, d.padding_left, d.padding_right)
           : dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct,
                                                      any(d.src), any(d.weights), any(d.dst),
                                                      d.strides, d.padding_left, d.padding_right);
  const dnnl::convolution_backward_weights::primitive_desc pd(desc, user_scratchpad(), engine,
                                                              forward_desc(g, bias, engine));
  Entry entry;
  entry.primitive = dnnl::convolution_backward_weights(pd);
  entry.operands.push_back(
      make_operand(DNNL_ARG_SRC, false, plain(d.src, Tag::nchw), pd.src_desc(), engine));
  entry.operands.push_back(make_operand(DNNL_ARG_DIFF_DST, false, plain(d.dst, Tag::nchw),
                                        pd.diff_dst_desc(), engine));
  entry.operands.push_back(make_operand(DNNL_ARG_DIFF_WEIGHTS, true, plain(d.weights, Tag::oihw),
                                        pd.diff_weights_desc(), engine));
  if (bias) {
    entry.operands.push_back(make_operand(DNNL_ARG_DIFF_BIAS, true, plain(d.bias, Tag::x),
                                          pd.diff_bias_desc(), engine));
  }
  entry.finish(pd, engine);
  return entry;
}

using Key = std::array<int, 13>;

Key key_of(const Conv2dGeometry& g, ConvPass pass, bool bias, int threads, Activation activation) {
  return {g.batch,        g.in_channels,   g.in_height,     g.in_width,
          g.out_channels, g.kernel_height, g.kernel_width,  g.stride,
          g.padding,      static_cast<int>(pass), bias ? 1 : 0, threads,
          static_cast<int>(activation)};
}

}  // namespace

bool accepts(const Conv2dGeometry& g) {
  return g.batch > 0 &&
         right_padding(g.in_height, g.out_height(), g.kernel_height, g.stride, g.padding) >= 0 &&
         right_padding(g.in_width, g.out_width(), g.kernel_width, g.stride, g.padding) >= 0;
}

struct Convolutions::Cache {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<Key, Entry> entries;
  // backward_filter's results when it accumulates: oneDNN overwrites its outputs.
  std::vector<float> fresh_gradient;

  Entry& entry(const Conv2dGeometry& g, ConvPass pass, bool bias, int threads,
               Activation activation = Activation::none) {
    const Key key = key_of(g, pass, bias, threads, activation);
    if (auto found = entries.find(key); found != entries.end()) return found->second;
    try {
      Entry made = pass == ConvPass::forward         ? make_forward(g, bias, activation, engine)
                   : pass == ConvPass::backward_data ? make_backward_data(g, engine)
                                                     : make_backward_filter(g, bias, engine);
      return entries.emplace(key, std::move(made)).first->second;
    } catch (const dnnl::error& e) {
      fail("onednn conv2d: no primitive for batch ", g.batch, ", ", g.in_channels, "x",
           g.in_height, "x", g.in_width, " input, ", g.out_channels, " outputs, ",
           g.kernel_height, "x", g.kernel_width, " kernel, stride ", g.stride, ", padding ",
           g.padding, ": ", e.what());
    }
  }
};

Convolutions::Convolutions() : cache_(std::make_unique<Cache>()) {}
Convolutions::~Convolutions() = default;

void Convolutions::forward(const Conv2dGeometry& g, const float* input, const float* weight,
                           const float* bias, float* output, int threads, Activation activation) {
  Entry& entry = cache_->entry(g, ConvPass::forward, bias != nullptr, threads, activation);
  if (bias != nullptr) {
    run(entry, cache_->stream, {input, weight, bias, output});
  } else {
    run(entry, cache_->stream, {input, weight, output});
  }
}

void Convolutions::backward_data(const Conv2dGeometry& g, const float* grad_output,
                                 const float* weight, float* grad_input, int threads) {
  run(cache_->entry(g, ConvPass::backward_data, false, threads), cache_->stream,
      {grad_output, weight, grad_input});
}

void Convolutions::backward_filter(const Conv2dGeometry& g, const float* input,
                                   const float* grad_output, float* grad_weight, float* grad_bias,
                                   bool accumulate, int threads) {
  Entry& entry = cache_->entry(g, ConvPass::backward_filter, grad_bias != nullptr, threads);
  const Index weights = Index{g.out_channels} * g.in_channels * g.kernel_height * g.kernel_width;
  const Index biases = grad_bias != nullptr ? g.out_channels : 0;
  float* weight_target = grad_weight;
  float* bias_target = grad_bias;
  if (accumulate) {
    if (cache_->fresh_gradient.size() < static_cast<std::size_t>(weights + biases)) {
      cache_->fresh_gradient.resize(weights + biases);
    }
    weight_target = cache_->fresh_gradient.data();
    bias_target = weight_target + weights;
  }
  if (grad_bias != nullptr) {
    run(entry, cache_->stream, {input, grad_output, weight_target, bias_target});
  } else {
    run(entry, cache_->stream, {input, grad_output, weight_target});
  }
  if (!accumulate) return;
  for (Index i = 0; i < weights; ++i) grad_weight[i] += weight_target[i];
  for (Index i = 0; i < biases; ++i) grad_bias[i] += bias_target[i];
}

std::string Convolutions::implementation(const Conv2dGeometry& g, ConvPass pass, bool bias,
                                         int threads, Activation activation) {
  return cache_->entry(g, pass, bias, threads, activation).implementation;
}

}  // namespace lathe::onednn
