// Small seeded synthetic data sets for tests: prototype-plus-noise images that a tiny
// model learns in a second or two. One definition, so tests differ only where they say.
#pragma once

#include <cstdint>

#include "data/data_config.h"

namespace lathe::test_support {

struct SyntheticSplitsOptions {
  int classes = 4;
  int channels = 1;
  int height = 8;
  int width = 8;
  std::int64_t train_size = 600;
  std::int64_t test_size = 200;
  double noise = 0.3;
  double validation_fraction = 0.2;
};

inline data::DataSplits synthetic_splits(const SyntheticSplitsOptions& options = {}) {
  data::DataConfig config;
  config.format = "synthetic";
  config.synthetic.classes = options.classes;
  config.synthetic.channels = options.channels;
  config.synthetic.height = options.height;
  config.synthetic.width = options.width;
  config.synthetic.train_size = options.train_size;
  config.synthetic.test_size = options.test_size;
  config.synthetic.noise = options.noise;
  config.validation_fraction = options.validation_fraction;
  return data::load_data(config, 5, "test");
}

}  // namespace lathe::test_support
