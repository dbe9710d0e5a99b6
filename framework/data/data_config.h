// The `data:` section of an experiment file and the one call that turns it into the
// train, validation and test sets the trainer uses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/field_checks.h"
#include "data/dataset.h"
#include "data/normalization.h"
#include "data/synthetic.h"

namespace lathe::data {

struct DataConfig {
  std::string format = "idx";
  std::string train_images = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
  std::string train_labels = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz";
  std::string test_images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
  std::string test_labels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
  std::string train_file;
  std::string test_file;
  SyntheticConfig synthetic;
  double validation_fraction = 0.1;
  bool normalize = true;
  std::int64_t limit_train = 0;

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.choice("format", format, {"idx", "hdf5", "synthetic"},
             "where the images come from: IDX files (MNIST format), HDF5 files, or generated");
    v.text("train_images", train_images, "IDX training images, gzip or plain (format idx)");
    v.text("train_labels", train_labels, "IDX training labels, gzip or plain (format idx)");
    v.text("test_images", test_images, "IDX test images, gzip or plain (format idx)");
    v.text("test_labels", test_labels, "IDX test labels, gzip or plain (format idx)");
    v.text("train_file", train_file, "HDF5 training set with data sets X and y (format hdf5)");
    v.text("test_file", test_file, "HDF5 test set with data sets X and y (format hdf5)");
    v.section("synthetic", synthetic, "generated prototype-plus-noise data (format synthetic)");
    v.number("validation_fraction", validation_fraction, Range::half_open(0, 1),
             "share of the training items held out for validation");
    v.flag("normalize", normalize,
           "normalise each channel by the training split's mean and standard deviation");
    v.number("limit_train", limit_train, Range::at_least(0),
             "use only the first n training items, for quick runs (0 = all)");
  }
};

struct DataSplits {
  Dataset train;
  Dataset validation;
  Dataset test;
  // What was applied to all three (mean 0, std 1 when `normalize` is off).
  Normalization normalization;
};

// The files `config` reads for its format (none for synthetic data): the inputs an
// output must never replace.
std::vector<std::string> data_files(const DataConfig& config);

// Reads train and test, keeps the first limit_train training items, carves validation
// out of them with `seed`, and normalises all three splits with the training split's
// statistics. Errors name `config_path` and the `data.` key at fault.
DataSplits load_data(const DataConfig& config, std::uint64_t seed, const std::string& config_path);

}  // namespace lathe::data
