// The `quantize` recipe step (docs/methods.md M3): fake_quant layers in front of the
// quantised conv2d/linear layers, their ranges calibrated on training batches, weights
// rounded to weight_bits; with method qat the hook keeps everything quantised while
// later finetune steps train. The artifact stores each quantised weight as packed codes
// with its scales and zero points; biases, batchnorm and activation ranges stay float.
#pragma once

#include <memory>

#include <yaml-cpp/yaml.h>

#include "compress/compression_step.h"
#include "compress/quantize/quantize_params.h"

namespace lathe::compress {
namespace quantize {

// The step's keys from its YAML node: weight_bits as an integer or a mapping, then the
// rest through QuantizeParams (unknown keys and out-of-range values are errors).
QuantizeParams read_quantize_params(const YAML::Node& params, const StepSource& source);

}  // namespace quantize

// Reads the step's keys (quantize_params.h); errors name source.where and the key.
std::unique_ptr<CompressionStep> make_quantize_step(const YAML::Node& params,
                                                    const StepSource& source);

}  // namespace lathe::compress
