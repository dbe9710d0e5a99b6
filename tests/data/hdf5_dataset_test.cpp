#include "data/hdf5_dataset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "data_test_files.h"

namespace lathe::data {
namespace {

using test_files::contains;
using test_files::error_message;
using test_files::Hdf5Writer;
using test_files::TempDir;

const std::vector<std::int32_t> kLabels = {2, 0, 1};

class Hdf5Dataset : public ::testing::Test {
 protected:
  static std::string read_error(const std::string& file) {
    return error_message([&] { read_hdf5_dataset(file); });
  }
  // Three 2 x 2 one-channel uint8 images, pixel i holding i.
  static std::vector<unsigned char> pixels() {
    std::vector<unsigned char> values(12);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<unsigned char>(i);
    return values;
  }

  TempDir dir;
  std::string path = dir.file("set.h5");
};

TEST_F(Hdf5Dataset, ReadsUint8ImagesScaledToUnitRange) {
  std::vector<unsigned char> values = pixels();
  values[11] = 255;
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 1, 2, 2}, values)
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, kLabels);
  const Dataset data = read_hdf5_dataset(path);
  EXPECT_EQ(data.images.shape(), Shape({3, 1, 2, 2}));
  EXPECT_FLOAT_EQ(data.images[5], 5.0F / 255.0F);
  EXPECT_FLOAT_EQ(data.images[11], 1.0F);
  EXPECT_EQ(data.labels, kLabels);
  EXPECT_EQ(data.classes, 3) << "no attribute: classes is the largest label + 1";
  EXPECT_EQ(data.source, path);
}

TEST_F(Hdf5Dataset, ReadsFloat32AsIsAndRankThreeAsOneChannel) {
  const std::vector<float> values = {-1.5F, 0.0F, 2.0F, 7.25F, 1, 2, 3, 4, 5, 6, 7, 8};
  Hdf5Writer(path)
      .dataset("X", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {3, 2, 2}, values)
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, kLabels);
  const Dataset data = read_hdf5_dataset(path);
  EXPECT_EQ(data.images.shape(), Shape({3, 1, 2, 2}));
  EXPECT_TRUE(std::ranges::equal(data.images.values(), values));
}

TEST_F(Hdf5Dataset, KeepsChannelsOfRankFourImages) {
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {1, 3, 2, 2}, pixels())
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {1}, std::vector<std::int32_t>{0});
  EXPECT_EQ(read_hdf5_dataset(path).images.shape(), Shape({1, 3, 2, 2}));
}

TEST_F(Hdf5Dataset, ReadsLabelsOfAnyIntegerType) {
  const std::vector<std::uint16_t> narrow = {2, 0, 1};
  Hdf5Writer(dir.file("u16.h5"))
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 2, 2}, pixels())
      .dataset("y", H5T_STD_U16BE, H5T_NATIVE_UINT16, {3}, narrow);
  const std::vector<std::int64_t> wide = {2, 0, 1};
  Hdf5Writer(dir.file("i64.h5"))
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 2, 2}, pixels())
      .dataset("y", H5T_STD_I64LE, H5T_NATIVE_INT64, {3}, wide);
  EXPECT_EQ(read_hdf5_dataset(dir.file("u16.h5")).labels, kLabels);
  EXPECT_EQ(read_hdf5_dataset(dir.file("i64.h5")).labels, kLabels);
}

TEST_F(Hdf5Dataset, ClassesComesFromTheAttributeOnYBeforeTheRootOne) {
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 2, 2}, pixels())
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, kLabels)
      .attribute("y", "classes", 10)
      .attribute(".", "classes", 7);
  EXPECT_EQ(read_hdf5_dataset(path).classes, 10);
}

TEST_F(Hdf5Dataset, ClassesComesFromTheRootAttributeWhenYHasNone) {
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 2, 2}, pixels())
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, kLabels)
      .attribute(".", "classes", 7);
  EXPECT_EQ(read_hdf5_dataset(path).classes, 7);
}

