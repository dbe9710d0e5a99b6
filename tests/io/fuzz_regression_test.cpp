// Every input the fuzzers start from and every input a fuzzer found a crash with
// (fuzz/corpus/<target>/, fuzz/regressions/<target>/) goes through the same reader as the
// fuzz target: it must be read or refused with a lathe::Error. Under the asan preset
// this also fails on the memory errors the fuzzer saw.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_readers.h"

namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int read_every_file(const lathe::fuzz::NamedReader& reader, const fs::path& folder) {
  int files = 0;
  if (!fs::is_directory(folder)) return files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::vector<std::uint8_t> bytes = bytes_of(entry.path());
    EXPECT_NO_THROW(reader.read(bytes.data(), bytes.size())) << entry.path();
    ++files;
  }
  return files;
}

TEST(FuzzRegression, EverySeedAndSavedCrashInputIsReadOrRefusedWithAnError) {
  const fs::path fuzz = fs::path(LATHE_SOURCE_DIR) / "fuzz";
  for (const lathe::fuzz::NamedReader& reader : lathe::fuzz::readers()) {
    EXPECT_GT(read_every_file(reader, fuzz / "corpus" / reader.target), 0) << reader.target << " has no seeds";
    (void)read_every_file(reader, fuzz / "regressions" / reader.target);
  }
}

}  // namespace
