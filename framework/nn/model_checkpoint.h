// Converts between a Model and an io::Checkpoint: the spec travels as YAML text, every
// parameter as "<layer>/<parameter>". Loading checks that the checkpoint's tensors are
// exactly the ones its spec builds, with the same shapes.
#pragma once

#include <string>

#include "io/checkpoint.h"
#include "nn/model.h"

namespace lathe::nn {

io::Checkpoint make_checkpoint(Model& model);
// Copies the checkpoint's weights into `model`; `path` names the file in messages.
void load_weights(Model& model, const io::Checkpoint& checkpoint, const std::string& path);
// Builds the model the checkpoint's spec describes and loads its weights.
Model model_from_checkpoint(const io::Checkpoint& checkpoint, const std::string& path);

}  // namespace lathe::nn
