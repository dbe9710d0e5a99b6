// A damaged global heap (where HDF5 keeps variable-length strings) is refused before
// libhdf5 reads text from it: libhdf5 1.10 loops forever on a free-space object of size
// 0, so without the check these tests hang (and fail by ctest's timeout).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "io/checkpoint_file.h"
#include "io/checkpoint_test_support.h"
#include "io/hdf5_damage.h"
#include "support/temp_dir.h"

namespace lathe::io {
namespace {

using lathe::test_support::TempDir;
using namespace test_support;  // NOLINT(google-build-using-namespace): the checkpoint test helpers

TEST(GlobalHeapCheck, SoundCheckpointStillLoads) {
  const TempDir scratch;
  const std::string path = scratch.file("sound.h5");
  write_checkpoint(path, small_checkpoint_with_text());
  EXPECT_EQ(read_checkpoint(path).text_metadata.at("config"), "train:\n  epochs: 1\n");
}

TEST(GlobalHeapCheck, FreeSpaceObjectOfSizeZeroIsRefusedNamingTheFileAndOffsets) {
  const TempDir scratch;
  const std::string path = scratch.file("damaged.h5");
  write_checkpoint(path, small_checkpoint_with_text());
  const std::size_t size_field = zero_global_heap_free_space(path);
  ASSERT_GT(size_field, 0U);

  expect_mentions(read_error(path), {path, "damaged global heap", "free-space object of size 0",
                                     "at byte " + std::to_string(size_field - 8)});
}

TEST(GlobalHeapCheck, FuzzerInputThatHungLibhdf5IsRefused) {
  const std::string path = std::string(LATHE_SOURCE_DIR) +
                           "/fuzz/regressions/fuzz_checkpoint/hdf5_vlen_attribute_read_hangs.h5";
  expect_mentions(read_error(path), {path, "damaged global heap"});
}

// libhdf5 1.10 reads such an object past its collection (an ASan memcpy-param-overlap in
// H5HG_read under fuzz_checkpoint; its size check is an assertion, compiled out).
TEST(GlobalHeapCheck, ObjectRunningPastItsCollectionIsRefused) {
  const std::string path = std::string(LATHE_SOURCE_DIR) +
                           "/fuzz/regressions/fuzz_checkpoint/global_heap_object_past_its_collection.h5";
  expect_mentions(read_error(path), {path, "damaged global heap", "the collection at byte 2048 of 4096 bytes",
                                     "at byte 2064, past the collection's end"});
}

}  // namespace
}  // namespace lathe::io
