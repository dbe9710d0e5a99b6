// Every input the fuzzers start from and every input a fuzzer ever found a crash, a hang
// or a runaway allocation with (fuzz/corpus/<target>/, fuzz/regressions/<target>/) goes
// through the same reader as the fuzz target, one test per file: a seed must be read, a
// saved crash input refused with a lathe::Error. Under the asan preset this also fails on
// the memory errors the fuzzer saw.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "fuzz_readers.h"

namespace {

namespace fs = std::filesystem;

struct FuzzInput {
  lathe::fuzz::NamedReader reader;
  fs::path file;
};

std::vector<std::uint8_t> bytes_of(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The files of fuzz/<kind>/<target>/ for every target, in name order.
std::vector<FuzzInput> inputs(const std::string& kind) {
  std::vector<FuzzInput> found;
  for (const lathe::fuzz::NamedReader& reader : lathe::fuzz::readers()) {
    const fs::path folder = fs::path(LATHE_SOURCE_DIR) / "fuzz" / kind / reader.target;
    std::vector<fs::path> files;
    if (fs::is_directory(folder)) {
      for (const auto& entry : fs::directory_iterator(folder)) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) found.push_back({reader, file});
  }
  return found;
}

// The ctest name's last part ("Corpus/FuzzSeed.IsReadWithoutError/fuzz_recipe/ptq8.yaml").
void PrintTo(const FuzzInput& input, std::ostream* out) {
  *out << input.reader.target << "/" << input.file.filename().string();
}

// The fuzzers run in the repository's root (scripts/fuzz.sh), where the paths inside the
// seeds (a fallback chain's recipe files) lead; ctest runs tests in the build tree.
class InRepositoryRoot {
 public:
  InRepositoryRoot() : previous_(fs::current_path()) { fs::current_path(LATHE_SOURCE_DIR); }
  InRepositoryRoot(const InRepositoryRoot&) = delete;
  InRepositoryRoot& operator=(const InRepositoryRoot&) = delete;
  ~InRepositoryRoot() { fs::current_path(previous_); }

 private:
  fs::path previous_;
};

class FuzzSeed : public testing::TestWithParam<FuzzInput> {};
class FuzzRegression : public testing::TestWithParam<FuzzInput> {};

TEST_P(FuzzSeed, IsReadWithoutError) {
  const InRepositoryRoot in_root;
  const std::vector<std::uint8_t> bytes = bytes_of(GetParam().file);
  EXPECT_TRUE(GetParam().reader.read(bytes.data(), bytes.size()))
      << GetParam().file << ": a seed the reader refuses only teaches the fuzzer its refusals";
}

TEST_P(FuzzRegression, SavedCrashInputIsRefusedWithAnError) {
  const std::vector<std::uint8_t> bytes = bytes_of(GetParam().file);
  // Any other exception fails the test; a crash or a hang fails it too (the binary dies,
  // or ctest's timeout ends it).
  EXPECT_FALSE(GetParam().reader.read(bytes.data(), bytes.size())) << GetParam().file;
}

INSTANTIATE_TEST_SUITE_P(Corpus, FuzzSeed, testing::ValuesIn(inputs("corpus")));
INSTANTIATE_TEST_SUITE_P(Saved, FuzzRegression, testing::ValuesIn(inputs("regressions")));

// fuzz/unfixed/<target>/ (inputs that still misbehave, README there) is not read here.
TEST(FuzzInputs, EveryTargetHasSeeds) {
  const std::vector<FuzzInput> seeds = inputs("corpus");
  for (const lathe::fuzz::NamedReader& reader : lathe::fuzz::readers()) {
    EXPECT_TRUE(std::any_of(seeds.begin(), seeds.end(),
                            [&](const FuzzInput& input) { return input.reader.target == reader.target; }))
        << reader.target << " has no seeds in fuzz/corpus/" << reader.target;
  }
}

}  // namespace
