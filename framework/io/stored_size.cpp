#include "io/stored_size.h"

#include <filesystem>
#include <system_error>

#include "core/error.h"
#include "io/packed_tensor.h"

namespace lathe::io {
namespace {

constexpr std::int64_t kFloatBytes = 4;
constexpr std::int64_t kZeroPointBytes = 1;

std::int64_t count(std::size_t n) { return static_cast<std::int64_t>(n); }

std::int64_t elements_of(const NamedTensor& tensor) {
  return tensor.packed ? tensor.packed->shape.elements() : tensor.value.size();
}

}  // namespace

std::int64_t payload_bytes(const NamedTensor& tensor) {
  if (!tensor.packed) return kFloatBytes * tensor.value.size();
  const PackedTensor& packed = *tensor.packed;
  switch (packed.encoding) {
    case PackedTensor::Encoding::quantized:
      return count(packed.codes.size()) + kFloatBytes * count(packed.scales.size()) +
             kZeroPointBytes * count(packed.zero_points.size());
    case PackedTensor::Encoding::codebook:
      return count(packed.codes.size()) + kFloatBytes * count(packed.codebook.size());
  }
  return 0;
}

std::int64_t payload_bytes(const Checkpoint& checkpoint) {
  std::int64_t total = 0;
  for (const NamedTensor& tensor : checkpoint.tensors) total += payload_bytes(tensor);
  return total;
}

std::vector<TensorPayload> payload_breakdown(const Checkpoint& checkpoint) {
  std::vector<TensorPayload> rows;
  rows.reserve(checkpoint.tensors.size());
  for (const NamedTensor& tensor : checkpoint.tensors) {
    const std::int64_t elements = elements_of(tensor);
    rows.push_back({.name = tensor.name,
                    .form = tensor.packed ? encoding_name(tensor.packed->encoding) : "float32",
                    .bits = tensor.packed ? tensor.packed->bits : 32,
                    .elements = elements,
                    .bytes = payload_bytes(tensor),
                    .float32_bytes = kFloatBytes * elements});
  }
  return rows;
}

std::int64_t file_size_bytes(const std::string& path) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  LATHE_CHECK(!error, path, ": cannot read its size: ", error.message());
  return static_cast<std::int64_t>(size);
}

}  // namespace lathe::io
