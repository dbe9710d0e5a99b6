// Serves a data set in mini-batches, one epoch at a time. With shuffling, an epoch's
// order is a pure function of (seed, epoch), so a run resumed at epoch 7 sees the same
// batches as one that got there without stopping. The last, partial batch is served too.
#pragma once

#include <cstdint>
#include <vector>

#include "data/dataset.h"
#include "tensor/tensor.h"

namespace lathe::data {

class BatchLoader {
 public:
  // Keeps a reference: `dataset` must outlive the loader. Starts at epoch 0.
  BatchLoader(const Dataset& dataset, int batch_size, bool shuffle, std::uint64_t seed);
  // A temporary data set would be gone before the first batch.
  BatchLoader(Dataset&& dataset, int batch_size, bool shuffle, std::uint64_t seed) = delete;

  // Rewinds to the first batch of `epoch` (at least 0), in that epoch's order.
  void start_epoch(int epoch);
  // Fills the next batch (B x C x H x W images, B labels), reusing the buffers of
  // `images` and `labels`; false, leaving them alone, once the epoch is done.
  bool next(Tensor& images, std::vector<std::int32_t>& labels);
  [[nodiscard]] std::int64_t batches_per_epoch() const;

 private:
  const Dataset* dataset_;
  std::int64_t batch_size_;
  bool shuffle_;
  std::uint64_t seed_;
  std::vector<std::int64_t> order_;
  std::int64_t position_ = 0;
};

}  // namespace lathe::data
