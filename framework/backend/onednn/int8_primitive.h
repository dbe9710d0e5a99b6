// What the int8 layers of backend/onednn/ share, private to this folder: a primitive
// (primitive_entry.h) whose s8 weights and float bias are constants, put into the
// kernel's layout once when it is made, and run under a given thread count.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backend/cpu/cpu_kernels.h"
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

}  // namespace lathe::onednn
