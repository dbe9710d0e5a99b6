// The readers of untrusted input, each as one call on raw bytes: what every libFuzzer
// target in this folder runs, and what the regression test (tests/io/fuzz_regression_test.cpp)
// runs on every seed and every saved crash input under ctest. A reader may succeed or
// throw lathe::Error; any other exception escaping, a crash or a hang is a bug. Each
// returns whether the input was read (by at least one of the readers it goes through),
// false when every one refused it with a lathe::Error: the seeds are read, the saved
// crash inputs refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lathe::fuzz {

using Reader = bool (*)(const std::uint8_t* data, std::size_t size);

// The training config (with its data section) and the model spec, built into a model.
bool read_config(const std::uint8_t* data, std::size_t size);
// A recipe, every step through the step factory, and a fallback chain.
bool read_recipe(const std::uint8_t* data, std::size_t size);
// An IDX image file and label file: the first byte says how many of the rest (times 4)
// are the images.
bool read_idx(const std::uint8_t* data, std::size_t size);
// An HDF5 data set file (X, y).
bool read_hdf5_data(const std::uint8_t* data, std::size_t size);
// A checkpoint, and the model built from it.
bool read_checkpoint(const std::uint8_t* data, std::size_t size);

struct NamedReader {
  std::string target;  // the fuzz target and its corpus folder: fuzz_config, ...
  Reader read;
};
const std::vector<NamedReader>& readers();

}  // namespace lathe::fuzz
