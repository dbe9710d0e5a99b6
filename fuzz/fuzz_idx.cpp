// libFuzzer target: lathe::fuzz::read_idx (fuzz_readers.h) on each input.
#include "fuzz_readers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lathe::fuzz::read_idx(data, size);
  return 0;
}
