// Inference latency of a model at a given batch size: the median wall time of repeated
// forward passes after a warm-up, in milliseconds, run as nn::evaluate runs them (conv2d +
// batchnorm + ReLU chains fused).
#pragma once

#include "backend/backend.h"
#include "data/dataset.h"
#include "io/checkpoint.h"
#include "nn/model.h"

namespace lathe::recipe {

// Uses the first `batch` images of `images` (repeated if there are fewer).
double median_latency_ms(nn::Model& model, Backend& backend, const data::Dataset& images,
                         int batch, const io::Checkpoint* stored = nullptr);

}  // namespace lathe::recipe
