// Packs small unsigned integer codes (1..8 bits each) densely into bytes, least
// significant bit first: code i occupies bits [i*bits, (i+1)*bits) of the byte stream.
// This is how quantised weights and codebook indices are stored.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lathe::io {

// Bytes needed for `count` codes of `bits` bits.
std::size_t packed_byte_count(std::size_t count, int bits);
// Each code must be < 2^bits.
std::vector<std::uint8_t> pack_codes(std::span<const std::uint8_t> codes, int bits);
std::vector<std::uint8_t> unpack_codes(std::span<const std::uint8_t> packed, std::size_t count,
                                       int bits);

}  // namespace lathe::io
