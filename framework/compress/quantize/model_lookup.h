// Finding a parameter or a fake_quant layer by name, each time it is needed (steps never
// keep pointers across calls: compaction and students replace the Model).
#pragma once

#include <string>

#include "nn/layers/fake_quant.h"
#include "nn/model.h"

namespace lathe::compress::quantize {

// "conv1/weight"; a lathe::Error naming it when the model has none.
nn::Parameter& find_parameter(nn::Model& model, const std::string& name);
nn::FakeQuant& find_quantizer(nn::Model& model, const std::string& name);

}  // namespace lathe::compress::quantize
