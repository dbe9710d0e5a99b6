// What the int8 layers of backend/onednn/ share, private to this folder: a primitive
// (primitive_entry.h) whose s8 weights and float bias are constants, put into the
// kernel's layout once when it is made, and run under a given thread count.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backend/cpu/cpu_kernels.h"
#include "backend/onednn/activation_codes.h"
#include "backend/onednn/int8_convolution.h"
#include "backend/onednn/primitive_entry.h"

namespace lathe::onednn {

// The user scratchpad, per-output scales (mask: dimension 1 of the destination, the
// outputs) and, when asked, a ReLU after the scale.
inline dnnl::primitive_attr int8_attributes(const std::vector<float>& output_scales, bool relu) {
  dnnl::primitive_attr attr = primitive_attributes(relu);
  attr.set_output_scales(1 << 1, output_scales);
  return attr;
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

  // input codes in the layout of the first operand's user memory; output floats.
  void run(dnnl::stream& stream, const std::uint8_t* codes, float* output, int threads) {
    const cpu::ThreadScope thread_scope(threads);
    onednn::run(entry, stream, {codes, output});
  }
};

// What both int8 layers keep: the input's grid, the weights with their accumulator fold,
// the primitives by batch size and thread count, and the buffer of input codes.
struct Int8LayerState {
  FakeQuantGrid grid;
  AccumulatorFold fold;  // before `levels`: made from the weights' levels before they move
  std::vector<std::int8_t> levels;
  bool relu = false;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<std::array<int, 2>, Int8Entry> entries;
  std::vector<std::uint8_t> codes;

  Int8LayerState(const FakeQuantGrid& input_grid, Int8LayerWeights weights)
      : grid(input_grid),
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
