// An in-memory labelled image data set: what every reader (IDX, HDF5, synthetic)
// produces and what the trainer consumes. Images are float32 N x C x H x W; readers of
// 8-bit data scale to [0, 1] here, normalisation comes later (data/normalization.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace lathe::data {

struct Dataset {
  Tensor images;                      // N x C x H x W
  std::vector<std::int32_t> labels;   // N values in [0, classes)
  int classes = 0;
  std::string source;                 // file or description, for messages
  std::string labels_source;          // where the labels came from, when not `source`

  [[nodiscard]] std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
};

}  // namespace lathe::data
