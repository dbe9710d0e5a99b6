#include "tensor/finite_values.h"

#include <cmath>
#include <vector>

#include "core/error.h"

namespace lathe {
namespace {

// The multi-index of flat element `flat` in `shape`, as "[i, j, k]".
std::string index_text(const Shape& shape, std::int64_t flat) {
  std::vector<std::int64_t> index(shape.rank());
  for (std::size_t axis = shape.rank(); axis-- > 0;) {
    const std::int64_t extent = shape[axis];
    index[axis] = extent > 0 ? flat % extent : 0;
    flat = extent > 0 ? flat / extent : 0;
  }
  std::string text = "[";
  for (std::size_t axis = 0; axis < index.size(); ++axis) text += (axis ? ", " : "") + std::to_string(index[axis]);
  return text + "]";
}

}  // namespace

void require_finite_values(const Tensor& tensor, const std::string& where) {
  const std::span<const float> values = tensor.values();
  for (std::size_t i = 0; i < values.size(); ++i) {
    const float value = values[i];
    if (std::isfinite(value)) continue;
    const char* kind = std::isnan(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
    fail(where, ": expected finite values, found ", kind, " at ",
         index_text(tensor.shape(), static_cast<std::int64_t>(i)), " (element ", i, " of shape ",
         tensor.shape().to_string(), ")");
  }
}

}  // namespace lathe
