// Whether a built model can run on a data set, checked before the first forward pass so
// that a mismatch names the files and the layer at fault instead of surfacing inside a
// kernel: the images must be the spec's input C x H x W, and the labels must name the
// model's outputs (for training, exactly: one output per class of the data).
#pragma once

#include "data/dataset.h"
#include "nn/model.h"

namespace lathe::nn {

enum class ClassFit { at_most, exact };

void check_model_fits_data(const Model& model, const data::Dataset& dataset, ClassFit fit);

}  // namespace lathe::nn
