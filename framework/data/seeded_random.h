// The data layer's random numbers: shuffles and draws written here rather than taken
// from <random>'s distributions, whose algorithms the standard leaves to each library.
// Only std::mt19937_64's raw output (which the standard does fix) is used, so a seed
// gives the same shuffles with every standard library.
#pragma once

#include <cstdint>
#include <random>
#include <span>

namespace lathe::data {

// A well-mixed seed from two values (e.g. a run seed and an epoch), so that nearby
// pairs such as (1, 2) and (2, 1) start unrelated streams.
std::uint64_t mix_seeds(std::uint64_t a, std::uint64_t b);

// Uniform integer in [0, bound), bound > 0, without modulo bias.
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound);
// Uniform float in [0, 1).
float uniform_unit(std::mt19937_64& rng);
// Standard normal float (Box-Muller, one draw per call).
float standard_normal(std::mt19937_64& rng);

// Fisher-Yates shuffle of `items` in place.
void shuffle_in_place(std::span<std::int64_t> items, std::mt19937_64& rng);

}  // namespace lathe::data
