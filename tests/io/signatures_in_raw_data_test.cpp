// The structure checks made before libhdf5 opens a file (io/hdf5_structure_check.h) find
// local heaps, global heap collections and group B-tree nodes by their signatures
// ("HEAP", "GCOL", "TREE"). The same bytes inside a data set's values are pixels or
// weights, not structures: a sound file whose values spell a damaged-looking structure
// must still load (with 47 million pixels, four given bytes in a row are not rare).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "data/data_test_files.h"
#include "data/hdf5_dataset.h"

namespace lathe::data {
namespace {

using test_files::Hdf5Writer;
using test_files::TempDir;

// Writes `bytes` into `pixels` at `at`.
void spell(std::vector<unsigned char>& pixels, std::size_t at, const std::vector<unsigned char>& bytes) {
  std::memcpy(pixels.data() + at, bytes.data(), bytes.size());
}

std::vector<unsigned char> repeated(unsigned char value, std::size_t count) {
  return std::vector<unsigned char>(count, value);
}

TEST(SignaturesInRawData, PixelsSpellingDamagedStructuresStillLoad) {
  // 64 images of 16 x 16: 16 KB of pixels, room for a 4096-byte "collection".
  std::vector<unsigned char> pixels(64 * 16 * 16, 7);
  // A local heap whose data segment (all bits set) would lie at an undefined address.
  spell(pixels, 100, {'H', 'E', 'A', 'P', 0, 0, 0, 0});
  spell(pixels, 108, repeated(0xFF, 24));
  // A group B-tree node with one child at the undefined address.
  spell(pixels, 300, {'T', 'R', 'E', 'E', 0, 0, 1, 0});
  spell(pixels, 308, repeated(0xFF, 16 + 8 + 8));
  // A global heap collection of 4096 bytes whose first object is free space of size 0.
  spell(pixels, 1000, {'G', 'C', 'O', 'L', 1, 0, 0, 0, 0x00, 0x10, 0, 0, 0, 0, 0, 0});
  spell(pixels, 1016, repeated(0, 16));
  std::vector<std::int32_t> labels(64);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int32_t>(i % 10);

  TempDir dir;
  const std::string path = dir.file("set.h5");
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {64, 1, 16, 16}, pixels)
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {64}, labels);
  Dataset data;
  ASSERT_NO_THROW(data = read_hdf5_dataset(path));
  EXPECT_EQ(data.labels, labels);
  EXPECT_FLOAT_EQ(data.images[100], 'H' / 255.0F);
  EXPECT_FLOAT_EQ(data.images[1004], 1 / 255.0F);
}

}  // namespace
}  // namespace lathe::data
