// core/json_text.h under its former name and namespace, for the code that still includes
// it as recipe/json_text.h.
#pragma once

#include "core/json_text.h"

namespace lathe::recipe {
using lathe::json_string;
}  // namespace lathe::recipe
