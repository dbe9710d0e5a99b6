// A whole file as text ("" when it cannot be read): for test inputs and logs.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace lathe::test_support {

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace lathe::test_support
