// What the int8 layers of backend/onednn/ share, private to this folder: a primitive
// (primitive_entry.h) whose s8 weights and float bias are constants, put into the
// kernel's layout once when it is made, and run under a given thread count.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backend/cpu/cpu_kernels.h"
#include "backend/onednn/activation_codes.h"
#include "backend/onednn/int8_convolution.h"
#include "backend/onednn/primitive_entry.h"

namespace lathe::onednn {

using Tag = memory::format_tag;
using Type = memory::data_type;

// The padding after the image that a window's last output reads: (out - 1) * stride +
// kernel - in - padding rows (columns); negative when the windows leave some unread.
inline int right_padding(int in, int out, int kernel, int stride, int padding) {
  return (out - 1) * stride + kernel - in - padding;
}

// The user scratchpad, per-output scales (mask: dimension 1 of the destination, the
// outputs) and, when asked, a ReLU after the scale: float outputs.
inline dnnl::primitive_attr int8_attributes(const std::vector<float>& output_scales, bool relu) {
  dnnl::primitive_attr attr = primitive_attributes(relu);
  attr.set_output_scales(1 << 1, output_scales);
  return attr;
}

// The same sums requantised to u8 codes of `next` (Int8Links::codes_out): the next
// quantiser's clamp(round(clamp(y, low, high) / scale) + zero_point, min_code, max_code).
// oneDNN computes dst = saturate_u8(round(post_ops(output_scale * (acc + b)))), so the
// output scales are divided by the next scale, one clip applies the ReLU, the range and
// the code limits (in levels: clamping to the integer code limits before rounding equals
// clamping after it), and a linear post-op adds the zero point. oneDNN rounds halves to
// even where FakeQuant rounds them away from zero: a code differs only on an exact tie.
inline dnnl::primitive_attr int8_code_attributes(const std::vector<float>& output_scales, bool relu,
                                                 const FakeQuantGrid& next) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  std::vector<float> scales(output_scales.size());
  for (std::size_t o = 0; o < scales.size(); ++o) scales[o] = output_scales[o] / next.scale;
  attr.set_output_scales(1 << 1, scales);
  const float zero = static_cast<float>(next.zero_point);
  const float high = std::min(next.clamp_high / next.scale, static_cast<float>(next.max_code) - zero);
  float low = std::max(next.clamp_low / next.scale, static_cast<float>(next.min_code) - zero);
  if (relu) low = std::max(low, 0.0F);  // clip(relu(v), a, b) = clip(v, max(a, 0), b) ...
  low = std::min(low, high);            // ... and b alone where b < max(a, 0)
  dnnl::post_ops post_ops;
  post_ops.append_eltwise(1.0F, dnnl::algorithm::eltwise_clip, low, high);
  if (next.zero_point != 0) post_ops.append_eltwise(1.0F, dnnl::algorithm::eltwise_linear, 1.0F, zero);
  attr.set_post_ops(post_ops);
  return attr;
}

// The attributes for a layer's output: floats, or codes of the next quantiser's grid.
inline dnnl::primitive_attr int8_output_attributes(const std::vector<float>& output_scales, bool relu,
                                                   const std::optional<FakeQuantGrid>& codes_out) {
  return codes_out ? int8_code_attributes(output_scales, relu, *codes_out)
                   : int8_attributes(output_scales, relu);
}

struct Int8Entry {
  Entry entry;          // operands: the input codes, then the float output
  memory weights;       // in the kernel's layout
  memory bias;

  // After the operands are pushed: the weights reordered once from `user_weights` (s8,
  // plain layout), the bias copied, both added to the argument list.
  void finish(const dnnl::primitive_desc_base& pd, const memory::desc& user_weights,
              const std::vector<std::int8_t>& levels, const std::vector<float>& bias_values,
              const dnnl::engine& engine, dnnl::stream& stream) {
    entry.finish(pd, engine);
    weights = memory(pd.query_md(dnnl::query::weights_md, 0), engine);
    memory plain(user_weights, engine, const_cast<std::int8_t*>(levels.data()));
    dnnl::reorder(plain, weights).execute(stream, plain, weights);
    bias = memory(pd.query_md(dnnl::query::weights_md, 1), engine);
    std::memcpy(bias.get_data_handle(), bias_values.data(), bias_values.size() * sizeof(float));
    stream.wait();
    entry.arguments.push_back({DNNL_ARG_WEIGHTS, weights.get()});
    entry.arguments.push_back({DNNL_ARG_BIAS, bias.get()});
  }

  // input codes and the output (floats or codes) in the layouts of the operands' user
  // memories.
  void run(dnnl::stream& stream, const void* codes, void* output, int threads) {
    const cpu::ThreadScope thread_scope(threads);
    onednn::run(entry, stream, {codes, output});
  }
};

// What both int8 layers keep: the input's grid, how they meet their neighbours, the weights with their accumulator fold,
// the primitives by batch size and thread count, and the buffer of input codes.
struct Int8LayerState {
  FakeQuantGrid grid;
  Int8Links links;
  AccumulatorFold fold;  // before `levels`: made from the weights' levels before they move
  std::vector<std::int8_t> levels;
  bool relu = false;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<std::array<int, 2>, Int8Entry> entries;
  std::vector<std::uint8_t> codes;

  Int8LayerState(const FakeQuantGrid& input_grid, Int8LayerWeights weights, Int8Links layer_links)
      : grid(input_grid),
        links(layer_links),
        fold(fold_accumulator(weights.levels, weights.scales, weights.bias, input_grid.zero_point)),
        levels(std::move(weights.levels)),
        relu(weights.relu) {}

  // The cached entry, or the one `make` builds (called once per batch and thread count).
  template <class Make>
  Int8Entry& entry(int batch, int threads, Make&& make) {
    const std::array<int, 2> key{batch, threads};
    if (auto found = entries.find(key); found != entries.end()) return found->second;
    return entries.emplace(key, make()).first->second;
  }

  // The codes buffer, grown to `count` once per larger batch.
  std::uint8_t* codes_for(std::size_t count) {
    if (codes.size() < count) codes.resize(count);
    return codes.data();
  }
};

}  // namespace lathe::onednn
