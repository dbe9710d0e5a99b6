// Post-training calibration of the fake_quant layers' ranges: a few batches of the
// training split (never validation or test) run through the model in inference mode
// with the quantisers observing, then each range is chosen by min/max, a percentile or
// the least quantisation error (range_from_histogram.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "compress/quantize/range_from_histogram.h"
#include "data/dataset.h"
#include "nn/model.h"

namespace lathe::compress::quantize {

struct CalibrationConfig {
  std::string method = "minmax";  // minmax | percentile | mse
  double percentile = 99.99;      // percentile only (ours)
  int batches = 8;                // (ours)
};

// Calibrates the named fake_quant layers of `model` and sets their ranges; returns the
// chosen ranges by layer name. The batches are the first `config.batches` of a
// shuffled pass over `train` seeded by `seed`. Leaves the quantisers quantising.
std::map<std::string, ActivationRange> calibrate_activations(
    nn::Model& model, Backend& backend, const data::Dataset& train,
    const std::vector<std::string>& quantizers, const CalibrationConfig& config, int batch_size,
    std::uint64_t seed);

}  // namespace lathe::compress::quantize
