#include "compress/share/codebook_packing.h"

#include <bit>
#include <unordered_map>

#include "core/error.h"
#include "io/bit_packing.h"

namespace lathe::compress::share {

std::vector<std::uint32_t> tie_to_codebook(std::span<const float> values,
                                           std::vector<float>& codebook) {
  // Keyed by bit pattern: decoding must give back the very same float, -0 included.
  std::unordered_map<std::uint32_t, std::uint32_t> index_of;
  for (std::size_t c = 0; c < codebook.size(); ++c) {
    index_of.emplace(std::bit_cast<std::uint32_t>(codebook[c]), static_cast<std::uint32_t>(c));
  }
  std::vector<std::uint32_t> codes(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto [entry, added] = index_of.emplace(std::bit_cast<std::uint32_t>(values[i]),
                                                 static_cast<std::uint32_t>(codebook.size()));
    if (added) codebook.push_back(values[i]);
    codes[i] = entry->second;
  }
  return codes;
}

int codebook_bits(std::size_t entries) {
  int bits = 1;
  while ((std::size_t{1} << bits) < entries) ++bits;
  return bits;
}

io::PackedTensor pack_with_codebook(const Tensor& values, std::vector<float> codebook,
                                    const std::string& name) {
  const std::vector<std::uint32_t> indices = tie_to_codebook(values.values(), codebook);
  LATHE_CHECK(codebook.size() <= 256, name, ": ", codebook.size(),
              " distinct shared values, more than a codebook of 8-bit indices holds (256)");
  std::vector<std::uint8_t> codes(indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i) codes[i] = static_cast<std::uint8_t>(indices[i]);
  io::PackedTensor packed;
  packed.encoding = io::PackedTensor::Encoding::codebook;
  packed.bits = codebook_bits(codebook.size());
  packed.shape = values.shape();
  packed.codes = io::pack_codes(codes, packed.bits);
  packed.codebook = std::move(codebook);
  return packed;
}

Tensor decode_codebook(const io::PackedTensor& packed) {
  LATHE_CHECK(packed.encoding == io::PackedTensor::Encoding::codebook,
              "decode_codebook: the tensor is not codebook-encoded");
  Tensor values(packed.shape);
  const std::vector<std::uint8_t> codes =
      io::unpack_codes(packed.codes, static_cast<std::size_t>(values.size()), packed.bits);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    LATHE_CHECK(codes[i] < packed.codebook.size(), "decode_codebook: code ", static_cast<int>(codes[i]),
                " past the codebook's ", packed.codebook.size(), " entries");
    values[static_cast<std::int64_t>(i)] = packed.codebook[codes[i]];
  }
  return values;
}

}  // namespace lathe::compress::share
