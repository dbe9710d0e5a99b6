#include "io/bit_packing.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"

namespace lathe::io {
namespace {

std::string pack_error(const std::vector<std::uint8_t>& codes, int bits) {
  try {
    pack_codes(codes, bits);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string unpack_error(const std::vector<std::uint8_t>& packed, std::size_t count, int bits) {
  try {
    unpack_codes(packed, count, bits);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(BitPacking, RoundTripsEveryWidthAndCountIncludingPartialLastBytes) {
  std::mt19937 random(7);
  for (int bits = 1; bits <= 8; ++bits) {
    // Odd counts leave the last byte partly filled, and for most widths make codes that
    // straddle two bytes.
    for (const std::size_t count : {0UL, 1UL, 2UL, 3UL, 7UL, 8UL, 9UL, 13UL, 64UL, 101UL}) {
      SCOPED_TRACE("bits " + std::to_string(bits) + ", count " + std::to_string(count));
      std::uniform_int_distribution<int> code(0, (1 << bits) - 1);
      std::vector<std::uint8_t> codes(count);
      for (std::uint8_t& c : codes) c = static_cast<std::uint8_t>(code(random));
      const std::vector<std::uint8_t> packed = pack_codes(codes, bits);
      EXPECT_EQ(packed.size(), (count * static_cast<std::size_t>(bits) + 7) / 8);
      EXPECT_EQ(packed.size(), packed_byte_count(count, bits));
      EXPECT_EQ(unpack_codes(packed, count, bits), codes);
    }
  }
}

TEST(BitPacking, LargestCodeOfEveryWidthRoundTrips) {
  for (int bits = 1; bits <= 8; ++bits) {
    const std::vector<std::uint8_t> codes(5, static_cast<std::uint8_t>((1 << bits) - 1));
    EXPECT_EQ(unpack_codes(pack_codes(codes, bits), codes.size(), bits), codes) << bits << " bits";
  }
}

TEST(BitPacking, PacksLeastSignificantBitFirstWithACodeSpanningTwoBytes) {
  // 3-bit codes 5 (101), 3 (011), 7 (111) occupy bits 0-2, 3-5 and 6-8: the third code's
  // low two bits end byte 0, its high bit starts byte 1.
  // byte 0 = 5 | 3 << 3 | (7 & 3) << 6 = 5 + 24 + 192 = 0xDD; byte 1 = 7 >> 2 = 1.
  EXPECT_EQ(pack_codes(std::vector<std::uint8_t>{5, 3, 7}, 3), (std::vector<std::uint8_t>{0xDD, 0x01}));
  // 1-bit codes fill a byte from its lowest bit.
  EXPECT_EQ(pack_codes(std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0, 0, 1, 1}, 1),
            (std::vector<std::uint8_t>{0x81, 0x01}));
  // 8-bit codes are the bytes themselves.
  EXPECT_EQ(pack_codes(std::vector<std::uint8_t>{0, 200, 255}, 8), (std::vector<std::uint8_t>{0, 200, 255}));
}

TEST(BitPacking, PackRejectsACodeThatDoesNotFitItsBits) {
  EXPECT_NE(pack_error({0, 3, 4}, 2).find("code 4 needs more than 2 bits"), std::string::npos);
  EXPECT_NE(pack_error({2}, 1).find("code 2 needs more than 1 bits"), std::string::npos);
}

TEST(BitPacking, WidthsOutsideOneToEightAreRejected) {
  EXPECT_NE(pack_error({0}, 0).find("bits must be 1..8, got 0"), std::string::npos);
  EXPECT_NE(pack_error({0}, 9).find("bits must be 1..8, got 9"), std::string::npos);
  EXPECT_NE(unpack_error({0}, 1, 9).find("bits must be 1..8, got 9"), std::string::npos);
}

TEST(BitPacking, UnpackRejectsAByteCountThatDoesNotMatch) {
  EXPECT_NE(unpack_error({0}, 3, 3).find("3 codes of 3 bits need 2 bytes, got 1"), std::string::npos);
  EXPECT_NE(unpack_error({0, 0, 0}, 3, 3).find("3 codes of 3 bits need 2 bytes, got 3"), std::string::npos);
  EXPECT_EQ(unpack_error({0, 0}, 3, 3), "(no error)");
}

}  // namespace
}  // namespace lathe::io
