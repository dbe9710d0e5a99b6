// core/json_text.h under its former name and namespace, for the recipe/ and launch/ code
// that still includes it as recipe/json_text.h. strategies/ includes core/json_text.h:
// it may see nothing of recipe/ (tests/build, Layering.lathe_strategies).
#pragma once

#include "core/json_text.h"

namespace lathe::recipe {
using lathe::json_string;
}  // namespace lathe::recipe
