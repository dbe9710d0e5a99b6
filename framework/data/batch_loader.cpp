#include "data/batch_loader.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "core/error.h"
#include "data/seeded_random.h"

namespace lathe::data {

BatchLoader::BatchLoader(const Dataset& dataset, int batch_size, bool shuffle, std::uint64_t seed)
    : dataset_(&dataset), batch_size_(batch_size), shuffle_(shuffle), seed_(seed),
      order_(static_cast<std::size_t>(dataset.size())) {
  LATHE_CHECK(batch_size >= 1, dataset.source, ": batch size must be at least 1, got ", batch_size);
  const Shape& shape = dataset.images.shape();
  LATHE_CHECK(shape.rank() == 4 && shape[0] == dataset.size(), dataset.source,
              ": expected images N x C x H x W with one label per image, found shape ",
              shape.to_string(), " and ", dataset.size(), " labels");
  start_epoch(0);
}

void BatchLoader::start_epoch(int epoch) {
  LATHE_CHECK(epoch >= 0, dataset_->source, ": epoch must be at least 0, got ", epoch);
  std::iota(order_.begin(), order_.end(), 0);
  if (shuffle_) {
    std::mt19937_64 rng(mix_seeds(seed_, static_cast<std::uint64_t>(epoch)));
    shuffle_in_place(order_, rng);
  }
  position_ = 0;
}

bool BatchLoader::next(Tensor& images, std::vector<std::int32_t>& labels) {
  const std::int64_t n = dataset_->size();
  if (position_ >= n) return false;
  const std::int64_t count = std::min(batch_size_, n - position_);
  const Shape& shape = dataset_->images.shape();
  const std::int64_t item = shape.elements_per_item();
  images.resize({count, shape[1], shape[2], shape[3]});
  labels.resize(static_cast<std::size_t>(count));
  const float* source = dataset_->images.data();
  for (std::int64_t b = 0; b < count; ++b) {
    const std::int64_t index = order_[static_cast<std::size_t>(position_ + b)];
    std::copy_n(source + index * item, item, images.data() + b * item);
    labels[static_cast<std::size_t>(b)] = dataset_->labels[static_cast<std::size_t>(index)];
  }
  position_ += count;
  return true;
}

std::int64_t BatchLoader::batches_per_epoch() const {
  return (dataset_->size() + batch_size_ - 1) / batch_size_;
}

}  // namespace lathe::data
