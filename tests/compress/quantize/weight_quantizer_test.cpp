// The weight quantiser over every bit width, grid kind and granularity.
#include "compress/quantize/weight_quantizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "io/bit_packing.h"

namespace lathe::compress::quantize {
namespace {

// 4 output channels x 3 x 2 x 2, channel c spread over about +-(c + 1) / 4 with a
// skew, and an exact 0 in every channel.
Tensor sample_weights() {
  Tensor weights(Shape{4, 3, 2, 2});
  std::mt19937_64 rng(3);
  std::normal_distribution<float> normal(0.1F, 1.0F);
  const std::int64_t per_channel = 12;
  for (std::int64_t i = 0; i < weights.size(); ++i) {
    const auto channel = static_cast<float>(i / per_channel);
    weights[i] = i % per_channel == 5 ? 0.0F : normal(rng) * (channel + 1.0F) / 4.0F;
  }
  return weights;
}

struct Case {
  int bits;
  bool symmetric;
  bool per_channel;
};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (int bits = 2; bits <= 8; ++bits) {
    for (const bool symmetric : {false, true}) {
      for (const bool per_channel : {false, true}) cases.push_back({bits, symmetric, per_channel});
    }
  }
  return cases;
}

std::string describe(const Case& c) {
  return std::to_string(c.bits) + (c.symmetric ? " bits symmetric" : " bits asymmetric") +
         (c.per_channel ? " per channel" : " per tensor");
}

TEST(WeightQuantizer, EveryCodeIsOnTheGridAndEveryValueIsItsCodesDequantisation) {
  const Tensor weights = sample_weights();
  for (const Case& c : all_cases()) {
    const QuantizedTensor q = quantize_weights(weights, {c.bits, c.symmetric, c.per_channel});
    ASSERT_EQ(q.grids.size(), c.per_channel ? 4U : 1U) << describe(c);
    const std::int64_t per_grid = weights.size() / static_cast<std::int64_t>(q.grids.size());
    for (std::int64_t i = 0; i < weights.size(); ++i) {
      const nn::QuantGrid& grid = q.grids[static_cast<std::size_t>(i / per_grid)];
      const int code = q.codes[static_cast<std::size_t>(i)];
      ASSERT_GE(code, grid.min_code) << describe(c);
      ASSERT_LE(code, grid.max_code) << describe(c);
      ASSERT_LT(code, 1 << c.bits) << describe(c);
      ASSERT_EQ(q.values[i], grid.value(code)) << describe(c);
      // Rounding error of at most half a step inside the range.
      ASSERT_LE(std::fabs(q.values[i] - weights[i]), grid.scale * 0.501F + 1e-6F) << describe(c) << " " << i;
    }
  }
}

TEST(WeightQuantizer, SymmetricGridsUseSignedLevelsOffsetByHalfTheCodes) {
  const Tensor weights = sample_weights();
  for (int bits = 2; bits <= 8; ++bits) {
    const QuantizedTensor q = quantize_weights(weights, {bits, true, false});
    EXPECT_EQ(q.grids[0].zero_point, 1 << (bits - 1));
    EXPECT_EQ(q.grids[0].min_code, 1);  // -(2^(b-1) - 1) after the offset
    EXPECT_EQ(q.grids[0].max_code, (1 << bits) - 1);
    float largest = 0.0F;
    for (const float w : weights.values()) largest = std::max(largest, std::fabs(w));
    EXPECT_FLOAT_EQ(q.grids[0].scale, largest / static_cast<float>((1 << (bits - 1)) - 1));
  }
}

TEST(WeightQuantizer, ZeroStaysExactlyZeroOnEveryGrid) {
  const Tensor weights = sample_weights();
  for (const Case& c : all_cases()) {
    const QuantizedTensor q = quantize_weights(weights, {c.bits, c.symmetric, c.per_channel});
    for (std::int64_t i = 5; i < weights.size(); i += 12) EXPECT_EQ(q.values[i], 0.0F) << describe(c);
  }
}

TEST(WeightQuantizer, PerChannelGridsFollowEachChannelsOwnRange) {
  const QuantizedTensor q = quantize_weights(sample_weights(), {4, true, true});
  for (std::size_t c = 1; c < q.grids.size(); ++c) EXPECT_GT(q.grids[c].scale, q.grids[0].scale);
}

TEST(WeightQuantizer, AtMostTwoToTheBitsDistinctValuesPerGrid) {
  Tensor many(Shape{2, 500});
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> uniform(-1.0F, 3.0F);
  for (float& w : many.values()) w = uniform(rng);
  for (const Case& c : all_cases()) {
    const QuantizedTensor q = quantize_weights(many, {c.bits, c.symmetric, c.per_channel});
    for (std::int64_t row = 0; row < 2; ++row) {
      const std::set<float> distinct(q.values.data() + row * 500, q.values.data() + (row + 1) * 500);
      EXPECT_LE(distinct.size(), std::size_t{1} << c.bits) << describe(c);
      if (!c.symmetric && c.bits <= 5) {  // few levels, many values: the whole grid is used
        EXPECT_GE(distinct.size(), (std::size_t{1} << c.bits) - 2) << describe(c);
      }
    }
  }
}

TEST(WeightQuantizer, PackedTensorDequantisesToTheFakeQuantisedValuesExactly) {
  const Tensor weights = sample_weights();
  for (const Case& c : all_cases()) {
    const QuantizedTensor q = quantize_weights(weights, {c.bits, c.symmetric, c.per_channel});
    const io::PackedTensor packed = to_packed_tensor(q);
    EXPECT_EQ(packed.encoding, io::PackedTensor::Encoding::quantized);
    EXPECT_EQ(packed.bits, c.bits);
    EXPECT_EQ(packed.shape, weights.shape());
    EXPECT_EQ(packed.codes.size(), io::packed_byte_count(static_cast<std::size_t>(weights.size()), c.bits));
    EXPECT_EQ(packed.scales.size(), q.grids.size());
    EXPECT_EQ(packed.zero_points.size(), q.grids.size());
    const Tensor decoded = dequantize(packed);
    ASSERT_EQ(decoded.shape(), weights.shape());
    for (std::int64_t i = 0; i < weights.size(); ++i) {
      ASSERT_EQ(decoded[i], q.values[i]) << describe(c) << " element " << i;
    }
  }
}

TEST(WeightQuantizer, RequantisingOnTheSameGridsGivesTheSameCodes) {
  const Tensor weights = sample_weights();
  for (const Case& c : all_cases()) {
    const QuantizedTensor q = quantize_weights(weights, {c.bits, c.symmetric, c.per_channel});
    const QuantizedTensor again = quantize_on_grids(q.values, c.bits, q.grids);
    EXPECT_EQ(again.codes, q.codes) << describe(c);
  }
}

TEST(WeightQuantizer, AnAllZeroTensorQuantisesToZeros) {
  const Tensor zeros(Shape{3, 4});
  for (const Case& c : all_cases()) {
    const QuantizedTensor q = quantize_weights(zeros, {c.bits, c.symmetric, c.per_channel});
    for (const float v : q.values.values()) EXPECT_EQ(v, 0.0F) << describe(c);
    const Tensor decoded = dequantize(to_packed_tensor(q));
    for (const float v : decoded.values()) EXPECT_EQ(v, 0.0F) << describe(c);
  }
}

}  // namespace
}  // namespace lathe::compress::quantize
