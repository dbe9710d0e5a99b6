#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "core/error.h"
#include "data/seeded_random.h"

namespace lathe::data {

Dataset take_items(const Dataset& dataset, std::span<const std::int64_t> indices,
                   std::string source) {
  const Shape& shape = dataset.images.shape();
  LATHE_CHECK(shape.rank() == 4 && shape[0] == dataset.size(), dataset.source,
              ": expected images N x C x H x W with one label per image, found shape ",
              shape.to_string(), " and ", dataset.size(), " labels");
  const std::int64_t item = shape.elements_per_item();
  Dataset result;
  result.source = std::move(source);
  result.labels_source = dataset.labels_source;
  result.classes = dataset.classes;
  result.images.resize({std::ssize(indices), shape[1], shape[2], shape[3]});
  result.labels.reserve(indices.size());
  float* out = result.images.data();
  for (const std::int64_t index : indices) {
    LATHE_CHECK(index >= 0 && index < dataset.size(), dataset.source, ": item index ", index,
                " is outside [0, ", dataset.size(), ")");
    out = std::copy_n(dataset.images.data() + index * item, item, out);
    result.labels.push_back(dataset.labels[static_cast<std::size_t>(index)]);
  }
  return result;
}

std::pair<Dataset, Dataset> split_validation(Dataset all, double validation_fraction,
                                             std::uint64_t seed) {
  LATHE_CHECK(validation_fraction >= 0.0 && validation_fraction < 1.0, all.source,
              ": validation fraction must lie in [0, 1), got ", validation_fraction);
  const std::int64_t n = all.size();
  const std::int64_t validation_size =
      std::llround(validation_fraction * static_cast<double>(n));
  LATHE_CHECK(validation_size < n, all.source, ": a validation fraction of ", validation_fraction,
              " of ", n, " items leaves no training items");

  if (validation_size == 0) {
    // Nothing to carve: hand the training items over without copying them.
    Dataset validation = take_items(all, {}, all.source + " (validation split)");
    all.source += " (training split)";
    return {std::move(all), std::move(validation)};
  }

  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  shuffle_in_place(order, rng);
  const auto cut = order.begin() + validation_size;
  std::sort(order.begin(), cut);
  std::sort(cut, order.end());

  Dataset validation = take_items(all, {order.begin(), cut}, all.source + " (validation split)");
  Dataset train = take_items(all, {cut, order.end()}, all.source + " (training split)");
  return {std::move(train), std::move(validation)};
}

}  // namespace lathe::data
