// Numbers as text that reads back to the same double: the shortest such digits
// (std::to_chars), so 0.1 prints as 0.1 and never as 0.10000000000000001.
#pragma once

#include <string>

namespace lathe::search {

std::string exact_number(double value);

}  // namespace lathe::search
