#include "data/data_config.h"

#include <filesystem>
#include <initializer_list>
#include <numeric>
#include <tuple>
#include <utility>
#include <vector>

#include "core/error.h"
#include "io/path_checks.h"
#include "data/hdf5_dataset.h"
#include "data/idx_reader.h"
#include "data/split.h"

namespace lathe::data {
namespace {

// An experiment file nests DataConfig under this key; messages use the dotted path.
constexpr const char* kSection = "data";

// The chosen format's paths, as (value, key): each must be given and an existing file.
// All are checked before any is read, so a typo is reported without a long read first.
void require_files(const DataConfig& config, const std::string& config_path,
                   std::initializer_list<std::pair<const std::string*, const char*>> files) {
  for (const auto& [value, key] : files) {
    LATHE_CHECK(!value->empty(), config_path, ": ", kSection, ".", key, ": required when ",
                kSection, ".format is ", config.format);
    io::require_input_file(*value, "a data file of format " + config.format,
                           config_path + ": " + kSection + "." + key);
  }
}

std::pair<Dataset, Dataset> read_train_and_test(const DataConfig& config,
                                                const std::string& config_path) {
  if (config.format == "idx") {
    require_files(config, config_path,
                  {{&config.train_images, "train_images"}, {&config.train_labels, "train_labels"},
                   {&config.test_images, "test_images"}, {&config.test_labels, "test_labels"}});
    return {read_idx_pair(config.train_images, config.train_labels),
            read_idx_pair(config.test_images, config.test_labels)};
  }
  if (config.format == "hdf5") {
    require_files(config, config_path,
                  {{&config.train_file, "train_file"}, {&config.test_file, "test_file"}});
    return {read_hdf5_dataset(config.train_file), read_hdf5_dataset(config.test_file)};
  }
  LATHE_CHECK(config.format == "synthetic", config_path, ": ", kSection,
              ".format: expected one of idx, hdf5, synthetic, got '", config.format, "'");
  const auto data_seed = static_cast<std::uint64_t>(config.synthetic.seed);
  return {make_synthetic(config.synthetic, data_seed, SyntheticSplit::train),
          make_synthetic(config.synthetic, data_seed, SyntheticSplit::test)};
}

std::string item_shape(const Dataset& dataset) {
  const std::vector<std::int64_t>& dims = dataset.images.shape().dims();
  return Shape(std::vector<std::int64_t>(dims.begin() + 1, dims.end())).to_string();
}

}  // namespace

std::vector<std::string> data_files(const DataConfig& config) {
  if (config.format == "idx") {
    return {config.train_images, config.train_labels, config.test_images, config.test_labels};
  }
  if (config.format == "hdf5") return {config.train_file, config.test_file};
  return {};
}

DataSplits load_data(const DataConfig& config, std::uint64_t seed, const std::string& config_path) {
  auto [train, test] = read_train_and_test(config, config_path);
  LATHE_CHECK(item_shape(train) == item_shape(test), config_path, ": ", kSection,
              ": training images are C x H x W = ", item_shape(train), " (", train.source,
              ") but test images are ", item_shape(test), " (", test.source, "); they must match");
  LATHE_CHECK(train.classes == test.classes, config_path, ": ", kSection, ": training data has ",
              train.classes, " classes (", train.source, ") but test data has ", test.classes,
              " (", test.source, "); they must match");

  if (config.limit_train > 0 && config.limit_train < train.size()) {
    std::vector<std::int64_t> first(static_cast<std::size_t>(config.limit_train));
    std::iota(first.begin(), first.end(), 0);
    train = take_items(train, first,
                       train.source + " (first " + std::to_string(config.limit_train) + " items)");
  }

  DataSplits splits;
  std::tie(splits.train, splits.validation) =
      split_validation(std::move(train), config.validation_fraction, seed);
  splits.test = std::move(test);
  if (!config.normalize) {
    splits.normalization = identity_normalization(static_cast<int>(splits.train.images.shape()[1]));
    return splits;
  }
  splits.normalization = compute_normalization(splits.train);
  for (Dataset* dataset : {&splits.train, &splits.validation, &splits.test}) {
    apply_normalization(splits.normalization, *dataset);
  }
  return splits;
}

}  // namespace lathe::data
