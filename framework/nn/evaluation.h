// Loss and accuracy of a model over a whole data set, in inference mode, with conv2d +
// batchnorm + ReLU chains fused (nn/layers/fused_inference.h). Given the artifact the
// model was loaded from, its quantised layers run on integer kernels where they can
// (nn/layers/integer_layer.h), as a deployed artifact runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "data/dataset.h"
#include "io/checkpoint.h"
#include "nn/model.h"

namespace lathe::nn {

struct EvaluationResult {
  double loss = 0.0;      // mean softmax cross-entropy
  double accuracy = 0.0;  // fraction in [0, 1]
  std::int64_t items = 0;
  // Quantised layers that ran on integer kernels, and those that kept the simulated path
  // (fake quantisers, float kernels), each with why (FusedInference::integer_fallbacks).
  int integer_layers = 0;
  std::vector<std::string> simulated_layers;
};

EvaluationResult evaluate(Model& model, Backend& backend, const data::Dataset& dataset,
                          int batch_size, const io::Checkpoint* stored = nullptr);

}  // namespace lathe::nn
