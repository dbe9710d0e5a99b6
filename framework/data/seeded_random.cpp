#include "data/seeded_random.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

namespace lathe::data {
namespace {

// SplitMix64's finaliser: a bijection that spreads every input bit over the output.
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31U);
}

}  // namespace

std::uint64_t mix_seeds(std::uint64_t a, std::uint64_t b) { return splitmix64(splitmix64(a) ^ b); }

std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  // Reject the top sliver of the range that would make some residues more likely.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                              std::numeric_limits<std::uint64_t>::max() % bound;
  std::uint64_t x = rng();
  while (x >= limit) x = rng();
  return x % bound;
}

float uniform_unit(std::mt19937_64& rng) {
  // The top 24 bits fill a float's mantissa exactly, so the result is never 1.
  return static_cast<float>(rng() >> 40U) * 0x1.0p-24F;
}

float standard_normal(std::mt19937_64& rng) {
  // 1 - u lies in (0, 1], so the logarithm is finite.
  const double u1 = 1.0 - static_cast<double>(rng() >> 11U) * 0x1.0p-53;
  const double u2 = static_cast<double>(rng() >> 11U) * 0x1.0p-53;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2));
}

void shuffle_in_place(std::span<std::int64_t> items, std::mt19937_64& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    const std::size_t j = uniform_below(rng, i);
    std::swap(items[i - 1], items[j]);
  }
}

}  // namespace lathe::data
