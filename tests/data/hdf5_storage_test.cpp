// The HDF5 data reader allocates a data set's declared shape only when the bytes the file
// stores for it can decode to that size: chunked and compressed sets (as h5py writes them
// with compression="gzip") still read, while a shape the stored bytes cannot hold, a set
// never written and a filter without a bounded expansion are refused before allocating.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "data/hdf5_dataset.h"
#include "data_test_files.h"

namespace lathe::data {
namespace {

using test_files::contains;
using test_files::error_message;
using test_files::Hdf5Writer;
using test_files::TempDir;

const std::vector<std::int32_t> kLabels = {2, 0, 1, 1, 0, 2};

// Six 4 x 4 one-channel images; pixel i holds i % 7, so gzip has something to find.
std::vector<unsigned char> pixels() {
  std::vector<unsigned char> values(6 * 16);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<unsigned char>(i % 7);
  return values;
}

// A creation property list for chunks of `chunk`, with the filters `add_filters` sets.
template <class AddFilters>
io::Hdf5Handle chunked(const std::vector<hsize_t>& chunk, AddFilters add_filters) {
  io::Hdf5Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_chunk(plist.get(), static_cast<int>(chunk.size()), chunk.data());
  add_filters(plist.get());
  return plist;
}

struct Storage {
  const char* name;
  void (*add_filters)(hid_t);
};

TEST(Hdf5Storage, ChunkedAndCompressedSetsReadTheirValues) {
  const std::vector<Storage> storages = {
      {"chunked", [](hid_t) {}},
      {"chunked gzip", [](hid_t p) { H5Pset_deflate(p, 9); }},
      {"chunked shuffle gzip fletcher32",
       [](hid_t p) { H5Pset_shuffle(p); H5Pset_deflate(p, 4); H5Pset_fletcher32(p); }},
  };
  for (const Storage& storage : storages) {
    TempDir dir;
    const std::string path = dir.file("set.h5");
    // Chunks of 4 items do not divide 6: the last chunk is partly outside the extent.
    const io::Hdf5Handle images = chunked({4, 1, 4, 4}, storage.add_filters);
    const io::Hdf5Handle labels = chunked({4}, storage.add_filters);
    Hdf5Writer(path)
        .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {6, 1, 4, 4}, pixels(), images.get())
        .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {6}, kLabels, labels.get());
    const Dataset data = read_hdf5_dataset(path);
    ASSERT_EQ(data.images.shape(), Shape({6, 1, 4, 4})) << storage.name;
    EXPECT_EQ(data.labels, kLabels) << storage.name;
    const std::vector<unsigned char> expected = pixels();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      ASSERT_FLOAT_EQ(data.images[static_cast<std::int64_t>(i)], expected[i] / 255.0F)
          << storage.name << ", pixel " << i;
    }
  }
}

TEST(Hdf5Storage, SetsNeverWrittenAreRefusedNamingTheStoredBytes) {
  for (const bool is_chunked : {false, true}) {
    TempDir dir;
    const std::string path = dir.file("set.h5");
    const io::Hdf5Handle storage = chunked({2, 1, 4, 4}, [](hid_t) {});
    Hdf5Writer(path)
        .unwritten_dataset("X", H5T_STD_U8LE, {6, 1, 4, 4}, is_chunked ? storage.get() : H5P_DEFAULT)
        .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {6}, kLabels);
    const std::string message = error_message([&] { read_hdf5_dataset(path); });
    EXPECT_TRUE(contains(message, path + ": data set X: declares shape [6, 1, 4, 4] (96 bytes), but "
                                          "the file stores 0 bytes for it ("))
        << (is_chunked ? "chunked" : "contiguous");
  }
}

TEST(Hdf5Storage, PartlyWrittenChunkedSetIsRefused) {
  TempDir dir;
  const std::string path = dir.file("set.h5");
  const io::Hdf5Handle storage = chunked({2, 1, 4, 4}, [](hid_t) {});
  Hdf5Writer(path)
      .unwritten_dataset("X", H5T_STD_U8LE, {6, 1, 4, 4}, storage.get())
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {6}, kLabels);
  {  // Only the first chunk (items 0 and 1) is written.
    const io::Hdf5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose);
    const io::Hdf5Handle x(H5Dopen2(file.get(), "X", H5P_DEFAULT), H5Dclose);
    const io::Hdf5Handle space(H5Dget_space(x.get()), H5Sclose);
    const std::vector<hsize_t> start = {0, 0, 0, 0};
    const std::vector<hsize_t> count = {2, 1, 4, 4};
    H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    const io::Hdf5Handle memory(H5Screate_simple(4, count.data(), nullptr), H5Sclose);
    const std::vector<unsigned char> values(32, 7);
    ASSERT_GE(H5Dwrite(x.get(), H5T_NATIVE_UCHAR, memory.get(), space.get(), H5P_DEFAULT, values.data()), 0);
  }
  EXPECT_TRUE(contains(error_message([&] { read_hdf5_dataset(path); }),
                       path + ": data set X: declares shape [6, 1, 4, 4] (96 bytes), but the file "
                              "stores 32 bytes for it (chunked, no filters), which decode to at most 32 bytes"));
}

TEST(Hdf5Storage, FilterWithoutABoundedExpansionIsRefusedNamingIt) {
  TempDir dir;
  const std::string path = dir.file("set.h5");
  const io::Hdf5Handle storage =
      chunked({2, 1, 4, 4}, [](hid_t p) { H5Pset_scaleoffset(p, H5Z_SO_INT, H5Z_SO_INT_MINBITS_DEFAULT); });
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {6, 1, 4, 4}, pixels(), storage.get())
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {6}, kLabels);
  EXPECT_TRUE(contains(error_message([&] { read_hdf5_dataset(path); }),
                       path + ": data set X: stored through the filter scaleoffset (id 6)"));
}

TEST(Hdf5Storage, DeclaredShapeLargerThanTheStoredBytesIsRefusedBeforeAllocating) {
  // Found by fuzz_hdf5_data: a 2 KB file whose X header declares [3, 1, 4, 67108868].
  const std::string path = LATHE_SOURCE_DIR "/fuzz/regressions/fuzz_hdf5_data/x_shape_allocates_3_gb.h5";
  EXPECT_TRUE(contains(error_message([&] { read_hdf5_dataset(path); }),
                       path + ": data set X: declares shape [3, 1, 4, 67108868] (805306416 bytes), "
                              "but the file stores 48 bytes for it (contiguous, no filters)"));
}

}  // namespace
}  // namespace lathe::data