TEST_F(Hdf5Dataset, ClassesAttributeNotAboveEveryLabelIsAnError) {
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 2, 2}, pixels())
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, kLabels)
      .attribute("y", "classes", 2);
  EXPECT_TRUE(contains(read_error(path), path + ": attribute 'classes' on y is 2 but y holds the label 2"));
}

TEST_F(Hdf5Dataset, MissingFileNamesTheFile) {
  EXPECT_TRUE(contains(read_error(dir.file("absent.h5")),
                       dir.file("absent.h5") + ": no such file (expected an HDF5 file"));
}

TEST_F(Hdf5Dataset, FileThatIsNotHdf5IsAnError) {
  test_files::write_plain(path, {'n', 'o', 't', ' ', 'h', 'd', 'f', '5'});
  EXPECT_TRUE(contains(read_error(path), path + ": not an HDF5 file"));
}

TEST_F(Hdf5Dataset, MissingXNamesTheDataSet) {
  Hdf5Writer(path).dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, kLabels);
  EXPECT_TRUE(contains(read_error(path), path + ": no data set 'X' (expected images"));
}

TEST_F(Hdf5Dataset, MissingYNamesTheDataSet) {
  Hdf5Writer(path).dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 2, 2}, pixels());
  EXPECT_TRUE(contains(read_error(path), path + ": no data set 'y' (expected N integer labels)"));
}

TEST_F(Hdf5Dataset, GroupInPlaceOfXIsAnError) {
  Hdf5Writer(path).group("X").dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, kLabels);
  EXPECT_TRUE(contains(read_error(path), path + ": 'X' is not a data set"));
}

TEST_F(Hdf5Dataset, XOfWrongRankNamesTheShape) {
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 4}, pixels())
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, kLabels);
  EXPECT_TRUE(contains(read_error(path), path + ": X has rank 2 (shape [3, 4]), expected 4 "
                                                "(N x C x H x W) or 3 (N x H x W)"));
}

TEST_F(Hdf5Dataset, YOfWrongRankNamesTheShape) {
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 2, 2}, pixels())
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3, 1}, kLabels);
  EXPECT_TRUE(contains(read_error(path), path + ": y has rank 2 (shape [3, 1]), expected 1"));
}

TEST_F(Hdf5Dataset, UnsupportedImageDtypeNamesIt) {
  Hdf5Writer(path)
      .dataset("X", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {3, 2, 2}, std::vector<double>(12, 0.5))
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, kLabels);
  EXPECT_TRUE(contains(read_error(path), path + ": X has dtype float64, expected uint8"));
}

TEST_F(Hdf5Dataset, NonIntegerLabelsAreAnError) {
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 2, 2}, pixels())
      .dataset("y", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {3}, std::vector<float>{0, 1, 2});
  EXPECT_TRUE(contains(read_error(path), path + ": y has dtype float32, expected an integer type"));
}

TEST_F(Hdf5Dataset, ItemCountMismatchNamesBothCounts) {
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 2, 2}, pixels())
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {2}, std::vector<std::int32_t>{0, 1});
  EXPECT_TRUE(contains(read_error(path), path + ": X holds 3 items but y holds 2"));
}

TEST_F(Hdf5Dataset, NegativeLabelNamesItsIndex) {
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 2, 2}, pixels())
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, std::vector<std::int32_t>{0, -1, 1});
  EXPECT_TRUE(contains(read_error(path), path + ": y[1] = -1; labels must be at least 0"));
}

TEST_F(Hdf5Dataset, EmptyDataSetIsAnError) {
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {0, 2, 2}, std::vector<unsigned char>{})
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {0}, std::vector<std::int32_t>{});
  EXPECT_TRUE(contains(read_error(path), path + ": X and y hold no items"));
}

TEST_F(Hdf5Dataset, EmptyImagesAreAnError) {
  Hdf5Writer(path)
      .dataset("X", H5T_STD_U8LE, H5T_NATIVE_UCHAR, {3, 0, 2}, std::vector<unsigned char>{})
      .dataset("y", H5T_STD_I32LE, H5T_NATIVE_INT32, {3}, kLabels);
  EXPECT_TRUE(contains(read_error(path), path + ": X has shape [3, 0, 2], so every image is empty"));
}

}  // namespace
}  // namespace lathe::data
