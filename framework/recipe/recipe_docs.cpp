#include "recipe/recipe_docs.h"

namespace lathe::recipe {
std::string recipe_reference(bool /*markdown*/) { return ""; }
}  // namespace lathe::recipe
