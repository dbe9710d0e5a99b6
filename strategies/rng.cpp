#include "strategies/rng.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace lathe::search {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  x += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = x;
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

std::uint64_t rotate_left(std::uint64_t x, int k) {
  return (x << static_cast<unsigned>(k)) | (x >> static_cast<unsigned>(64 - k));
}

}  // namespace

Rng::Rng(std::uint64_t seed) {
  // SplitMix64 never yields four zero words, the one state xoshiro cannot leave.
  for (auto& word : state_) word = splitmix64(seed);
}

std::uint64_t Rng::next() {
  const std::uint64_t result = rotate_left(state_[1] * 5U, 7) * 9U;
  const std::uint64_t t = state_[1] << 17U;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }

double Rng::uniform(double low, double high) {
  const double value = low + (high - low) * uniform();
  // Rounding can land on `high` itself when the range is wide relative to its ends.
  return value < high ? value : std::nextafter(high, low);
}

std::uint64_t Rng::below(std::uint64_t bound) {
  LATHE_CHECK(bound > 0, "Rng::below: expected a positive bound, found 0");
  // Reject the top sliver of the range that would make some residues more likely.
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  std::uint64_t x = next();
  while (x >= limit) x = next();
  return x % bound;
}

std::int64_t Rng::uniform_int(std::int64_t low, std::int64_t high) {
  LATHE_CHECK(low <= high, "Rng::uniform_int: expected low <= high, found [", low, ", ", high, "]");
  // Unsigned arithmetic: high - low may not fit in a signed 64-bit integer.
  const std::uint64_t span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  const std::uint64_t offset =
      span == std::numeric_limits<std::uint64_t>::max() ? next() : below(span + 1U);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + offset);
}

}  // namespace lathe::search
