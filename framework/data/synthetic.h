// A small learnable image-classification problem for fast tests and smoke runs: each
// class has a fixed random prototype image, and every sample is its class's prototype
// plus Gaussian noise. Everything is a pure function of the config and the seed.
#pragma once

#include <cstdint>

#include "config/field_checks.h"
#include "data/dataset.h"

namespace lathe::data {

struct SyntheticConfig {
  int classes = 10;
  int channels = 1;
  int height = 8;
  int width = 8;
  std::int64_t train_size = 1000;
  std::int64_t test_size = 200;
  double noise = 0.5;
  // The problem's own seed, apart from the run seed: every run (and `lathe evaluate`)
  // sees the same data set.
  std::int64_t seed = 1;

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.number("classes", classes, Range::at_least(2), "number of classes");
    v.number("channels", channels, Range::at_least(1), "image channels");
    v.number("height", height, Range::at_least(1), "image height in pixels");
    v.number("width", width, Range::at_least(1), "image width in pixels");
    v.number("train_size", train_size, Range::at_least(1), "training items");
    v.number("test_size", test_size, Range::at_least(1), "test items");
    v.number("noise", noise, Range::at_least(0),
             "standard deviation of the Gaussian noise added to the prototypes (pixels in [0, 1))");
    v.number("seed", seed, Range::closed(0, 9.0e15), "seed of the prototypes, noise and order");
  }
};

enum class SyntheticSplit { train, test };

// train_size or test_size items with balanced labels in shuffled order. The prototypes
// depend on the seed only, so both splits of one seed pose the same problem; the noise
// and order depend on the split too, so the test items are not copies of training ones.
Dataset make_synthetic(const SyntheticConfig& config, std::uint64_t seed,
                       SyntheticSplit split = SyntheticSplit::train);

}  // namespace lathe::data
