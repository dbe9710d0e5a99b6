#include "data/synthetic.h"

#include <numeric>
#include <random>
#include <vector>

#include "core/error.h"
#include "data/seeded_random.h"

namespace lathe::data {

Dataset make_synthetic(const SyntheticConfig& config, std::uint64_t seed, SyntheticSplit split) {
  const bool train = split == SyntheticSplit::train;
  const std::int64_t n = train ? config.train_size : config.test_size;
  LATHE_CHECK(config.classes >= 2 && config.channels >= 1 && config.height >= 1 &&
                  config.width >= 1 && n >= 1 && config.noise >= 0,
              "synthetic data: expected at least 2 classes, channels, height, width and ",
              train ? "train" : "test", "_size at least 1 and noise at least 0; got classes ",
              config.classes, ", channels ", config.channels, ", height ", config.height,
              ", width ", config.width, ", size ", n, ", noise ", config.noise);

  const std::int64_t pixels = std::int64_t{config.channels} * config.height * config.width;
  std::mt19937_64 prototype_rng(mix_seeds(seed, 0));
  std::vector<float> prototypes(static_cast<std::size_t>(config.classes * pixels));
  for (float& p : prototypes) p = uniform_unit(prototype_rng);

  std::mt19937_64 rng(mix_seeds(seed, train ? 1 : 2));
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  shuffle_in_place(order, rng);

  Dataset dataset;
  dataset.source = std::string("synthetic ") + (train ? "train" : "test") + " data (seed " +
                   std::to_string(seed) + ")";
  dataset.classes = config.classes;
  dataset.images.resize({n, config.channels, config.height, config.width});
  dataset.labels.resize(static_cast<std::size_t>(n));
  const auto noise = static_cast<float>(config.noise);
  for (std::int64_t i = 0; i < n; ++i) {
    // Item i takes the class order[i] % classes: balanced counts, shuffled positions.
    const auto label = static_cast<std::int32_t>(order[static_cast<std::size_t>(i)] % config.classes);
    dataset.labels[static_cast<std::size_t>(i)] = label;
    const float* prototype = prototypes.data() + label * pixels;
    float* out = dataset.images.data() + i * pixels;
    for (std::int64_t p = 0; p < pixels; ++p) out[p] = prototype[p] + noise * standard_normal(rng);
  }
  return dataset;
}

}  // namespace lathe::data
