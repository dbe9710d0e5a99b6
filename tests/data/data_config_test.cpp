#include "data/data_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "config/field_listing.h"
#include "config/yaml_reader.h"
#include "data_test_files.h"

namespace lathe::data {
namespace {

using test_files::contains;
using test_files::error_message;
using test_files::TempDir;
using test_files::write_hdf5_set;

DataConfig synthetic_config() {
  DataConfig config;
  config.format = "synthetic";
  config.synthetic.classes = 3;
  config.synthetic.channels = 2;
  config.synthetic.height = 4;
  config.synthetic.width = 4;
  config.synthetic.train_size = 300;
  config.synthetic.test_size = 60;
  return config;
}

std::string load_error(const DataConfig& config) {
  return error_message([&] { load_data(config, 1, "exp.yaml"); });
}

TEST(DataConfig, ReadsTheDataSectionFromYaml) {
  DataConfig config;
  config::YamlReader::read(YAML::Load("format: hdf5\ntrain_file: a.h5\ntest_file: b.h5\n"
                                      "validation_fraction: 0.2\nnormalize: false\n"
                                      "limit_train: 500\nsynthetic: {noise: 0.25}\n"),
                           config, "exp.yaml", "data.");
  EXPECT_EQ(config.format, "hdf5");
  EXPECT_EQ(config.train_file, "a.h5");
  EXPECT_DOUBLE_EQ(config.validation_fraction, 0.2);
  EXPECT_FALSE(config.normalize);
  EXPECT_EQ(config.limit_train, 500);
  EXPECT_DOUBLE_EQ(config.synthetic.noise, 0.25);
}

TEST(DataConfig, DefaultsToFashionMnistWithATenthForValidation) {
  DataConfig config;
  config::YamlReader::read(YAML::Load("{}"), config, "exp.yaml", "data.");
  EXPECT_EQ(config.format, "idx");
  EXPECT_EQ(config.train_images, "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz");
  EXPECT_EQ(config.test_labels, "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
  EXPECT_DOUBLE_EQ(config.validation_fraction, 0.1);
  EXPECT_TRUE(config.normalize);
  EXPECT_EQ(config.limit_train, 0);
}

TEST(DataConfig, YamlValuesOutsideTheirRangeOrChoicesAreErrors) {
  const auto read_error = [](const std::string& yaml) {
    DataConfig config;
    return error_message([&] { config::YamlReader::read(YAML::Load(yaml), config, "exp.yaml", "data."); });
  };
  EXPECT_TRUE(contains(read_error("format: csv"), "data.format: expected one of idx, hdf5, synthetic"));
  EXPECT_TRUE(contains(read_error("validation_fraction: 1"), "data.validation_fraction: expected a number in [0, 1)"));
  EXPECT_TRUE(contains(read_error("limit_train: -5"), "data.limit_train: expected an integer at least 0"));
  EXPECT_TRUE(contains(read_error("synthetic: {classes: 1}"), "data.synthetic.classes: expected an integer at least 2"));
}

TEST(DataConfig, ListsEveryFieldIncludingTheSyntheticSection) {
  const std::vector<config::FieldRow> rows = config::FieldListing::of(DataConfig{}, "data.");
  const auto has = [&](const std::string& key) {
    return std::ranges::any_of(rows, [&](const config::FieldRow& row) { return row.key == key; });
  };
  for (const char* key : {"data.format", "data.train_images", "data.train_labels", "data.test_images",
                          "data.test_labels", "data.train_file", "data.test_file",
                          "data.synthetic.noise", "data.synthetic.train_size",
                          "data.validation_fraction", "data.normalize", "data.limit_train"}) {
    EXPECT_TRUE(has(key)) << key;
  }
}

TEST(LoadData, SyntheticSplitsHaveTheConfiguredSizesAndShapes) {
  const DataSplits splits = load_data(synthetic_config(), 4, "exp.yaml");
  EXPECT_EQ(splits.train.size(), 270);
  EXPECT_EQ(splits.validation.size(), 30);
  EXPECT_EQ(splits.test.size(), 60);
  EXPECT_EQ(splits.test.images.shape(), Shape({60, 2, 4, 4}));
  EXPECT_EQ(splits.train.classes, 3);
}

TEST(LoadData, NormalisesEverySplitWithTheTrainingStatistics) {
  const DataSplits splits = load_data(synthetic_config(), 4, "exp.yaml");
  ASSERT_EQ(splits.normalization.mean.size(), 2U);
  const Normalization train_after = compute_normalization(splits.train);
  for (std::size_t c = 0; c < 2; ++c) {
    EXPECT_NEAR(train_after.mean[c], 0.0F, 1e-5F);
    EXPECT_NEAR(train_after.std[c], 1.0F, 1e-5F);
  }
  // The test split went through the same transform as the training split.
  DataConfig raw_config = synthetic_config();
  raw_config.normalize = false;
  const DataSplits raw = load_data(raw_config, 4, "exp.yaml");
  const float expected = (raw.test.images[0] - splits.normalization.mean[0]) / splits.normalization.std[0];
  EXPECT_FLOAT_EQ(splits.test.images[0], expected);
}

TEST(LoadData, WithoutNormalisationRecordsTheIdentity) {
  DataConfig config = synthetic_config();
  config.normalize = false;
  const DataSplits splits = load_data(config, 4, "exp.yaml");
  EXPECT_EQ(splits.normalization.mean, std::vector<float>(2, 0.0F));
  EXPECT_EQ(splits.normalization.std, std::vector<float>(2, 1.0F));
  EXPECT_TRUE(std::ranges::equal(splits.test.images.values(),
                                 make_synthetic(config.synthetic, static_cast<std::uint64_t>(config.synthetic.seed), SyntheticSplit::test).images.values()));
}

TEST(LoadData, IsDeterministicForASeed) {
  const DataSplits a = load_data(synthetic_config(), 8, "exp.yaml");
  const DataSplits b = load_data(synthetic_config(), 8, "exp.yaml");
  EXPECT_EQ(a.validation.labels, b.validation.labels);
  EXPECT_TRUE(std::ranges::equal(a.train.images.values(), b.train.images.values()));
}

TEST(LoadData, LimitTrainKeepsTheFirstItemsBeforeTheSplit) {
  DataConfig config = synthetic_config();
  config.limit_train = 100;
  config.validation_fraction = 0.0;
  config.normalize = false;
  const DataSplits splits = load_data(config, 2, "exp.yaml");
  const Dataset full = make_synthetic(config.synthetic, static_cast<std::uint64_t>(config.synthetic.seed));
  ASSERT_EQ(splits.train.size(), 100);
  EXPECT_TRUE(std::equal(full.labels.begin(), full.labels.begin() + 100, splits.train.labels.begin()));
  EXPECT_EQ(splits.validation.size(), 0);
  EXPECT_EQ(splits.train.classes, 3);

  config.limit_train = 1000;  // more than there is: everything
  EXPECT_EQ(load_data(config, 2, "exp.yaml").train.size(), 300);
}

TEST(LoadData, MissingHdf5PathNamesTheConfigFileAndTheKey) {
  DataConfig config;
  config.format = "hdf5";
  EXPECT_TRUE(contains(load_error(config), "exp.yaml: data.train_file: required when data.format is hdf5"));
  TempDir dir;
  write_hdf5_set(dir.file("train.h5"), 2, 2, {0, 1});
  config.train_file = dir.file("train.h5");
  EXPECT_TRUE(contains(load_error(config), "exp.yaml: data.test_file: required when data.format is hdf5"));
}

TEST(LoadData, NonexistentIdxFileNamesTheConfigFileAndTheKey) {
  TempDir dir;
  DataConfig config;
  config.train_labels = dir.file("absent.gz");
  EXPECT_TRUE(contains(load_error(config), "exp.yaml: data.train_labels: no such file: " +
                                               dir.file("absent.gz")));
}

TEST(LoadData, ReadsIdxFiles) {
  TempDir dir;
  using test_files::Bytes;
  const Bytes pixels(4 * 3 * 3, 100);
  test_files::write_gzip(dir.file("train-images"), test_files::idx_images(4, 3, 3, pixels));
  test_files::write_gzip(dir.file("train-labels"), test_files::idx_labels({0, 1, 2, 1}));
  test_files::write_plain(dir.file("test-images"), test_files::idx_images(2, 3, 3, Bytes(18, 50)));
  test_files::write_plain(dir.file("test-labels"), test_files::idx_labels({2, 0}));
  DataConfig config;
  config.train_images = dir.file("train-images");
  config.train_labels = dir.file("train-labels");
  config.test_images = dir.file("test-images");
  config.test_labels = dir.file("test-labels");
  config.validation_fraction = 0.25;
  const DataSplits splits = load_data(config, 1, "exp.yaml");
  EXPECT_EQ(splits.train.size(), 3);
  EXPECT_EQ(splits.validation.size(), 1);
  EXPECT_EQ(splits.test.images.shape(), Shape({2, 1, 3, 3}));
  EXPECT_EQ(splits.test.classes, 3);
}

TEST(LoadData, ReadsHdf5Files) {
  TempDir dir;
  write_hdf5_set(dir.file("train.h5"), 3, 2, {0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
  write_hdf5_set(dir.file("test.h5"), 3, 2, {2, 1, 0});
  DataConfig config;
  config.format = "hdf5";
  config.train_file = dir.file("train.h5");
  config.test_file = dir.file("test.h5");
  const DataSplits splits = load_data(config, 1, "exp.yaml");
  EXPECT_EQ(splits.train.size(), 9);
  EXPECT_EQ(splits.validation.size(), 1);
  EXPECT_EQ(splits.test.images.shape(), Shape({3, 1, 3, 2}));
}

TEST(LoadData, TrainAndTestImageShapesMustMatch) {
  TempDir dir;
  write_hdf5_set(dir.file("train.h5"), 28, 28, {0, 1, 2});
  write_hdf5_set(dir.file("test.h5"), 32, 32, {0, 1, 2});
  DataConfig config;
  config.format = "hdf5";
  config.train_file = dir.file("train.h5");
  config.test_file = dir.file("test.h5");
  EXPECT_TRUE(contains(load_error(config), "exp.yaml: data: training images are C x H x W = [1, 28, 28] (" +
                                               dir.file("train.h5") + ") but test images are [1, 32, 32] (" +
                                               dir.file("test.h5") + "); they must match"));
}

TEST(LoadData, TrainAndTestClassCountsMustMatch) {
  TempDir dir;
  write_hdf5_set(dir.file("train.h5"), 2, 2, {0, 1, 2});
  write_hdf5_set(dir.file("test.h5"), 2, 2, {0, 1});
  DataConfig config;
  config.format = "hdf5";
  config.train_file = dir.file("train.h5");
  config.test_file = dir.file("test.h5");
  EXPECT_TRUE(contains(load_error(config), "exp.yaml: data: training data has 3 classes (" +
                                               dir.file("train.h5") + ") but test data has 2 ("));
}

}  // namespace
}  // namespace lathe::data
