// A group's local heap (where its members' names live) declaring a data segment the file
// cannot hold is refused before libhdf5 allocates it (3.4 GB for a 2 KB file, found by
// fuzz_hdf5_data) or reads it from an undefined address (a read into a null buffer).
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "data/hdf5_dataset.h"

namespace lathe::io {
namespace {

std::string data_read_error(const std::string& path) {
  try {
    data::read_hdf5_dataset(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(LocalHeapCheck, DataSegmentPastTheFileIsRefusedNamingTheHeapAndItsSize) {
  const std::string path = std::string(LATHE_SOURCE_DIR) +
                           "/fuzz/regressions/fuzz_hdf5_data/local_heap_segment_allocates_3_4_gb.h5";
  EXPECT_EQ(data_read_error(path),
            path + ": expected an HDF5 file whose groups can be read, found a damaged local heap (the heap at "
                   "byte 680 declares a data segment of 3422552152 bytes at byte 182272 (past the file's end) in "
                   "a file of 2113 bytes, which libhdf5 would allocate or read); the file is damaged");
}

TEST(LocalHeapCheck, DataSegmentAtAnUndefinedAddressIsRefused) {
  const std::string path = std::string(LATHE_SOURCE_DIR) +
                           "/fuzz/regressions/fuzz_hdf5_data/local_heap_segment_at_undefined_address.h5";
  EXPECT_NE(data_read_error(path).find("declares a data segment of 88 bytes at byte 18446744073709551615 (an "
                                       "undefined address)"),
            std::string::npos)
      << data_read_error(path);
}

}  // namespace
}  // namespace lathe::io
