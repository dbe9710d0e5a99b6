#include "data/idx_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "data_test_files.h"

namespace lathe::data {
namespace {

using test_files::Bytes;
using test_files::contains;
using test_files::error_message;
using test_files::idx_bytes;
using test_files::idx_images;
using test_files::idx_labels;
using test_files::TempDir;
using test_files::write_gzip;
using test_files::write_plain;

// Three 2 x 2 images and their labels.
const Bytes kPixels = {0, 255, 51, 102, 1, 2, 3, 4, 10, 20, 30, 40};
const Bytes kLabels = {0, 4, 2};

class IdxReader : public ::testing::Test {
 protected:
  // Writes a valid label file for three items and returns its path.
  std::string labels() {
    const std::string path = dir.file("labels.gz");
    write_gzip(path, idx_labels(kLabels));
    return path;
  }
  std::string read_error(const std::string& images_path) {
    return error_message([&] { read_idx_pair(images_path, labels()); });
  }

  TempDir dir;
};

TEST_F(IdxReader, ReadsGzipImagesAsUnitRangeFloatsWithOneChannel) {
  const std::string images = dir.file("images.gz");
  write_gzip(images, idx_images(3, 2, 2, kPixels));
  const Dataset data = read_idx_pair(images, labels());
  EXPECT_EQ(data.images.shape(), Shape({3, 1, 2, 2}));
  ASSERT_EQ(data.images.size(), std::ssize(kPixels));
  for (std::size_t i = 0; i < kPixels.size(); ++i) {
    EXPECT_FLOAT_EQ(data.images[static_cast<std::int64_t>(i)], static_cast<float>(kPixels[i]) / 255.0F);
  }
  EXPECT_EQ(data.labels, (std::vector<std::int32_t>{0, 4, 2}));
  EXPECT_EQ(data.classes, 5) << "classes is the largest label + 1";
  EXPECT_EQ(data.source, images);
}

TEST_F(IdxReader, PlainAndGzipFilesReadTheSame) {
  write_gzip(dir.file("images.gz"), idx_images(3, 2, 2, kPixels));
  write_plain(dir.file("images"), idx_images(3, 2, 2, kPixels));
  const Dataset gz = read_idx_pair(dir.file("images.gz"), labels());
  const Dataset plain = read_idx_pair(dir.file("images"), labels());
  EXPECT_TRUE(std::ranges::equal(gz.images.values(), plain.images.values()));
  EXPECT_EQ(gz.labels, plain.labels);
}

TEST_F(IdxReader, DetectsGzipByItsMagicBytesNotByTheFileName) {
  const std::string gzip_named_plain = dir.file("images-idx3-ubyte");
  const std::string plain_named_gz = dir.file("labels-idx1-ubyte.gz");
  write_gzip(gzip_named_plain, idx_images(3, 2, 2, kPixels));
  write_plain(plain_named_gz, idx_labels(kLabels));
  const Dataset data = read_idx_pair(gzip_named_plain, plain_named_gz);
  EXPECT_EQ(data.size(), 3);
  EXPECT_FLOAT_EQ(data.images[1], 1.0F);
}

TEST_F(IdxReader, MissingFileNamesTheFile) {
  const std::string message = read_error(dir.file("absent.gz"));
  EXPECT_TRUE(contains(message, dir.file("absent.gz") + ": no such file (expected an IDX image file"));
}

TEST_F(IdxReader, LabelFileGivenAsImagesIsAWrongMagicNumber) {
  const std::string path = dir.file("swapped.gz");
  write_gzip(path, idx_labels(kLabels));
  EXPECT_TRUE(contains(read_error(path), path));
  EXPECT_TRUE(contains(read_error(path),
              "wrong magic number 0x00000801, expected 0x00000803 (an IDX image file"));
}

TEST_F(IdxReader, FileThatIsNotIdxIsAWrongMagicNumber) {
  const std::string path = dir.file("notes.txt");
  write_plain(path, {'h', 'e', 'l', 'l', 'o', '\n'});
  EXPECT_TRUE(contains(read_error(path), path + ": wrong magic number 0x68656C6C, expected 0x00000803"));
}

TEST_F(IdxReader, WrongDtypeCodeNamesTheCodeAndItsType) {
  const std::string path = dir.file("floats.gz");
  write_gzip(path, idx_bytes(0x0D, {3, 2, 2}, Bytes(48, 0)));
  EXPECT_TRUE(contains(read_error(path), path));
  EXPECT_TRUE(contains(read_error(path), "wrong dtype code 0x0D (float32) in magic number 0x00000D03, "
                                          "expected 0x08 (uint8)"));
}

TEST_F(IdxReader, TruncatedImageFileNamesTheFileAndTheMissingBytes) {
  const std::string path = dir.file("short");
  write_plain(path, idx_images(3, 2, 2, Bytes(kPixels.begin(), kPixels.end() - 5)));
  const std::string message = read_error(path);
  EXPECT_TRUE(contains(message, path + ": truncated"));
  EXPECT_TRUE(contains(message, "promises 12 bytes of data, found only 7 (5 bytes missing)"));
}

TEST_F(IdxReader, CutOffGzipStreamIsReportedAsTruncated) {
  const std::string whole = dir.file("whole.gz");
  const std::string cut = dir.file("cut.gz");
  write_gzip(whole, idx_images(3, 100, 100, Bytes(30000, 7)));
  const Bytes bytes = test_files::read_all(whole);
  write_plain(cut, Bytes(bytes.begin(), bytes.begin() + std::ssize(bytes) / 2));
  const std::string message = read_error(cut);
  EXPECT_TRUE(contains(message, cut + " (gzip; byte counts are decompressed): truncated"));
  EXPECT_TRUE(contains(message, "promises 30000 bytes of data, found only"));
}

TEST_F(IdxReader, FileEndingInsideTheHeaderIsAnError) {
  const std::string path = dir.file("header-only");
  write_plain(path, {0, 0, 8, 3, 0, 0, 0, 3, 0, 0});
  EXPECT_TRUE(contains(read_error(path), path + ": file ends inside the header (3 dimension sizes "
                                                 "expected after the magic number, found 1)"));
}

TEST_F(IdxReader, EmptyFileIsTooShortForAHeader) {
  const std::string path = dir.file("empty");
  write_plain(path, {});
  EXPECT_TRUE(contains(read_error(path), path + ": too short for an IDX header (0 bytes"));
}

TEST_F(IdxReader, TrailingGarbageNamesTheFileAndTheExtraBytes) {
  const std::string path = dir.file("long.gz");
  Bytes pixels = kPixels;
  pixels.insert(pixels.end(), {9, 9, 9});
  write_gzip(path, idx_images(3, 2, 2, pixels));
  EXPECT_TRUE(contains(read_error(path), path + " (gzip; byte counts are decompressed): 3 bytes of "
                                                 "trailing data after the 12 bytes the header"));
}

TEST_F(IdxReader, ImageAndLabelCountMismatchNamesBothFiles) {
  const std::string images = dir.file("images.gz");
  write_gzip(images, idx_images(2, 2, 2, Bytes(kPixels.begin(), kPixels.begin() + 8)));
  const std::string message = error_message([&] { read_idx_pair(images, labels()); });
  EXPECT_TRUE(contains(message, images + " holds 2 images but " + dir.file("labels.gz") +
                                 " holds 3 labels"));
}

TEST_F(IdxReader, ZeroItemsIsAnError) {
  const std::string path = dir.file("none.gz");
  write_gzip(path, idx_images(0, 28, 28, {}));
  EXPECT_TRUE(contains(read_error(path), path + " (gzip; byte counts are decompressed): no items"));
}

TEST_F(IdxReader, CorruptLabelFileIsNamedToo) {
  const std::string images = dir.file("images.gz");
  const std::string bad_labels = dir.file("labels-bad");
  write_gzip(images, idx_images(3, 2, 2, kPixels));
  write_plain(bad_labels, idx_bytes(0x08, {3}, {1, 2}));
  EXPECT_TRUE(contains(error_message([&] { read_idx_pair(images, bad_labels); }),
              bad_labels + ": truncated: the header (N = 3) promises 3 bytes"));
}

TEST(IdxReaderFashionMnist, ReadsTheFullTestSet) {
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  const std::string images = dir + "t10k-images-idx3-ubyte.gz";
  const std::string labels = dir + "t10k-labels-idx1-ubyte.gz";
  if (!std::filesystem::exists(images) || !std::filesystem::exists(labels)) {
    GTEST_SKIP() << "Fashion-MNIST is not installed at " << dir
                 << " (Debian package dataset-fashion-mnist)";
  }
  const Dataset data = read_idx_pair(images, labels);
  EXPECT_EQ(data.images.shape(), Shape({10000, 1, 28, 28}));
  EXPECT_EQ(data.classes, 10);
  const auto [low, high] = std::ranges::minmax(data.images.values());
  EXPECT_EQ(low, 0.0F);
  EXPECT_EQ(high, 1.0F);
  for (std::int32_t label = 0; label < 10; ++label) {
    EXPECT_EQ(std::ranges::count(data.labels, label), 1000) << "class " << label;
  }
}

}  // namespace
}  // namespace lathe::data