// Puts a fake_quant layer in front of the inputs of the layers to quantise, by editing
// the model spec and rebuilding the model with every existing weight copied by name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/model.h"

namespace lathe::compress::quantize {

struct ActivationQuantizerSpec {
  int bits = 8;
  bool symmetric = false;
};

// One fake_quant layer per distinct source feeding `layers` (named "<first consumer>_in_q"),
// placed just before its first consumer; every listed consumer of that source reads the
// quantiser instead, other consumers keep the float values. A source that already is a
// fake_quant layer is kept as it is. Replaces `model` by the rebuilt one (new quantisers
// start uncalibrated) and returns the quantisers' names in spec order.
std::vector<std::string> insert_input_quantizers(nn::Model& model,
                                                 const std::vector<std::string>& layers,
                                                 const ActivationQuantizerSpec& spec,
                                                 std::uint64_t seed);

// Rebuilds `model` from an edited spec, copying every parameter whose name and shape
// the new model shares with the old one.
void rebuild_with_weights(nn::Model& model, const nn::ModelSpec& edited, std::uint64_t seed);

}  // namespace lathe::compress::quantize
