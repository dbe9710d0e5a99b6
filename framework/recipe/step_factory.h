// Turns a recipe step (kind and keys) into the compression step that implements it:
// prune (method filter: M4, method ablation: M1), quantize (M3), share (M2) and
// distill (M5's variants). `finetune` is not a compression step: the evaluator runs it.
#pragma once

#include <memory>

#include "compress/compression_step.h"
#include "recipe/recipe.h"

namespace lathe::recipe {

std::unique_ptr<compress::CompressionStep> make_compression_step(const RecipeStepSpec& step);

}  // namespace lathe::recipe
