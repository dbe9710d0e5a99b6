// A damaged global heap (where HDF5 keeps variable-length strings) is refused before
// libhdf5 reads text from it: libhdf5 1.10 loops forever on a free-space object of size
// 0, so without the check these tests hang (and fail by ctest's timeout).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "io/checkpoint_file.h"
#include "io/checkpoint_test_support.h"
#include "support/temp_dir.h"

namespace lathe::io {
namespace {

using lathe::test_support::TempDir;
using namespace test_support;  // NOLINT(google-build-using-namespace): the checkpoint test helpers

Checkpoint small_checkpoint() {
  Checkpoint checkpoint;
  checkpoint.model_spec_yaml = "model:\n  - dense: {name: fc1, units: 2}\n";
  Tensor weight(Shape({2, 3}));
  for (std::int64_t i = 0; i < weight.size(); ++i) weight[i] = static_cast<float>(i);
  checkpoint.tensors.push_back({"fc1/weight", weight});
  checkpoint.normalization_mean = {0.5F};
  checkpoint.normalization_std = {2.0F};
  checkpoint.text_metadata = {{"config", "train:\n  epochs: 1\n"}};
  return checkpoint;
}

std::uint64_t little_endian(const std::string& bytes, std::size_t at, int width) {
  std::uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// The byte offset of the size field of the first collection's free-space object (index 0).
std::size_t free_space_size_field(const std::string& bytes) {
  const std::size_t collection = bytes.find("GCOL");
  EXPECT_NE(collection, std::string::npos) << "the checkpoint has no global heap";
  const std::size_t end = collection + little_endian(bytes, collection + 8, 8);
  std::size_t at = collection + 16;
  while (at + 16 <= end) {
    const std::uint64_t index = little_endian(bytes, at, 2);
    const std::uint64_t size = little_endian(bytes, at + 8, 8);
    if (index == 0) return at + 8;
    at += 16 + (size + 7) / 8 * 8;
  }
  ADD_FAILURE() << "the global heap has no free-space object";
  return 0;
}

TEST(GlobalHeapCheck, SoundCheckpointStillLoads) {
  const TempDir scratch;
  const std::string path = scratch.file("sound.h5");
  write_checkpoint(path, small_checkpoint());
  EXPECT_EQ(read_checkpoint(path).text_metadata.at("config"), "train:\n  epochs: 1\n");
}

TEST(GlobalHeapCheck, FreeSpaceObjectOfSizeZeroIsRefusedNamingTheFileAndOffsets) {
  const TempDir scratch;
  const std::string path = scratch.file("damaged.h5");
  write_checkpoint(path, small_checkpoint());
  std::string bytes = file_bytes(path);
  const std::size_t size_field = free_space_size_field(bytes);
  ASSERT_GT(size_field, 0U);
  bytes.replace(size_field, 8, std::string(8, '\0'));
  write_bytes(path, bytes);

  expect_mentions(read_error(path), {path, "damaged global heap", "free-space object of size 0",
                                     "at byte " + std::to_string(size_field - 8)});
}

TEST(GlobalHeapCheck, FuzzerInputThatHungLibhdf5IsRefused) {
  const std::string path = std::string(LATHE_SOURCE_DIR) +
                           "/fuzz/regressions/fuzz_checkpoint/hdf5_vlen_attribute_read_hangs.h5";
  expect_mentions(read_error(path), {path, "damaged global heap"});
}

}  // namespace
}  // namespace lathe::io
