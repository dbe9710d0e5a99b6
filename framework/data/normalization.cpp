#include "data/normalization.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace lathe::data {
namespace {

void check_images(const Dataset& dataset, const char* action) {
  LATHE_CHECK(dataset.images.shape().rank() == 4, dataset.source, ": cannot ", action,
              ": expected images N x C x H x W, found shape ",
              dataset.images.shape().to_string());
}

}  // namespace

Normalization compute_normalization(const Dataset& train) {
  check_images(train, "compute the normalisation");
  const Shape& shape = train.images.shape();
  LATHE_CHECK(shape[0] > 0, train.source, ": cannot compute the normalisation of an empty data set");
  const std::int64_t n = shape[0];
  const std::int64_t channels = shape[1];
  const std::int64_t plane = shape[2] * shape[3];
  const float* data = train.images.data();

  Normalization result;
  for (std::int64_t c = 0; c < channels; ++c) {
    // Two passes in double: the one-pass sum of squares loses the variance of data far
    // from zero to cancellation.
    double sum = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
      const float* p = data + (i * channels + c) * plane;
      for (std::int64_t k = 0; k < plane; ++k) sum += p[k];
    }
    const double count = static_cast<double>(n * plane);
    const double mean = sum / count;
    double squares = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
      const float* p = data + (i * channels + c) * plane;
      for (std::int64_t k = 0; k < plane; ++k) squares += (p[k] - mean) * (p[k] - mean);
    }
    result.mean.push_back(static_cast<float>(mean));
    result.std.push_back(std::max(static_cast<float>(std::sqrt(squares / count)), kMinNormalizationStd));
  }
  return result;
}

void apply_normalization(const Normalization& normalization, Dataset& dataset) {
  check_images(dataset, "normalise");
  const Shape& shape = dataset.images.shape();
  const std::int64_t channels = shape[1];
  LATHE_CHECK(std::ssize(normalization.mean) == channels && std::ssize(normalization.std) == channels,
              dataset.source, ": the normalisation has ", normalization.mean.size(), " means and ",
              normalization.std.size(), " standard deviations, expected one per channel (",
              channels, ")");
  const std::int64_t plane = shape[2] * shape[3];
  float* data = dataset.images.data();
  for (std::int64_t i = 0; i < shape[0]; ++i) {
    for (std::int64_t c = 0; c < channels; ++c) {
      const float mean = normalization.mean[static_cast<std::size_t>(c)];
      const float scale = 1.0F / normalization.std[static_cast<std::size_t>(c)];
      float* p = data + (i * channels + c) * plane;
      for (std::int64_t k = 0; k < plane; ++k) p[k] = (p[k] - mean) * scale;
    }
  }
}

Normalization identity_normalization(int channels) {
  return {std::vector<float>(static_cast<std::size_t>(channels), 0.0F),
          std::vector<float>(static_cast<std::size_t>(channels), 1.0F)};
}

}  // namespace lathe::data
