// The machinery the oneDNN primitives of backend/onednn/ share, private to this folder:
// a primitive made once with the buffers of its layouts, its scratchpad and its argument
// lists, run on the caller's arrays.
#pragma once

#include <array>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

namespace lathe::onednn {

using dnnl::memory;

// One argument of a primitive: the caller's array (NCHW, OIHW or a vector) and, when the
// primitive wants another layout, a buffer of its own in that layout with the reorder
// between the two. Inputs are reordered in before the primitive, outputs out after it.
struct Operand {
  int argument = 0;
  bool output = false;
  memory user;
  memory internal;  // the same memory as `user` when no reorder is needed
  std::optional<dnnl::reorder> reorder;
  std::array<dnnl_exec_arg_t, 2> reorder_args{};
};

inline Operand make_operand(int argument, bool output, const memory::desc& user_desc,
                            const memory::desc& wanted, const dnnl::engine& engine) {
  Operand operand;
  operand.argument = argument;
  operand.output = output;
  operand.user = memory(user_desc, engine, DNNL_MEMORY_NONE);
  if (wanted == user_desc) {
    operand.internal = operand.user;
    return operand;
  }
  operand.internal = memory(wanted, engine);  // allocated here, once per shape
  const memory& from = output ? operand.internal : operand.user;
  const memory& to = output ? operand.user : operand.internal;
  operand.reorder.emplace(from, to);
  operand.reorder_args = {dnnl_exec_arg_t{DNNL_ARG_FROM, from.get()},
                          dnnl_exec_arg_t{DNNL_ARG_TO, to.get()}};
  return operand;
}

// A primitive made for one shape with everything it runs on. The argument lists are
// built once: dnnl::primitive::execute would build a map and a vector per call.
struct Entry {
  dnnl::primitive primitive;
  std::string implementation;
  std::vector<Operand> operands;
  memory scratchpad;
  std::vector<dnnl_exec_arg_t> arguments;

  void finish(const dnnl::primitive_desc_base& pd, const dnnl::engine& engine) {
    implementation = pd.impl_info_str();
    scratchpad = memory(pd.scratchpad_desc(), engine);
    for (const Operand& operand : operands) {
      arguments.push_back({operand.argument, operand.internal.get()});
    }
    arguments.push_back({DNNL_ARG_SCRATCHPAD, scratchpad.get()});
  }
};

inline void execute(dnnl_primitive_t primitive, const dnnl::stream& stream,
                    std::span<const dnnl_exec_arg_t> arguments) {
  dnnl::error::wrap_c_api(dnnl_primitive_execute(primitive, stream.get(),
                                                 static_cast<int>(arguments.size()),
                                                 arguments.data()),
                          "oneDNN: could not execute a primitive");
}

// Runs the entry on the callers' arrays, given in the order of entry.operands.
inline void run(Entry& entry, dnnl::stream& stream, std::initializer_list<const void*> arrays) {
  auto array = arrays.begin();
  for (Operand& operand : entry.operands) {
    // oneDNN takes non-const handles for inputs too; it only reads them.
    operand.user.set_data_handle(const_cast<void*>(*array++));
    if (operand.reorder && !operand.output) execute(operand.reorder->get(), stream, operand.reorder_args);
  }
  execute(entry.primitive.get(), stream, entry.arguments);
  for (Operand& operand : entry.operands) {
    if (operand.reorder && operand.output) execute(operand.reorder->get(), stream, operand.reorder_args);
  }
  stream.wait();
}

// The user scratchpad (Entry owns it, so executing allocates nothing of ours) and, when
// asked, max(0, y) as a post-op.
inline dnnl::primitive_attr primitive_attributes(bool relu) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  if (relu) {
    dnnl::post_ops post_ops;
    post_ops.append_eltwise(1.0F, dnnl::algorithm::eltwise_relu, 0.0F, 0.0F);
    attr.set_post_ops(post_ops);
  }
  return attr;
}

}  // namespace lathe::onednn
