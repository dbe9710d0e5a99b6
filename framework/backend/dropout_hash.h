// The dropout draw every backend makes, so that a seed gives the same mask on CPU and
// GPU (backend.h: "the keep decision for element i is a pure function of (seed, i)").
// Element i draws the i-th output of splitmix64 started from `seed`; being counter-based,
// any thread or GPU lane computes its own element without shared generator state.
#pragma once

#include <cstdint>

namespace lathe {

constexpr std::uint64_t splitmix64_at(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + (index + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

// Uniform in [0, 1) from the draw's top 24 bits (exact in float); kept when >= p.
// Converted through int32 (it fits): x86 without AVX-512 has no direct, vectorisable
// conversion from a 64-bit unsigned integer to float.
constexpr float dropout_uniform(std::uint64_t seed, std::uint64_t index) {
  return static_cast<float>(static_cast<std::int32_t>(splitmix64_at(seed, index) >> 40U)) *
         0x1p-24F;
}

}  // namespace lathe
