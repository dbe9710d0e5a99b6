#include "strategies/number_text.h"

#include <charconv>

namespace lathe::search {

std::string exact_number(double value) {
  char text[32];  // the longest shortest form, -2.2250738585072014e-308, has 24
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

}  // namespace lathe::search
