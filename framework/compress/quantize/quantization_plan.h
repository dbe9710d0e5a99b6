// What a quantize step decided to quantise, shared by the step and its QAT hook: the
// weights with their target bits, the activation quantisers, and the bit schedule.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "compress/quantize/counted_range_update.h"
#include "compress/quantize/weight_quantizer.h"

namespace lathe::compress::quantize {

struct WeightTarget {
  std::string layer;      // "conv1"
  std::string parameter;  // "conv1/weight", as Model::named_parameters names it
  int bits = 8;           // the target width
};

struct QuantizationPlan {
  std::vector<WeightTarget> weights;
  bool symmetric = true;
  bool per_channel = true;
  std::vector<std::string> quantizers;  // fake_quant layer names; empty when act_bits is 0
  int act_bits = 8;
  RangeRuleConfig range_rule;
  bool intermediate_start = false;  // train at intermediate_bits(target) first
  double switch_fraction = 0.5;

  [[nodiscard]] WeightQuantSpec weight_spec(int bits) const { return {bits, symmetric, per_channel}; }
};

// docs/methods.md M3 1a (ours): the intermediate width is the target plus 2 bits, at most 8.
inline int intermediate_bits(int target_bits) { return std::min(target_bits + 2, 8); }

}  // namespace lathe::compress::quantize
