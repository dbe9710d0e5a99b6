#include "compress/share/codebook_packing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "io/bit_packing.h"

namespace lathe::compress::share {
namespace {

TEST(SharePacking, BitsAreCeilLog2OfTheCodebookSizeAtLeastOne) {
  for (std::size_t entries = 1; entries <= 256; ++entries) {
    const int expected = std::max(1, static_cast<int>(std::ceil(std::log2(static_cast<double>(entries)))));
    EXPECT_EQ(codebook_bits(entries), expected) << entries;
  }
}

TEST(SharePacking, RoundTripGivesTheSameFloatsBitForBit) {
  for (const std::size_t entries : {1U, 2U, 3U, 5U, 16U, 17U, 200U}) {
    std::vector<float> codebook;
    for (std::size_t c = 0; c < entries; ++c) codebook.push_back(0.01F * static_cast<float>(c) - 0.3F);
    Tensor values(Shape{7, 13});
    for (std::int64_t i = 0; i < values.size(); ++i) {
      values[i] = codebook[static_cast<std::size_t>(i * 31 % static_cast<std::int64_t>(entries))];
    }
    const io::PackedTensor packed = pack_with_codebook(values, codebook, "fc/weight");
    EXPECT_EQ(packed.encoding, io::PackedTensor::Encoding::codebook);
    EXPECT_EQ(packed.bits, codebook_bits(entries));
    EXPECT_EQ(packed.codebook, codebook);
    EXPECT_EQ(packed.codes.size(), io::packed_byte_count(91, packed.bits));
    const Tensor decoded = decode_codebook(packed);
    ASSERT_EQ(decoded.shape(), values.shape());
    EXPECT_EQ(std::memcmp(decoded.data(), values.data(), 91 * sizeof(float)), 0) << entries;
  }
}

TEST(SharePacking, AValueMissingFromTheCodebookBecomesAnEntryOfItsOwn) {
  std::vector<float> codebook = {0.5F, 0.0F};
  const std::vector<float> values = {0.5F, -0.0F, 0.0F, 0.25F, 0.5F};
  const std::vector<std::uint32_t> codes = tie_to_codebook(values, codebook);
  EXPECT_EQ(codes, (std::vector<std::uint32_t>{0, 2, 1, 3, 0}));
  ASSERT_EQ(codebook.size(), 4U);
  EXPECT_TRUE(std::signbit(codebook[2]));  // -0 kept apart from +0, so decoding is exact
}

TEST(SharePacking, MoreThan256DistinctValuesIsAClearError) {
  Tensor values(Shape{300});
  for (std::int64_t i = 0; i < 300; ++i) values[i] = static_cast<float>(i);
  try {
    pack_with_codebook(values, {}, "steps[0].share: fc/weight");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("fc/weight: 300 distinct shared values"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace lathe::compress::share
