// Consecutive integer layers (integer_layer.h) that hand each other u8 codes, as
// PyTorch's int8 models do: the first layer rounds the float input to its quantiser's
// codes once; each layer whose output feeds, through max poolings and a flatten only,
// the quantiser of the next writes that quantiser's codes itself (oneDNN requantises the
// s32 sums: backend/onednn/int8_convolution.h, Int8Links), NHWC between convolutions;
// the max poolings run on the codes (backend/onednn/u8_max_pooling.h, exact: every step
// of a quantiser is monotone); a flatten costs nothing, since the linear layer after it
// takes its weight's columns permuted once from C x H x W to H x W x C order; a global
// average pooling before a linear layer reads the convolution's floats NHWC and rounds
// its averages to the linear layer's codes in the same pass; only the last layer's output
// comes back as floats. Against the simulated path, only float
// rounding of the requantised value and the rounding of exact halves differ: a code may
// move by one level.
//
// Where a link cannot be made (why_not_linked says why: a zero point whose padding
// oneDNN cannot write, windows that skip input rows), the run ends there and the next
// layer starts a run of its own from floats; nn::FusedInference reports it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "nn/layers/integer_layer.h"

namespace lathe::nn {

// The layers between two integer layers, in this order: max poolings, then a global
// average pooling, then a flatten (each optional).
struct RunLink {
  std::vector<Pool2dGeometry> max_pools;
  bool global_average = false;
  bool flattened = false;
};

class IntegerRunPlan {
 public:
  explicit IntegerRunPlan(PreparedIntegerLayer first);

  // Why `next`, reached from the run's last layer through `between`, cannot read the
  // codes that layer would write ("" when it can).
  [[nodiscard]] std::string why_not_linked(const RunLink& between, const PreparedIntegerLayer& next) const;
  // Appends `next`; why_not_linked must have said "".
  void link(RunLink between, PreparedIntegerLayer next);

  [[nodiscard]] int layers() const { return static_cast<int>(stages_.size()); }
  // Handoffs as codes: one fewer than the layers.
  [[nodiscard]] int code_handoffs() const { return layers() - 1; }

  // The run on oneDNN's int8 primitives (made lazily per batch size and thread count).
  [[nodiscard]] std::unique_ptr<IntegerLayer> make() &&;

 private:
  struct Stage {
    PreparedIntegerLayer layer;
    RunLink before;  // between the layer before and this one
  };
  std::vector<Stage> stages_;
};

}  // namespace lathe::nn
