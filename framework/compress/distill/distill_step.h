// The recipe step `distill` (docs/methods.md M5): a teacher (the base model, or a `teacher`
// checkpoint) guides the later `finetune` steps through a trainer hook, by its softened
// logits (kind logits) or by those and one intermediate activation (kind hint); kind
// none trains without a teacher. With `student`, apply() first replaces the model by a
// fresh one built from that spec (a small model trained on the first model's
// training data); without it the current, possibly compressed, model is the student.
//
// Keys (distill_params.h), and which kinds take them:
//   kind                      all (logits | hint | none, default logits)
//   temperature, alpha        logits, hint (T > 0, default 4; alpha in [0, 1], default 0.7)
//   teacher                   logits, hint
//   student                   all
//   student_layer, teacher_layer, hint_weight, adapter_lr   hint
// A key given to a kind that does not take it is an error naming the key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>

#include "compress/compression_step.h"

namespace lathe::compress {

std::unique_ptr<CompressionStep> make_distill_step(const YAML::Node& params,
                                                   const StepSource& source);

}  // namespace lathe::compress
