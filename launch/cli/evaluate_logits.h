// `lathe evaluate --logits PATH.csv`: every image's logits and predicted class, so other
// tools (PyTorch, ONNX Runtime) can be compared with Lathe image by image.
#pragma once

#include <string>

#include "backend/backend.h"
#include "data/dataset.h"
#include "nn/model.h"

namespace lathe::cli {

// One line per image: "prediction,logit0,logit1,..." (9 significant digits), after a
// header line; the file is replaced only once every batch has run.
void write_logits_csv(nn::Model& model, Backend& backend, const data::Dataset& dataset, int batch_size,
                      const std::string& path);

}  // namespace lathe::cli
