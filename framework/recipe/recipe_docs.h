// The reference of every recipe step's keys, generated from the same declarations the
// recipe reader checks: `lathe compress --help` and docs/recipes.md.
#pragma once

#include <string>

namespace lathe::recipe {

std::string recipe_reference(bool markdown);

}  // namespace lathe::recipe
