#include "io/bit_packing.h"

#include "core/error.h"

namespace lathe::io {

std::size_t packed_byte_count(std::size_t count, int bits) {
  return (count * static_cast<std::size_t>(bits) + 7) / 8;
}

std::vector<std::uint8_t> pack_codes(std::span<const std::uint8_t> codes, int bits) {
  LATHE_CHECK(bits >= 1 && bits <= 8, "pack_codes: bits must be 1..8, got ", bits);
  std::vector<std::uint8_t> packed(packed_byte_count(codes.size(), bits), 0);
  const unsigned limit = 1U << bits;
  std::size_t bit = 0;
  for (const std::uint8_t code : codes) {
    LATHE_CHECK(code < limit, "pack_codes: code ", static_cast<int>(code), " needs more than ",
                bits, " bits");
    // A code spans at most two bytes (bits <= 8).
    const unsigned shifted = static_cast<unsigned>(code) << (bit % 8);
    packed[bit / 8] |= static_cast<std::uint8_t>(shifted & 0xFFU);
    if ((bit % 8) + static_cast<std::size_t>(bits) > 8) {
      packed[bit / 8 + 1] |= static_cast<std::uint8_t>(shifted >> 8);
    }
    bit += static_cast<std::size_t>(bits);
  }
  return packed;
}

std::vector<std::uint8_t> unpack_codes(std::span<const std::uint8_t> packed, std::size_t count,
                                       int bits) {
  LATHE_CHECK(bits >= 1 && bits <= 8, "unpack_codes: bits must be 1..8, got ", bits);
  LATHE_CHECK(packed.size() == packed_byte_count(count, bits), "unpack_codes: ", count,
              " codes of ", bits, " bits need ", packed_byte_count(count, bits), " bytes, got ",
              packed.size());
  std::vector<std::uint8_t> codes(count);
  const unsigned mask = (1U << bits) - 1U;
  std::size_t bit = 0;
  for (std::size_t i = 0; i < count; ++i) {
    unsigned word = packed[bit / 8];
    if ((bit % 8) + static_cast<std::size_t>(bits) > 8) word |= static_cast<unsigned>(packed[bit / 8 + 1]) << 8;
    codes[i] = static_cast<std::uint8_t>((word >> (bit % 8)) & mask);
    bit += static_cast<std::size_t>(bits);
  }
  return codes;
}

}  // namespace lathe::io
