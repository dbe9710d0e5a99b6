// libFuzzer target: lathe::fuzz::read_hdf5_data (fuzz_readers.h) on each input.
#include "fuzz_readers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lathe::fuzz::read_hdf5_data(data, size);
  return 0;
}
