// Per-channel input normalisation, x' = (x - mean) / std. It is computed on the training
// split only (so nothing about validation or test data leaks into training) and then
// applied to every split; checkpoints store it so inference normalises the same way.
#pragma once

#include <vector>

#include "data/dataset.h"

namespace lathe::data {

// Keeps a constant channel (std 0) from dividing by zero or blowing up.
inline constexpr float kMinNormalizationStd = 1e-6F;

struct Normalization {
  std::vector<float> mean;  // one per channel
  std::vector<float> std;   // one per channel, at least kMinNormalizationStd
};

// Mean and population standard deviation of each channel over all items and pixels.
Normalization compute_normalization(const Dataset& train);
// Normalises every item in place (none when N is 0); a channel count that differs from
// the normalisation's is an error.
void apply_normalization(const Normalization& normalization, Dataset& dataset);
// mean 0, std 1 for each channel: what a run without normalisation records.
Normalization identity_normalization(int channels);

}  // namespace lathe::data
