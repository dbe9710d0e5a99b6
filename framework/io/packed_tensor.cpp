#include "io/packed_tensor.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/error.h"
#include "io/bit_packing.h"

namespace lathe::io {
namespace {

// Far beyond any model, and small enough that elements * bits cannot overflow.
constexpr std::int64_t kMaxElements = std::int64_t{1} << 56;

std::int64_t checked_elements(const PackedTensor& packed, const std::string& where) {
  const Shape& shape = packed.shape;
  LATHE_CHECK(shape.rank() > 0, where,
              " attribute 'shape': expected at least one dimension, found none");
  std::int64_t elements = 1;
  for (const std::int64_t d : shape.dims()) {
    LATHE_CHECK(d >= 0, where, " attribute 'shape': expected dimensions of 0 or more, found ",
                shape.to_string());
    LATHE_CHECK(d == 0 || elements <= kMaxElements / d, where,
                " attribute 'shape': expected at most 2^56 elements, found ", shape.to_string());
    elements *= d;
  }
  return elements;
}

void check_finite(const std::vector<float>& values, const std::string& where, const char* what) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    LATHE_CHECK(std::isfinite(values[i]), where, ": expected finite ", what, ", found ", values[i],
                " at index ", i);
  }
}

void check_quantized(const PackedTensor& packed, const std::string& where) {
  const std::int64_t channels = packed.shape[0];
  const auto scale_count = static_cast<std::int64_t>(packed.scales.size());
  LATHE_CHECK(scale_count == 1 || scale_count == channels, where,
              "/scales: expected 1 scale (per tensor) or ", channels,
              " (one per channel along axis 0 of shape ", packed.shape.to_string(), "), found ",
              scale_count);
  check_finite(packed.scales, where + "/scales", "scales");
  LATHE_CHECK(packed.zero_points.size() == packed.scales.size(), where,
              "/zero_points: expected as many zero points as scales (", scale_count, "), found ",
              packed.zero_points.size());
  const int largest_code = (1 << packed.bits) - 1;
  for (std::size_t i = 0; i < packed.zero_points.size(); ++i) {
    LATHE_CHECK(packed.zero_points[i] <= largest_code, where, "/zero_points: expected values up to ",
                largest_code, " (", packed.bits, " bits), found ", static_cast<int>(packed.zero_points[i]),
                " at index ", i);
  }
  LATHE_CHECK(packed.codebook.empty(), where, "/codebook: expected none in a quantized tensor, found ",
              packed.codebook.size(), " entries");
}

void check_codebook(const PackedTensor& packed, const std::vector<std::uint8_t>& codes,
                    const std::string& where) {
  const std::size_t capacity = std::size_t{1} << packed.bits;
  LATHE_CHECK(!packed.codebook.empty() && packed.codebook.size() <= capacity, where,
              "/codebook: expected 1 to ", capacity, " entries (", packed.bits, " bits), found ",
              packed.codebook.size());
  check_finite(packed.codebook, where + "/codebook", "values");
  for (std::size_t i = 0; i < codes.size(); ++i) {
    LATHE_CHECK(codes[i] < packed.codebook.size(), where, "/codes: expected indices below ",
                packed.codebook.size(), " (the codebook's size), found ", static_cast<int>(codes[i]),
                " at element ", i);
  }
  LATHE_CHECK(packed.scales.empty() && packed.zero_points.empty(), where,
              ": expected no scales or zero points in a codebook tensor, found ", packed.scales.size(),
              " scales and ", packed.zero_points.size(), " zero points");
}

// Checks everything and returns the unpacked codes, one per element.
std::vector<std::uint8_t> checked_codes(const PackedTensor& packed, const std::string& where) {
  LATHE_CHECK(packed.bits >= 1 && packed.bits <= 8, where, " attribute 'bits': expected 1 to 8, found ",
              packed.bits);
  const auto elements = static_cast<std::size_t>(checked_elements(packed, where));
  const std::size_t expected_bytes = packed_byte_count(elements, packed.bits);
  LATHE_CHECK(packed.codes.size() == expected_bytes, where, "/codes: expected ", expected_bytes,
              " bytes (", elements, " codes of ", packed.bits, " bits, shape ", packed.shape.to_string(),
              "), found ", packed.codes.size());
  std::vector<std::uint8_t> codes = unpack_codes(packed.codes, elements, packed.bits);
  switch (packed.encoding) {
    case PackedTensor::Encoding::quantized:
      check_quantized(packed, where);
      break;
    case PackedTensor::Encoding::codebook:
      check_codebook(packed, codes, where);
      break;
  }
  return codes;
}

}  // namespace

const char* encoding_name(PackedTensor::Encoding encoding) {
  switch (encoding) {
    case PackedTensor::Encoding::quantized:
      return "quantized";
    case PackedTensor::Encoding::codebook:
      return "codebook";
  }
  return "unknown";
}

void check_packed_tensor(const PackedTensor& packed, const std::string& where) {
  checked_codes(packed, where);
}

Tensor decode_packed_tensor(const PackedTensor& packed, const std::string& where) {
  const std::vector<std::uint8_t> codes = checked_codes(packed, where);
  Tensor values(packed.shape);
  if (packed.encoding == PackedTensor::Encoding::codebook) {
    for (std::size_t i = 0; i < codes.size(); ++i) {
      values[static_cast<std::int64_t>(i)] = packed.codebook[codes[i]];
    }
    return values;
  }
  const bool per_channel = packed.scales.size() > 1;
  const std::int64_t per_channel_elements = packed.shape.elements_per_item();
  for (std::int64_t i = 0; i < values.size(); ++i) {
    const auto channel = per_channel ? static_cast<std::size_t>(i / per_channel_elements) : 0;
    const int offset_code =
        static_cast<int>(codes[static_cast<std::size_t>(i)]) - static_cast<int>(packed.zero_points[channel]);
    values[i] = packed.scales[channel] * static_cast<float>(offset_code);
  }
  return values;
}

}  // namespace lathe::io
