// The CPU backend's convolutions through oneDNN primitives (Debian's libdnnl-dev), built
// only with LATHE_WITH_ONEDNN. oneDNN picks the kernel for the machine at run time
// (AVX2, AVX-512, AMX) and the blocked layouts it wants; the engine's tensors stay NCHW,
// so each pass reorders its operands into those layouts and back in buffers kept here.
//
// Primitives, their layouts' buffers and scratchpads are made once per geometry (and
// thread count, which oneDNN's kernels block for) and reused, so a training step
// allocates nothing once every layer has run once. No oneDNN header leaks out of this
// folder; only backend/cpu/ uses it.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"

namespace lathe::onednn {

enum class ConvPass { forward, backward_data, backward_filter };
// What a forward applies to its output in the same pass (a oneDNN post-op).
enum class Activation { none, relu };

// Whether oneDNN takes this geometry (a right padding that the output's truncation makes
// negative is the one shape the engine's geometry allows and oneDNN's descriptors refuse).
[[nodiscard]] bool accepts(const Conv2dGeometry& g);

class Convolutions {
 public:
  Convolutions();
  ~Convolutions();
  Convolutions(const Convolutions&) = delete;
  Convolutions& operator=(const Convolutions&) = delete;

  // The Backend's three convolution ops, with its contracts (backend.h). `threads` is
  // the OpenMP thread count the caller runs them under (a key of the primitive cache).
  void forward(const Conv2dGeometry& g, const float* input, const float* weight, const float* bias,
               float* output, int threads, Activation activation = Activation::none);
  void backward_data(const Conv2dGeometry& g, const float* grad_output, const float* weight,
                     float* grad_input, int threads);
  void backward_filter(const Conv2dGeometry& g, const float* input, const float* grad_output,
                       float* grad_weight, float* grad_bias, bool accumulate, int threads);

  // The kernel oneDNN chose for a pass (its impl_info_str, e.g. "brgconv:avx512_core"),
  // for benchmark records; makes the primitive when it is not cached yet.
  [[nodiscard]] std::string implementation(const Conv2dGeometry& g, ConvPass pass, bool bias,
                                           int threads, Activation activation = Activation::none);

 private:
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace lathe::onednn
