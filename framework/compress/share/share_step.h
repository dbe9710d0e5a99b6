// The `share` recipe step: docs/methods.md M2, mixture weight sharing.
//
//   apply          sets up the mixture (means evenly spaced over `range`); with
//                  `init: sample` redraws every shared weight from it
//   hook           first finetune: trains the mixture prior (step 3); later finetunes:
//                  tied fine-tuning that keeps the sharing (step 6)
//   after_finetune after the first finetune: the snap (steps 4-5)
//   finalize       snaps now if no finetune followed the step
//   pack           each shared weight as a codebook plus packed indices
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <vector>

#include "compress/compression_step.h"
#include "compress/share/share_params.h"

namespace lathe::compress {

std::unique_ptr<CompressionStep> make_share_step(const YAML::Node& params, const StepSource& source);

namespace share {

// Reads and checks the step's keys (including the cross-field ones: range is [a, b] with
// a < b; with zero_component, K + 1 components still fit a 256-entry codebook).
ShareParams parse_share_params(const YAML::Node& params, const StepSource& source);

// The layers whose weights are shared: `params.layers`, or every conv2d and linear layer.
// Unknown names, and layers of other types, are errors naming source.key("layers").
std::vector<std::string> shared_layer_names(const nn::Model& model, const ShareParams& params,
                                            const StepSource& source);

}  // namespace share
}  // namespace lathe::compress
